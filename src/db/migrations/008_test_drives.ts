/**
 * Customers' test drives (issue 12, src/test-drives/): one row per VM booted for an offer's test
 * drive, hot instances (booted in advance, no customer yet) included. The VM itself lives in the
 * process named by `owner`; a row whose owner stopped beating is a VM that is gone.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE test_drives (
      id text PRIMARY KEY,
      publisher_id text NOT NULL,
      offer_id text NOT NULL,
      plan_id text NOT NULL,
      region text NOT NULL,
      image_sha256 text NOT NULL,
      status text NOT NULL,
      hot boolean NOT NULL DEFAULT false,
      subscription_id text,
      email text,
      access_token_hash text,
      lead_id text,
      owner text NOT NULL,
      heartbeat_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      expires_at timestamptz,
      ended_at timestamptz,
      end_reason text,
      error text
    )
  `.execute(db);
  await sql`CREATE INDEX test_drives_open ON test_drives (status) WHERE status IN ('starting', 'running')`.execute(db);
  await sql`CREATE INDEX test_drives_customer ON test_drives (subscription_id, started_at DESC)`.execute(db);
}
