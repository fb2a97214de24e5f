/**
 * The OpenPGP key that signs the simplestreams documents (issue 13, `.sjson`): simplestreams
 * clients verify with gpg/gpgv, which cannot use the Ed25519 PEM keys of `signing_keys`. Kept in
 * the database so every process of a scaled-out deployment signs with the same key.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE stream_signing_keys (
      fingerprint text PRIMARY KEY,
      public_key_armored text NOT NULL,
      private_key_armored text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `.execute(db);
}
