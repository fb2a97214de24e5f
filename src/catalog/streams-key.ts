/**
 * The OpenPGP key of the simplestreams mirror (issue 13): simplestreams clients (sstream-query,
 * glance-simplestreams-sync, MAAS, LXD) check `.sjson` files with gpg/gpgv against a keyring, so
 * the Ed25519 PEM keys of `/catalog/keys` cannot serve. One key per marketplace, in the
 * `stream_signing_keys` table (migration 013) so every process of a scaled-out deployment signs
 * with it; made on first use under a transaction-scoped advisory lock, as src/catalog/key-store.ts
 * makes the package key, so two processes starting at once cannot each sign with their own.
 *
 * Signatures are deterministic: EdDSA is, the random salt notation OpenPGP.js adds by default is
 * turned off, and the signature time is the document's own `updated` time. Every process then
 * serves byte-identical `.sjson` files for the same catalogue, so their ETags agree across a
 * load balancer and a mirror does not download an unchanged index again.
 */
import { sql } from 'kysely';
import * as openpgp from 'openpgp';
import type { Db } from '../app/context.ts';
import { VmarketError } from '../errors.ts';

/** The user id the key is made with (gpgv prints it: `Good signature from "…"`). */
export const STREAM_KEY_USER_ID = 'vmarket simplestreams signing key';

export interface StreamSigningKey {
  /** OpenPGP v4 fingerprint, 40 lower-case hex digits. */
  fingerprint: string;
  /** The public key, ASCII-armored (what `/streams/v1/signing-key.asc` serves). */
  publicKeyArmored: string;
  createdAt: Date;
  /** The parsed private key, ready to sign. */
  privateKey: openpgp.PrivateKey;
}

// parsed once per database: reading an armored key costs more than a signature
const loaded = new WeakMap<Db, Promise<StreamSigningKey>>();

/** The marketplace's simplestreams key, made and stored on first use. */
export function streamSigningKey(db: Db): Promise<StreamSigningKey> {
  let key = loaded.get(db);
  if (!key) {
    key = loadOrCreate(db);
    // a failed read (database down) is tried again by the next request, not remembered
    key.catch(() => loaded.delete(db));
    loaded.set(db, key);
  }
  return key;
}

async function readKey(db: Db) {
  return db.kysely
    .selectFrom('stream_signing_keys')
    .select(['fingerprint', 'public_key_armored', 'private_key_armored', 'created_at'])
    .orderBy('created_at')
    .orderBy('fingerprint')
    .limit(1)
    .executeTakeFirst();
}

async function loadOrCreate(db: Db): Promise<StreamSigningKey> {
  let row = await readKey(db);
  if (!row) {
    await db.transaction(async (trx) => {
      // serializes first creation across processes sharing one PostgreSQL (held until commit)
      await sql`select pg_advisory_xact_lock(hashtext('vmarket.stream_signing_keys'))`.execute(trx);
      const existing = await trx.selectFrom('stream_signing_keys').select('fingerprint').limit(1).executeTakeFirst();
      if (existing) return;
      // a signing key only: nothing is ever encrypted to it, so no encryption subkey
      const made = await openpgp.generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: STREAM_KEY_USER_ID }], subkeys: [], format: 'object' });
      await trx
        .insertInto('stream_signing_keys')
        .values({
          fingerprint: made.privateKey.getFingerprint(),
          public_key_armored: made.publicKey.armor(),
          private_key_armored: made.privateKey.armor(),
          created_at: made.privateKey.getCreationTime(),
        })
        .onConflict((oc) => oc.column('fingerprint').doNothing())
        .execute();
    });
    row = await readKey(db);
  }
  if (!row) throw new VmarketError('INTERNAL', 'The simplestreams signing key could not be stored.');
  return {
    fingerprint: row.fingerprint,
    publicKeyArmored: row.public_key_armored,
    createdAt: new Date(row.created_at),
    privateKey: await openpgp.readPrivateKey({ armoredKey: row.private_key_armored }),
  };
}

/**
 * `text` as an OpenPGP cleartext-signed message (RFC 4880 §7), what simplestreams calls `.sjson`.
 * Signed at `at` (never before the key was made: a signature older than its key does not verify).
 */
export async function clearsign(text: string, key: StreamSigningKey, at: Date): Promise<string> {
  const date = new Date(Math.max(at.getTime(), key.createdAt.getTime()));
  const message = await openpgp.createCleartextMessage({ text });
  return openpgp.sign({ message, signingKeys: key.privateKey, date, format: 'armored', config: { nonDeterministicSignaturesViaNotation: false } });
}
