/**
 * A publisher's offers as the API answers them: the list with each offer's publishing status,
 * one slot (draft, preview or live), and saving a draft after checking it in full. The status of
 * an offer is that of its latest operation (`neverPublished` before the first). The rows
 * themselves are ./repository.ts's.
 */
import type { AppContext, Db } from '../app/context.ts';
import { VmarketError } from '../errors.ts';
import { say } from '../i18n/localized.ts';
import type { SlotDocument } from '../pipeline/packages.ts';
import type { OfferPublishStatus } from '../pipeline/types.ts';
import { nothingSaved, offerNotFound } from './phrases.ts';
import { getOfferRow, putDraft } from './repository.ts';
import { decodeCursor, encodeCursor, type Page } from '../db/pagination.ts';
import type { PageQuery } from '../contracts/pagination.ts';
import { iso } from '../util/dates.ts';
import type { DraftSaved, OfferSlot, OfferSlotName, OfferSummary } from '../contracts/index.ts';
import { validateOffer } from './validate.ts';
import { ensureLeadSecret } from '../leads/secrets.ts';

const ID_ORDER_AT = new Date(0).toISOString();

/** The latest operation (id and status) per offer of a publisher, of its offers `offerIds`. */
export async function latestOperationStatuses(db: Db, publisherId: string, offerIds: readonly string[]): Promise<Map<string, { id: string; status: string }>> {
  if (offerIds.length === 0) return new Map();
  let query = db.kysely
    .selectFrom('operations')
    .select(['offer_id', 'id', 'status', 'created_at'])
    .where('publisher_id', '=', publisherId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc');
  query = query.where('offer_id', 'in', [...offerIds]);
  const latest = new Map<string, { id: string; status: string }>();
  for (const row of await query.execute()) if (!latest.has(row.offer_id)) latest.set(row.offer_id, { id: row.id, status: row.status });
  return latest;
}

function statusOf(latest: { status: string } | undefined): OfferPublishStatus {
  return (latest?.status ?? 'neverPublished') as OfferPublishStatus;
}

/** The offer's publishing status: its latest operation's, `neverPublished` before the first. */
export async function offerPublishStatus(db: Db, publisherId: string, offerId: string): Promise<OfferPublishStatus> {
  return statusOf((await latestOperationStatuses(db, publisherId, [offerId])).get(offerId));
}

/**
 * One page of the publisher's offers by id (the order this list always had), each with its
 * status, draft etag and slots. Ids are unique per publisher, so the id alone is the keyset.
 */
export async function listOfferSummaries(db: Db, publisherId: string, page: PageQuery): Promise<Page<OfferSummary>> {
  let query = db.kysely.selectFrom('offers').selectAll().where('publisher_id', '=', publisherId);
  if (page.cursor !== undefined) query = query.where('id', '>', decodeCursor(page.cursor).id);
  const fetched = await query.orderBy('id').limit(page.limit + 1).execute();
  const shown = fetched.slice(0, page.limit);
  // the cursor's time part is unused here: a fixed instant keeps its format the one of every list
  const found = { rows: shown, nextCursor: fetched.length > page.limit ? encodeCursor({ at: ID_ORDER_AT, id: shown.at(-1)!.id }) : null };
  const latest = await latestOperationStatuses(db, publisherId, found.rows.map((r) => r.id));
  const rows = found.rows.map((row) => {
    const listing = (row.draft as { listing?: { title?: unknown } }).listing;
    return {
      id: row.id,
      publisher: row.publisher_id,
      status: statusOf(latest.get(row.id)),
      etag: row.etag,
      operationId: latest.get(row.id)?.id ?? null,
      title: typeof listing?.title === 'string' ? listing.title : null,
      hasPreview: row.preview !== null,
      live: row.live !== null,
      liveAt: iso(row.live_at),
      updatedAt: iso(row.updated_at),
    };
  });
  return { rows, nextCursor: found.nextCursor };
}

/**
 * One slot of the offer with the draft's etag; `slot` is null when that slot (preview, live) is
 * empty, so the caller can still hand out the etag with its 404 (see noSlotVersion). 404
 * NOT_FOUND for an unknown offer.
 */
export async function readOfferSlot(db: Db, publisherId: string, offerId: string, slot: OfferSlotName): Promise<{ etag: string; slot: OfferSlot | null }> {
  const row = await getOfferRow(db.kysely, publisherId, offerId);
  if (!row) throw new VmarketError('NOT_FOUND', say(offerNotFound, publisherId, offerId));
  const status = await offerPublishStatus(db, publisherId, offerId);
  const common = { id: row.id, publisher: row.publisher_id, slot, status, etag: row.etag, updatedAt: iso(row.updated_at) };
  if (slot === 'draft') return { etag: row.etag, slot: { ...common, offer: row.draft as Record<string, unknown>, operationId: null, publishedAt: null } };
  const doc = (slot === 'live' ? row.live : row.preview) as SlotDocument | null;
  if (!doc) return { etag: row.etag, slot: null };
  return {
    etag: row.etag,
    slot: { ...common, offer: doc.offer as Record<string, unknown>, operationId: doc.operationId ?? null, publishedAt: doc.publishedAt ?? null },
  };
}

/**
 * Checks `doc` in full (422 VALIDATION_FAILED with every problem, nothing saved) and stores it
 * as the offer's draft with a new etag (`putDraft`: If-Match / If-None-Match, 412). The first
 * save with an https lead destination generates the offer's lead signing secret and answers it
 * (`leadSecret`, shown this once).
 */
export async function saveDraft(
  ctx: Pick<AppContext, 'db' | 'config' | 'secretKey'>,
  publisherId: string,
  offerId: string,
  doc: unknown,
  conditions: { ifMatch?: string; ifNoneMatch?: string } = {},
): Promise<DraftSaved> {
  const { problems } = await validateOffer(doc, { config: ctx.config, publisherId, offerId });
  if (problems.length > 0) throw new VmarketError('VALIDATION_FAILED', say(nothingSaved, problems.length), { details: problems });
  const https = (doc as { leads?: { destination?: unknown } }).leads?.destination === 'https';
  let leadSecret: Awaited<ReturnType<typeof ensureLeadSecret>> = null;
  // the first https save makes the offer's lead signing secret in the draft's own transaction:
  // both are saved, or neither (and the answer that shows the secret is the one that made it)
  const saved = await putDraft(ctx.db, publisherId, offerId, doc as Record<string, unknown>, {
    ...conditions,
    maxOffers: ctx.config.limits.offersPerPublisher,
    ...(https ? { alongside: async (trx) => void (leadSecret = await ensureLeadSecret(trx, ctx.secretKey, publisherId, offerId)) } : {}),
  });
  const status = await offerPublishStatus(ctx.db, publisherId, offerId);
  return { id: offerId, publisher: publisherId, etag: saved.etag, created: saved.created, status, ...(leadSecret ? { leadSecret } : {}) };
}
