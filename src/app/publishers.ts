/**
 * Publishers and their bearer tokens. A token is shown once, when it is made; the database keeps
 * only its SHA-256, so a leaked database does not leak working tokens. Tokens are 32 random bytes,
 * so a plain hash (no salt, no slow KDF) is enough and lets the lookup be one indexed query.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { noteAuditTarget } from '../audit/scope.ts';
import type { Db } from './context.ts';
import type { Database } from '../db/schema.ts';
import { VmarketError } from '../errors.ts';
import { type Phrase, say } from '../i18n/localized.ts';
import { PUBLISHER_ID_PATTERN } from '../offers/schema.ts';
import { iso } from '../util/dates.ts';

export const publisherNotFound: Phrase<[string]> = {
  en: (publisherId) => `The publisher ${publisherId} does not exist.`,
  de: (publisherId) => `Der Herausgeber ${publisherId} existiert nicht.`,
};
const publisherExists: Phrase<[string]> = {
  en: (publisherId) => `The publisher ${publisherId} already exists.`,
  de: (publisherId) => `Den Herausgeber ${publisherId} gibt es schon.`,
};

export interface Publisher {
  id: string;
  name: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new bearer token: `vmk_` and 43 base64url characters (256 bits). */
export function newToken(): string {
  return `vmk_${randomBytes(32).toString('base64url')}`;
}

/** Creates a publisher and answers its token (the only time it is visible). 409 ALREADY_EXISTS. */
export async function createPublisher(db: Db, input: Publisher): Promise<Publisher & { token: string }> {
  if (!PUBLISHER_ID_PATTERN.test(input.id)) {
    throw new VmarketError('VALIDATION_FAILED', 'The publisher id must be 2-50 characters of a-z, 0-9 and -.', {
      details: [{ path: 'id', message: 'must be 2-50 characters of a-z, 0-9 and -' }],
    });
  }
  const name = input.name.trim();
  if (!name || name.length > 100) {
    throw new VmarketError('VALIDATION_FAILED', 'The publisher name must be 1-100 characters.', { details: [{ path: 'name', message: 'must be 1-100 characters' }] });
  }
  const token = newToken();
  noteAuditTarget(`publisher ${input.id}`, input.id);
  // a transaction, so the audit event commits with the publisher (src/audit/)
  const inserted = await db.transaction((trx) =>
    trx
      .insertInto('publishers')
      .values({ id: input.id, name, token_hash: hashToken(token) })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst(),
  );
  if (!inserted) throw new VmarketError('ALREADY_EXISTS', say(publisherExists, input.id));
  return { id: input.id, name, token };
}

/** Gives the publisher a new token; the old one stops working at once. 404 NOT_FOUND. */
export async function rotatePublisherToken(db: Db, id: string): Promise<string> {
  const token = newToken();
  noteAuditTarget(`publisher ${id}`, id);
  const result = await db.transaction(async (trx) => {
    const updated = await trx.updateTable('publishers').set({ token_hash: hashToken(token) }).where('id', '=', id).executeTakeFirst();
    // nothing changed: roll back, so no "succeeded" event is recorded for it
    if (Number(updated.numUpdatedRows) !== 1) throw new VmarketError('NOT_FOUND', say(publisherNotFound, id));
    return updated;
  });
  if (Number(result.numUpdatedRows) !== 1) throw new VmarketError('NOT_FOUND', say(publisherNotFound, id));
  return token;
}

export async function findPublisherByToken(db: Kysely<Database>, token: string): Promise<Publisher | undefined> {
  if (!token) return undefined;
  const hash = hashToken(token);
  const row = await db.selectFrom('publishers').select(['id', 'name', 'token_hash']).where('token_hash', '=', hash).executeTakeFirst();
  // The index lookup already matched; the constant-time compare keeps the check itself free of
  // early-exit timing should the lookup ever become a scan.
  if (!row || !timingSafeEqual(Buffer.from(row.token_hash, 'hex'), Buffer.from(hash, 'hex'))) return undefined;
  return { id: row.id, name: row.name };
}

export async function getPublisher(db: Kysely<Database>, id: string): Promise<Publisher | undefined> {
  return db.selectFrom('publishers').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
}

/**
 * The publisher, or 404 NOT_FOUND. For the operator, whose token may name any publisher id; a
 * publisher's own token already proves its publisher exists.
 */
export async function requirePublisher(db: Db, id: string): Promise<Publisher> {
  const publisher = await getPublisher(db.kysely, id);
  if (!publisher) throw new VmarketError('NOT_FOUND', say(publisherNotFound, id));
  return publisher;
}

/** Every publisher by id, with when it was created (ISO 8601). */
export async function listPublishers(db: Db): Promise<(Publisher & { createdAt: string | null })[]> {
  const rows = await db.kysely.selectFrom('publishers').select(['id', 'name', 'created_at']).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: iso(r.created_at) }));
}

/** Constant-time comparison of two tokens (e.g. the operator's). */
export function tokensEqual(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y) && a.length === b.length;
}
