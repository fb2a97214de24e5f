/**
 * The server's signing keys in the `signing_keys` table, so every server and worker process of
 * one marketplace signs with the same key and `/catalog/keys` lists it wherever it is asked.
 *
 * The marketplace always has a key: `load()` creates the first one when the table is empty.
 * Creation happens there, under a transaction-scoped advisory lock with an insert that does
 * nothing on conflict, because `getOrCreateSigningKey` signs with the key it generated once
 * `save` returns: were creation left to `save`, two processes starting at once would each sign
 * with their own key while only one of them is stored and published.
 */
import { sql } from 'kysely';
import type { Db } from '../app/context.ts';
import { generateSigningKey, type SigningKeyStore, type StoredKey } from './signing.ts';

export class DbSigningKeyStore implements SigningKeyStore {
  readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /** Every key, oldest first; the first call on an empty table creates the marketplace's key. */
  async load(): Promise<StoredKey[]> {
    const keys = await this.read();
    if (keys.length > 0) return keys;
    await this.db.transaction(async (trx) => {
      // Serializes first creation across processes sharing one PostgreSQL (held until commit).
      await sql`select pg_advisory_xact_lock(hashtext('vmarket.signing_keys'))`.execute(trx);
      const existing = await trx.selectFrom('signing_keys').select('key_id').limit(1).executeTakeFirst();
      if (existing) return;
      const key = generateSigningKey();
      await trx
        .insertInto('signing_keys')
        .values({ key_id: key.keyId, public_key_pem: key.publicKeyPem, private_key_pem: key.privateKeyPem, created_at: key.createdAt })
        .onConflict((oc) => oc.column('key_id').doNothing())
        .execute();
    });
    return this.read();
  }

  /** Adds a key (a rotation: the newest key signs from then on). An existing key id is kept as is. */
  async save(key: StoredKey): Promise<void> {
    await this.db.kysely
      .insertInto('signing_keys')
      .values({ key_id: key.keyId, public_key_pem: key.publicKeyPem, private_key_pem: key.privateKeyPem, created_at: key.createdAt })
      .onConflict((oc) => oc.column('key_id').doNothing())
      .execute();
  }

  private async read(): Promise<StoredKey[]> {
    const rows = await this.db.kysely
      .selectFrom('signing_keys')
      .select(['key_id', 'public_key_pem', 'private_key_pem', 'created_at'])
      .orderBy('created_at')
      .orderBy('key_id')
      .execute();
    return rows.map((r) => ({
      keyId: r.key_id,
      publicKeyPem: r.public_key_pem,
      privateKeyPem: r.private_key_pem,
      createdAt: new Date(r.created_at).toISOString(),
    }));
  }
}
