/**
 * Image versions an offer already published, per plan: the versions of its live slot and of
 * every earlier live version (offer_live_history). `validateOffer` refuses a plan whose
 * published version is one of these, so a version always names one set of bytes.
 */
import type { Kysely } from 'kysely';
import type { Trx } from '../app/context.ts';
import type { Database } from '../db/schema.ts';
import { publishedVersion, type OfferSnapshot } from './offer-snapshot.ts';

export async function usedVersions(db: Kysely<Database> | Trx, publisherId: string, offerId: string): Promise<Map<string, Set<string>>> {
  const used = new Map<string, Set<string>>();
  const add = (slot: unknown) => {
    // A slot document holds the snapshot under `offer`; accept a bare snapshot too.
    const doc = slot as { offer?: OfferSnapshot; plans?: unknown } | null;
    const offer = doc?.offer ?? (doc?.plans ? (doc as unknown as OfferSnapshot) : undefined);
    for (const plan of offer?.plans ?? []) {
      if (!Array.isArray(plan.images) || plan.images.length === 0) continue;
      const set = used.get(plan.id) ?? new Set<string>();
      set.add(publishedVersion(plan).version);
      used.set(plan.id, set);
    }
  };
  const row = await db.selectFrom('offers').select('live').where('publisher_id', '=', publisherId).where('id', '=', offerId).executeTakeFirst();
  add(row?.live);
  const history = await db
    .selectFrom('offer_live_history')
    .select('snapshot')
    .where('publisher_id', '=', publisherId)
    .where('offer_id', '=', offerId)
    .execute();
  for (const h of history) add(h.snapshot);
  return used;
}
