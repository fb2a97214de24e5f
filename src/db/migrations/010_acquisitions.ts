/**
 * Entitled downloads (issue 13): one row per acquisition (the version a customer acquired, and
 * the SHA-256 of the access token that reads it back with fresh download links), and the
 * download counters per plan, region and customer (subscription) that publishers read.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE acquisitions (
      id text PRIMARY KEY,
      lead_id text NOT NULL,
      publisher_id text NOT NULL,
      offer_id text NOT NULL,
      plan_id text NOT NULL,
      subscription_id text NOT NULL,
      operation_id text NOT NULL,
      slot text NOT NULL,
      token_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `.execute(db);
  // who acquired a version (lifecycle: revocation notices)
  await sql`CREATE INDEX acquisitions_operation ON acquisitions (operation_id)`.execute(db);
  await sql`
    CREATE TABLE download_counts (
      publisher_id text NOT NULL,
      offer_id text NOT NULL,
      plan_id text NOT NULL,
      region text NOT NULL,
      subscription_id text NOT NULL,
      downloads bigint NOT NULL DEFAULT 0,
      bytes bigint NOT NULL DEFAULT 0,
      last_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (publisher_id, offer_id, plan_id, region, subscription_id)
    )
  `.execute(db);
}
