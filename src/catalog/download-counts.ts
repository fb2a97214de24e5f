/**
 * Download counters per plan, region and customer (subscription), migration 010: what a
 * publisher reads at `GET /publishers/{pub}/offers/{offer}/downloads`.
 */
import { sql } from 'kysely';
import type { Db } from '../app/context.ts';
import type { DownloadCounts } from '../contracts/index.ts';
import { iso } from '../util/dates.ts';

export interface DownloadKey {
  publisherId: string;
  offerId: string;
  plan: string;
  region: string;
  subscriptionId: string;
}

/** Adds `downloads` and `bytes` to the key's counters (one upsert: concurrent downloads add up). */
export async function recordDownload(db: Db, key: DownloadKey, add: { downloads: number; bytes: number }): Promise<void> {
  const now = new Date();
  await db.kysely
    .insertInto('download_counts')
    .values({
      publisher_id: key.publisherId,
      offer_id: key.offerId,
      plan_id: key.plan,
      region: key.region,
      subscription_id: key.subscriptionId,
      downloads: add.downloads,
      bytes: add.bytes,
      last_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['publisher_id', 'offer_id', 'plan_id', 'region', 'subscription_id']).doUpdateSet({
        downloads: sql`download_counts.downloads + ${add.downloads}`,
        bytes: sql`download_counts.bytes + ${add.bytes}`,
        last_at: now,
      }),
    )
    .execute();
}

/** The offer's counters, by plan, region and customer, with totals and the number of acquisitions. */
export async function offerDownloadCounts(db: Db, publisherId: string, offerId: string): Promise<DownloadCounts> {
  const rows = await db.kysely
    .selectFrom('download_counts')
    .selectAll()
    .where('publisher_id', '=', publisherId)
    .where('offer_id', '=', offerId)
    .orderBy('plan_id')
    .orderBy('region')
    .orderBy('subscription_id')
    .execute();
  const acquired = await db.kysely
    .selectFrom('acquisitions')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('publisher_id', '=', publisherId)
    .where('offer_id', '=', offerId)
    .executeTakeFirst();
  const counts = rows.map((r) => ({
    plan: r.plan_id,
    region: r.region,
    subscriptionId: r.subscription_id,
    downloads: Number(r.downloads),
    bytes: Number(r.bytes),
    lastAt: iso(r.last_at)!,
  }));
  return {
    totals: {
      acquisitions: Number(acquired?.n ?? 0),
      downloads: counts.reduce((sum, c) => sum + c.downloads, 0),
      bytes: counts.reduce((sum, c) => sum + c.bytes, 0),
    },
    counts,
  };
}
