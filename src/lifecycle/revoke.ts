/**
 * Revoking a version (the operator's, for a security reason; docs/contracts.md §5 "Lifecycle"). A
 * version is the operation id of the live slot or of a history entry. Revoking it:
 * - records it (`version_revocations`), so downloads of it stop (`isVersionRevoked`);
 * - takes it out of the live slot when it is live (into the history, like any replaced version):
 *   acquire, the catalogue and the simplestreams index, all built from live slots, lose it;
 * - e-mails every customer who acquired the offer while that version was live (from the leads,
 *   by the windows of the live slot and `offer_live_history`), each on their own, and sends the
 *   `offer.version.revoked` webhook;
 * - when it was live, proposes the version before it for republishing if that one still
 *   qualifies (not revoked, its certification report passed, every region still holds its
 *   files): the publisher accepts or declines the proposal (`decideRepublish`); nothing goes
 *   live again without the publisher's yes.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { AppContext } from '../app/context.ts';
import { DbSigningKeyStore } from '../catalog/key-store.ts';
import { getOrCreateSigningKey } from '../catalog/signing.ts';
import { catalogKey } from '../catalog/storefront.ts';
import type { Revocation } from '../contracts/index.ts';
import type { Database, VersionRevocationsTable } from '../db/schema.ts';
import { VmarketError } from '../errors.ts';
import { say } from '../i18n/localized.ts';
import { offerNotFound } from '../offers/phrases.ts';
import { archiveLiveVersion, lockLiveSlot } from '../offers/repository.ts';
import { signPackages, type SlotDocument } from '../pipeline/packages.ts';
import { regionStore } from '../pipeline/replication.ts';
import { type Customer, distinctCustomers, tellCustomers } from './customers.ts';
import * as t from './phrases.ts';

type RevocationRow = Selectable<VersionRevocationsTable>;

/** True when the operator revoked this version of the offer: its downloads must stop. */
export async function isVersionRevoked(db: Kysely<Database>, publisherId: string, offerId: string, operationId: string): Promise<boolean> {
  return (await versionRevocation(db, publisherId, offerId, operationId)) !== undefined;
}

/** The revocation of a version (its id and the operator's reason), or undefined when it was not revoked. */
export async function versionRevocation(
  db: Kysely<Database>,
  publisherId: string,
  offerId: string,
  operationId: string,
): Promise<{ id: string; reason: string } | undefined> {
  return db
    .selectFrom('version_revocations')
    .select(['id', 'reason'])
    .where('publisher_id', '=', publisherId)
    .where('offer_id', '=', offerId)
    .where('operation_id', '=', operationId)
    .executeTakeFirst();
}

export interface RevokeInput {
  publisherId: string;
  offerId: string;
  /** The operation id of the live slot or of a history entry. */
  version: string;
  reason: string;
  actor: string;
}

interface Window {
  from: Date;
  until: Date;
}

function toRevocation(row: RevocationRow): Revocation {
  return {
    id: row.id,
    offer: catalogKey(row.publisher_id, row.offer_id),
    version: row.operation_id,
    reason: row.reason,
    revokedBy: row.revoked_by,
    revokedAt: new Date(row.revoked_at).toISOString(),
    wasLive: row.was_live,
    customersNotified: row.customers_notified,
    republish:
      row.republish_operation_id && row.republish_status
        ? {
            version: row.republish_operation_id,
            status: row.republish_status,
            decidedBy: row.republish_decided_by,
            decidedAt: row.republish_decided_at ? new Date(row.republish_decided_at).toISOString() : null,
          }
        : null,
    republishNote: row.republish_note,
  };
}

export async function listRevocations(ctx: AppContext, publisherId: string, offerId: string): Promise<Revocation[]> {
  const rows = await ctx.db.kysely
    .selectFrom('version_revocations')
    .selectAll()
    .where('publisher_id', '=', publisherId)
    .where('offer_id', '=', offerId)
    .orderBy('revoked_at', 'desc')
    .execute();
  return rows.map(toRevocation);
}

/**
 * Revokes the version (see the module comment). 404 for an unknown offer or version, 409 when it
 * was revoked already. Answers the revocation as recorded after the e-mails went out.
 */
export async function revokeVersion(ctx: AppContext, input: RevokeInput): Promise<Revocation> {
  const { publisherId, offerId, version } = input;
  const key = catalogKey(publisherId, offerId);
  const now = new Date();
  const recorded = await ctx.db.transaction(async (trx) => {
    const offer = await lockLiveSlot(trx, publisherId, offerId);
    const earlier = await trx
      .selectFrom('version_revocations')
      .selectAll()
      .where('publisher_id', '=', publisherId)
      .where('offer_id', '=', offerId)
      .where('operation_id', '=', version)
      .executeTakeFirst();
    if (earlier) throw new VmarketError('CONFLICT', say(t.alreadyRevoked, version, new Date(earlier.revoked_at).toISOString(), earlier.revoked_by));
    const history = await trx
      .selectFrom('offer_live_history')
      .select(['went_live_at', 'replaced_at'])
      .where('publisher_id', '=', publisherId)
      .where('offer_id', '=', offerId)
      .where('operation_id', '=', version)
      .execute();
    const live = offer.live_operation_id === version && offer.live !== null;
    if (!live && history.length === 0) throw new VmarketError('NOT_FOUND', say(t.versionUnknown, key, version));
    const windows: Window[] = history.map((h) => ({ from: new Date(h.went_live_at), until: h.replaced_at ? new Date(h.replaced_at) : now }));
    if (live) {
      windows.push({ from: offer.live_at ? new Date(offer.live_at) : now, until: now });
      // out of the live slot, into the history like any version that stopped being live
      await archiveLiveVersion(trx, publisherId, offerId, offer, now);
      await trx
        .updateTable('offers')
        .set({ live: null, live_operation_id: null, live_at: null, updated_at: now })
        .where('publisher_id', '=', publisherId)
        .where('id', '=', offerId)
        .execute();
    }
    const id = `rv-${randomUUID()}`;
    await trx
      .insertInto('version_revocations')
      .values({ id, publisher_id: publisherId, offer_id: offerId, operation_id: version, reason: input.reason, revoked_by: input.actor, revoked_at: now, was_live: live })
      .execute();
    return { id, live, windows };
  });
  ctx.logger.warn({ offer: key, version, actor: input.actor, wasLive: recorded.live }, 'version revoked');

  if (recorded.live) await proposeRepublish(ctx, recorded.id, publisherId, offerId, version);
  const notified = await tellRevocation(ctx, input, recorded.windows);
  await ctx.db.kysely.updateTable('version_revocations').set({ customers_notified: notified }).where('id', '=', recorded.id).execute();
  return getRevocation(ctx, publisherId, offerId, recorded.id);
}

async function getRevocation(ctx: AppContext, publisherId: string, offerId: string, id: string): Promise<Revocation> {
  const row = await ctx.db.kysely
    .selectFrom('version_revocations')
    .selectAll()
    .where('publisher_id', '=', publisherId)
    .where('offer_id', '=', offerId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new VmarketError('NOT_FOUND', say(t.revocationUnknown, catalogKey(publisherId, offerId), id));
  return toRevocation(row);
}

/** The customers who acquired the version: its acquisitions, and the leads of the windows in which it was live. */
async function customersOf(ctx: AppContext, publisherId: string, offerId: string, version: string, windows: Window[]): Promise<Customer[]> {
  const rows = await ctx.db.kysely
    .selectFrom('leads')
    .select(['contact', 'plan_id', 'created_at'])
    .where('publisher_id', '=', publisherId)
    .where('offer_id', '=', offerId)
    .where('kind', '=', 'lead')
    // an acquisition names the version it served (migration 010), also a preview's; leads from
    // before acquisitions were recorded are matched by the windows in which the version was live
    .where((eb) =>
      eb.or([
        eb('id', 'in', eb.selectFrom('acquisitions').select('lead_id').where('operation_id', '=', version).where('publisher_id', '=', publisherId).where('offer_id', '=', offerId)),
        ...windows.map((w) => eb.and([eb('created_at', '>=', w.from), eb('created_at', '<=', w.until)])),
      ]),
    )
    .execute();
  return distinctCustomers(rows);
}

/** One e-mail per customer, then the `offer.version.revoked` webhook. Answers how many e-mails went out. */
async function tellRevocation(ctx: AppContext, input: RevokeInput, windows: Window[]): Promise<number> {
  const { publisherId, offerId, version, reason } = input;
  const key = catalogKey(publisherId, offerId);
  return tellCustomers(ctx, {
    type: 'offer.version.revoked',
    publisherId,
    offerId,
    operationId: version,
    customers: await customersOf(ctx, publisherId, offerId, version, windows),
    message: (customer) =>
      `Dear ${customer.name}, the marketplace revoked version ${version} of ${key} (plan ${customer.plan}, which you acquired on ${customer.at.toISOString().slice(0, 10)}) ` +
      `for a security reason: ${reason}. Do not create new VMs from it, and replace the VMs you created from it with a current version of the offer ` +
      `(see the offer page) or another image. Its downloads have stopped.`,
    summary: `The marketplace revoked version ${version} of ${key} for a security reason: ${reason}`,
  });
}

/**
 * Why `candidate` cannot go live again, or undefined when it can: revoked, no passed
 * certification report, or a region missing one of its files.
 */
async function republishBlocker(ctx: AppContext, publisherId: string, offerId: string, candidate: string, doc: SlotDocument): Promise<string | undefined> {
  if (await isVersionRevoked(ctx.db.kysely, publisherId, offerId, candidate)) return 'it was revoked itself';
  const report = await ctx.db.kysely
    .selectFrom('certification_reports')
    .select(['result', 'review_status'])
    .where('operation_id', '=', candidate)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!report) return 'it has no certification report';
  if (report.result !== 'passed' || (report.review_status !== null && report.review_status !== 'approved')) return 'its certification report did not pass';
  for (const signed of Object.values(doc.packages ?? {})) {
    for (const image of signed.package.images) {
      const copies = image.copies ? Object.entries(image.copies).map(([region, c]) => [region, c.sha256, c.size] as const) : Object.keys(image.locations).map((region) => [region, image.sha256, image.size] as const);
      for (const [region, sha256, size] of copies) {
        let present = false;
        try {
          present = await regionStore(ctx, region).has(sha256, size);
        } catch {
          present = false;
        }
        if (!present) return `the region ${region} no longer holds its file ${sha256.slice(0, 12)}… (plan ${signed.package.plan})`;
      }
    }
  }
  return undefined;
}

/** The newest version before `version` that is not revoked, with its snapshot. */
async function previousVersion(ctx: AppContext, publisherId: string, offerId: string, version: string): Promise<{ operationId: string; doc: SlotDocument } | undefined> {
  const mine = await ctx.db.kysely
    .selectFrom('offer_live_history')
    .select((eb) => eb.fn.min('went_live_at').as('first'))
    .where('publisher_id', '=', publisherId)
    .where('offer_id', '=', offerId)
    .where('operation_id', '=', version)
    .executeTakeFirst();
  if (!mine?.first) return undefined;
  const rows = await ctx.db.kysely
    .selectFrom('offer_live_history')
    .select(['operation_id', 'snapshot'])
    .where('publisher_id', '=', publisherId)
    .where('offer_id', '=', offerId)
    .where('operation_id', '<>', version)
    .where('went_live_at', '<', mine.first)
    .orderBy('went_live_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .execute();
  const row = rows[0];
  return row ? { operationId: row.operation_id, doc: row.snapshot as unknown as SlotDocument } : undefined;
}

/** Records the republish proposal (pending) or why there is none. */
async function proposeRepublish(ctx: AppContext, revocationId: string, publisherId: string, offerId: string, version: string): Promise<void> {
  const previous = await previousVersion(ctx, publisherId, offerId, version);
  const blocker = previous ? await republishBlocker(ctx, publisherId, offerId, previous.operationId, previous.doc) : 'no earlier version was live';
  await ctx.db.kysely
    .updateTable('version_revocations')
    .set(
      previous && !blocker
        ? { republish_operation_id: previous.operationId, republish_status: 'pending', republish_note: null }
        : { republish_operation_id: null, republish_status: null, republish_note: previous ? `${previous.operationId}: ${blocker}` : blocker },
    )
    .where('id', '=', revocationId)
    .execute();
}

/**
 * The publisher's answer to a republish proposal. `accept` puts the earlier version in the live
 * slot again (its packages re-signed when the marketplace's signing key changed since), provided
 * it still qualifies and no newer version went live meanwhile; `decline` only records the answer.
 */
export async function decideRepublish(
  ctx: AppContext,
  publisherId: string,
  offerId: string,
  revocationId: string,
  decision: 'accept' | 'decline',
  actor: string,
): Promise<Revocation> {
  const key = catalogKey(publisherId, offerId);
  const current = await getRevocation(ctx, publisherId, offerId, revocationId);
  if (!current.republish) throw new VmarketError('CONFLICT', say(t.nothingToRepublish, revocationId));
  if (current.republish.status !== 'pending') throw new VmarketError('CONFLICT', say(t.republishDecided, revocationId, current.republish.status));
  const candidate = current.republish.version;
  let doc: SlotDocument | undefined;
  if (decision === 'accept') {
    const previous = await ctx.db.kysely
      .selectFrom('offer_live_history')
      .select('snapshot')
      .where('publisher_id', '=', publisherId)
      .where('offer_id', '=', offerId)
      .where('operation_id', '=', candidate)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const stored = previous.snapshot as unknown as SlotDocument;
    const blocker = await republishBlocker(ctx, publisherId, offerId, candidate, stored);
    if (blocker) throw new VmarketError('CONFLICT', say(t.noLongerCertified, candidate, blocker));
    doc = { ...stored, packages: await resigned(ctx, stored.packages) };
  }
  await ctx.db.transaction(async (trx) => {
    const offer = await trx
      .selectFrom('offers')
      .select('live_operation_id')
      .where('publisher_id', '=', publisherId)
      .where('id', '=', offerId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const claimed = await trx
      .updateTable('version_revocations')
      .set({ republish_status: decision === 'accept' ? 'accepted' : 'declined', republish_decided_by: actor, republish_decided_at: new Date() })
      .where('id', '=', revocationId)
      .where('republish_status', '=', 'pending')
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) throw new VmarketError('CONFLICT', say(t.republishDecided, revocationId, 'decided'));
    if (!doc) return;
    if (offer.live_operation_id) throw new VmarketError('CONFLICT', say(t.newerVersionLive, key, offer.live_operation_id));
    await trx
      .updateTable('offers')
      .set({ live: JSON.stringify(doc), live_operation_id: candidate, live_at: new Date(), updated_at: new Date() })
      .where('publisher_id', '=', publisherId)
      .where('id', '=', offerId)
      .execute();
  });
  ctx.logger.info({ offer: key, revocation: revocationId, version: candidate, decision, actor }, 'republish decided');
  return getRevocation(ctx, publisherId, offerId, revocationId);
}

/** The packages, signed again with the current key when another key signed them. */
async function resigned(ctx: AppContext, packages: SlotDocument['packages']): Promise<SlotDocument['packages']> {
  const key = await getOrCreateSigningKey(new DbSigningKeyStore(ctx.db));
  if (Object.values(packages).every((p) => p.keyId === key.keyId)) return packages;
  return signPackages(ctx, Object.values(packages).map((p) => p.package));
}
