/**
 * Acquisitions (docs/contracts.md §5 "Downloads"): the row acquire writes (which version of which
 * plan a customer acquired, and the SHA-256 of the token that reads it back), reading it back
 * with fresh download links, and the one rule that says whether its bytes may still be served
 * (`downloadRefusal`).
 */
import { randomUUID } from 'node:crypto';
import type { AppContext, Db, Trx } from '../app/context.ts';
import { hashToken, newToken, tokensEqual } from '../app/publishers.ts';
import type { AcquisitionView } from '../contracts/index.ts';
import type { AcquisitionsTable } from '../db/schema.ts';
import { VmarketError } from '../errors.ts';
import { type Phrase, say } from '../i18n/localized.ts';
import type { SignedPackage, SlotDocument } from '../pipeline/packages.ts';
import { iso } from '../util/dates.ts';
import { downloadLinks } from './downloads.ts';
import { versionRevocation } from '../lifecycle/revoke.ts';

/** An acquisition row as the modules read it. */
export type AcquisitionRecord = Omit<AcquisitionsTable, 'created_at'> & { created_at: Date | string };

export interface NewAcquisition {
  leadId: string;
  publisherId: string;
  offerId: string;
  plan: string;
  subscriptionId: string;
  operationId: string;
  slot: 'live' | 'preview';
}

// what a customer reads (in German too)
const unknownAcquisition: Phrase<[string]> = {
  en: (id) => `There is no acquisition ${id}, or the X-Acquisition-Token does not open it.`,
  de: (id) => `Es gibt keinen Erwerb ${id}, oder das X-Acquisition-Token öffnet ihn nicht.`,
};
const versionRevoked: Phrase<[string, string, string]> = {
  en: (key, operation, reason) => `The version of ${key} you acquired (${operation}) was revoked for a security reason and is no longer served: ${reason}`,
  de: (key, operation, reason) => `Die erworbene Version von ${key} (${operation}) wurde aus Sicherheitsgründen zurückgezogen und wird nicht mehr ausgeliefert: ${reason}`,
};
const versionGone: Phrase<[string, string]> = {
  en: (key, operation) => `The version of ${key} you acquired (${operation}) is no longer available for download; acquire the plan again.`,
  de: (key, operation) => `Die erworbene Version von ${key} (${operation}) steht nicht mehr zum Herunterladen bereit; erwerben Sie den Plan erneut.`,
};

/**
 * The acquisition row for `input`, to insert in the acquire's transaction, and its access token
 * (answered once; only its SHA-256 is stored).
 */
export function prepareAcquisition(input: NewAcquisition): { id: string; token: string; insert(trx: Trx): Promise<AcquisitionRecord> } {
  const id = randomUUID();
  const token = newToken();
  const row: AcquisitionRecord = {
    id,
    lead_id: input.leadId,
    publisher_id: input.publisherId,
    offer_id: input.offerId,
    plan_id: input.plan,
    subscription_id: input.subscriptionId,
    operation_id: input.operationId,
    slot: input.slot,
    token_hash: hashToken(token),
    created_at: new Date(),
  };
  return {
    id,
    token,
    async insert(trx) {
      await trx.insertInto('acquisitions').values(row).execute();
      return row;
    },
  };
}

export async function findAcquisition(db: Db, id: string): Promise<AcquisitionRecord | undefined> {
  return db.kysely.selectFrom('acquisitions').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * The slot document of the operation an acquisition served: the live or preview slot while it is
 * there, else the live history (a version replaced by a newer one is still the one acquired).
 */
export async function acquiredDocument(db: Db, acquisition: AcquisitionRecord): Promise<SlotDocument | undefined> {
  const offer = await db.kysely
    .selectFrom('offers')
    .select(['live', 'live_operation_id', 'preview', 'preview_operation_id'])
    .where('publisher_id', '=', acquisition.publisher_id)
    .where('id', '=', acquisition.offer_id)
    .executeTakeFirst();
  if (!offer) return undefined;
  if (offer.live_operation_id === acquisition.operation_id && offer.live) return offer.live as unknown as SlotDocument;
  if (offer.preview_operation_id === acquisition.operation_id && offer.preview) return offer.preview as unknown as SlotDocument;
  const history = await db.kysely
    .selectFrom('offer_live_history')
    .select('snapshot')
    .where('publisher_id', '=', acquisition.publisher_id)
    .where('offer_id', '=', acquisition.offer_id)
    .where('operation_id', '=', acquisition.operation_id)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return history ? (history.snapshot as unknown as SlotDocument) : undefined;
}

/**
 * Why the bytes of `acquisition` may not be served (fresh links, downloads), or null when they
 * may. Today: the version it acquired must still have the plan's package. This is the one place
 * a version's withdrawal (revocation, docs/contracts.md lifecycle) refuses its downloads.
 */
export async function downloadRefusal(
  db: Db,
  acquisition: AcquisitionRecord,
  document: SlotDocument | undefined,
): Promise<VmarketError | null> {
  const key = `${acquisition.publisher_id}.${acquisition.offer_id}`;
  const revocation = await versionRevocation(db.kysely, acquisition.publisher_id, acquisition.offer_id, acquisition.operation_id);
  if (revocation) return new VmarketError('NO_LONGER_SOLD', say(versionRevoked, key, acquisition.operation_id, revocation.reason));
  if (!document?.packages?.[acquisition.plan_id]) return new VmarketError('NOT_FOUND', say(versionGone, key, acquisition.operation_id));
  return null;
}

/** The signed package an acquisition may download, or the refusal thrown. */
export async function downloadablePackage(db: Db, acquisition: AcquisitionRecord): Promise<SignedPackage> {
  const document = await acquiredDocument(db, acquisition);
  const refusal = await downloadRefusal(db, acquisition, document);
  if (refusal) throw refusal;
  return document!.packages[acquisition.plan_id]!;
}

/**
 * `GET /catalog/acquisitions/{id}`: the acquisition `token` opens, with fresh download links.
 *
 * @throws VmarketError NOT_FOUND for an unknown id or a token that does not open it (one
 *   sentence for both), or the `downloadRefusal` of its version.
 */
export async function readAcquisition(ctx: AppContext, id: string, token: string | undefined): Promise<AcquisitionView> {
  const row = await findAcquisition(ctx.db, id);
  if (!row || !token || !tokensEqual(row.token_hash, hashToken(token))) throw new VmarketError('NOT_FOUND', say(unknownAcquisition, id));
  const signed = await downloadablePackage(ctx.db, row);
  const { expiresAt, links, mirrorUrl } = await downloadLinks(ctx, row, signed.package);
  return {
    acquisition: {
      id: row.id,
      offer: `${row.publisher_id}.${row.offer_id}`,
      plan: row.plan_id,
      version: signed.package.version,
      operationId: row.operation_id,
      slot: row.slot,
      createdAt: iso(row.created_at)!,
      expiresAt,
      mirrorUrl,
    },
    package: signed.package,
    signature: signed.signature,
    keyId: signed.keyId,
    downloads: links,
  };
}
