/**
 * Offers in the database: drafts with etags (optimistic locking through `If-Match`), and the
 * preview and live slots the pipeline fills. The live slot switches in the caller's transaction;
 * the version it replaces is kept in `offer_live_history`.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Db, Trx } from '../app/context.ts';
import type { Database, OffersTable } from '../db/schema.ts';
import { VmarketError } from '../errors.ts';
import { type Localized, type Phrase, say } from '../i18n/localized.ts';
import { offerNotFound, tooManyOffers } from './phrases.ts';

export type OfferRow = Selectable<OffersTable>;

const onlyStar: Localized = {
  en: 'If-None-Match on an offer draft can only be *: create the offer only if it does not exist.',
  de: 'If-None-Match kann bei einem Angebotsentwurf nur * sein: Das Angebot wird nur angelegt, wenn es noch nicht existiert.',
};
const alreadyExists: Phrase<[string, string]> = {
  en: (publisherId, offerId) => `The offer ${publisherId}/${offerId} already exists (If-None-Match: *); choose another id or edit that offer.`,
  de: (publisherId, offerId) =>
    `Das Angebot ${publisherId}/${offerId} existiert bereits (If-None-Match: *); wählen Sie eine andere ID oder bearbeiten Sie jenes Angebot.`,
};
const draftChanged: Phrase<[string, string | undefined]> = {
  en: (current, ifMatch) => `The draft changed since you read it (its etag is ${current}, not ${ifMatch}); read it again and reapply your change.`,
  de: (current, ifMatch) =>
    `Der Entwurf hat sich geändert, seit Sie ihn gelesen haben (sein ETag ist ${current}, nicht ${ifMatch}); lesen Sie ihn erneut und wenden Sie Ihre Änderung noch einmal an.`,
};
const nothingToMatch: Phrase<[string, string]> = {
  en: (publisherId, offerId) => `The offer ${publisherId}/${offerId} does not exist, so If-Match cannot match.`,
  de: (publisherId, offerId) => `Das Angebot ${publisherId}/${offerId} existiert nicht, daher kann If-Match nicht passen.`,
};

function newEtag(): string {
  return randomBytes(12).toString('hex');
}

/** `"abc"`, `W/"abc"` and `abc` all name the etag `abc`. */
export function normalizeEtag(value: string): string {
  return value.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

export interface PutDraftResult {
  created: boolean;
  etag: string;
}

/**
 * Creates or replaces the offer's draft. With `ifMatch`, the update happens only when the stored
 * etag equals it (412 PRECONDITION_FAILED otherwise, and for `ifMatch` on an offer that does not
 * exist yet); the compare-and-set is one UPDATE, so two writers cannot both win. With
 * `ifNoneMatch: '*'` it only creates: an existing offer answers 412 and is left as it is.
 */
export async function putDraft(
  db: Db,
  publisherId: string,
  offerId: string,
  doc: Record<string, unknown>,
  options: {
    ifMatch?: string;
    ifNoneMatch?: string;
    maxOffers?: number;
    /** More writes that commit or roll back with the draft (e.g. its first lead signing secret). */
    alongside?: (trx: Trx) => Promise<void>;
  } = {},
): Promise<PutDraftResult> {
  const etag = newEtag();
  const draft = JSON.stringify(doc);
  const ifMatch = options.ifMatch !== undefined ? normalizeEtag(options.ifMatch) : undefined;
  if (options.ifNoneMatch !== undefined && options.ifNoneMatch.trim() !== '*') {
    throw new VmarketError('BAD_REQUEST', onlyStar);
  }
  // a new offer only while the publisher has fewer than maxOffers (two creating at the very same
  // moment may both pass the count; the limit bounds work, it is not an accounting)
  const roomForOne = async (trx: Trx) => {
    if (options.maxOffers === undefined) return;
    const { n } = await trx.selectFrom('offers').select((eb) => eb.fn.countAll<string>().as('n')).where('publisher_id', '=', publisherId).executeTakeFirstOrThrow();
    if (Number(n) >= options.maxOffers) throw new VmarketError('CONFLICT', say(tooManyOffers, publisherId, options.maxOffers));
  };
  const write = async (trx: Trx): Promise<PutDraftResult> => {
    if (options.ifNoneMatch !== undefined) {
      await roomForOne(trx);
      // insert-or-nothing: the primary key decides between two creators, not a read before it
      const inserted = await trx
        .insertInto('offers')
        .values({ publisher_id: publisherId, id: offerId, draft, etag })
        .onConflict((conflict) => conflict.columns(['publisher_id', 'id']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
        throw new VmarketError('PRECONDITION_FAILED', say(alreadyExists, publisherId, offerId));
      }
      return { created: true, etag };
    }
    let update = trx
      .updateTable('offers')
      .set({ draft, etag, updated_at: new Date() })
      .where('publisher_id', '=', publisherId)
      .where('id', '=', offerId);
    if (ifMatch !== undefined && ifMatch !== '*') update = update.where('etag', '=', ifMatch);
    const updated = await update.executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) return { created: false, etag };

    const existing = await trx
      .selectFrom('offers')
      .select('etag')
      .where('publisher_id', '=', publisherId)
      .where('id', '=', offerId)
      .executeTakeFirst();
    if (existing) {
      throw new VmarketError('PRECONDITION_FAILED', say(draftChanged, existing.etag, ifMatch));
    }
    if (ifMatch !== undefined) {
      throw new VmarketError('PRECONDITION_FAILED', say(nothingToMatch, publisherId, offerId));
    }
    await roomForOne(trx);
    await trx.insertInto('offers').values({ publisher_id: publisherId, id: offerId, draft, etag }).execute();
    return { created: true, etag };
  };
  return db.transaction(async (trx) => {
    const result = await write(trx);
    await options.alongside?.(trx);
    return result;
  });
}

export async function getOfferRow(db: Kysely<Database> | Trx, publisherId: string, offerId: string): Promise<OfferRow | undefined> {
  return db.selectFrom('offers').selectAll().where('publisher_id', '=', publisherId).where('id', '=', offerId).executeTakeFirst();
}

/** Puts a packaged snapshot in the preview slot (served to its preview audience only). */
export async function setPreviewSlot(trx: Trx, publisherId: string, offerId: string, doc: Record<string, unknown>, operationId: string): Promise<void> {
  const result = await trx
    .updateTable('offers')
    .set({ preview: JSON.stringify(doc), preview_operation_id: operationId })
    .where('publisher_id', '=', publisherId)
    .where('id', '=', offerId)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new VmarketError('NOT_FOUND', say(offerNotFound, publisherId, offerId));
}

/** Empties the preview slot when it still belongs to `operationId` (cancel, failure). */
export async function clearPreviewSlot(trx: Trx, publisherId: string, offerId: string, operationId: string): Promise<void> {
  await trx
    .updateTable('offers')
    .set({ preview: null, preview_operation_id: null })
    .where('publisher_id', '=', publisherId)
    .where('id', '=', offerId)
    .where('preview_operation_id', '=', operationId)
    .execute();
}

/** The live slot of an offer, locked (`FOR UPDATE`) in the caller's transaction. 404 for an unknown offer. */
export async function lockLiveSlot(
  trx: Trx,
  publisherId: string,
  offerId: string,
): Promise<{ live: Record<string, unknown> | null; live_operation_id: string | null; live_at: Date | null }> {
  const current = await trx
    .selectFrom('offers')
    .select(['live', 'live_operation_id', 'live_at'])
    .where('publisher_id', '=', publisherId)
    .where('id', '=', offerId)
    .forUpdate()
    .executeTakeFirst();
  if (!current) throw new VmarketError('NOT_FOUND', say(offerNotFound, publisherId, offerId));
  return current;
}

/** Keeps the locked live version in the history, replaced at `now` (the live slot itself is the caller's to change). */
export async function archiveLiveVersion(
  trx: Trx,
  publisherId: string,
  offerId: string,
  current: { live: unknown; live_operation_id: string | null; live_at: Date | null },
  now: Date,
): Promise<void> {
  if (current.live === null || !current.live_operation_id) return;
  await trx
    .insertInto('offer_live_history')
    .values({
      publisher_id: publisherId,
      offer_id: offerId,
      operation_id: current.live_operation_id,
      snapshot: JSON.stringify(current.live),
      went_live_at: current.live_at ?? now,
      replaced_at: now,
    })
    .execute();
}

/**
 * Switches the live slot to `doc` in the caller's transaction: the version it replaces goes to
 * the history (so it served until this commit and is kept), the preview slot is emptied.
 */
export async function setLiveSlot(trx: Trx, publisherId: string, offerId: string, doc: Record<string, unknown>, operationId: string): Promise<void> {
  const current = await lockLiveSlot(trx, publisherId, offerId);
  if (current.live_operation_id === operationId) return; // already switched (a redelivered job)
  const now = new Date();
  await archiveLiveVersion(trx, publisherId, offerId, current, now);
  await trx
    .updateTable('offers')
    .set({
      live: JSON.stringify(doc),
      live_operation_id: operationId,
      live_at: now,
      preview: null,
      preview_operation_id: null,
    })
    .where('publisher_id', '=', publisherId)
    .where('id', '=', offerId)
    .execute();
}
