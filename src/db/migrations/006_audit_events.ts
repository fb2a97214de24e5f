/**
 * The audit log (`audit_events`): one row per state-changing request — who (actor kind, the
 * acting publisher, a token fingerprint), what (method, route pattern, target, outcome), when and
 * from which address. Append-only at the database level too: a trigger refuses every UPDATE and
 * DELETE (and TRUNCATE), so no code path, bug or injected statement of the application can rewrite
 * history. Rows hold no request bodies, no contact data and no secrets.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE audit_events (
      id text PRIMARY KEY,
      -- millisecond precision, the precision of a page cursor: pages are ordered by the bare
      -- column, so the indexes below serve them (src/db/pagination.ts, wholeMilliseconds)
      at timestamptz(3) NOT NULL DEFAULT now(),
      actor_kind text NOT NULL CHECK (actor_kind IN ('operator', 'publisher', 'anonymous', 'system')),
      actor_publisher_id text,
      token_id text,
      publisher_id text,
      method text NOT NULL,
      route text NOT NULL,
      target text,
      outcome text NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
      status integer,
      error_code text,
      address text,
      request_id text
    )`.execute(db);
  await sql`CREATE INDEX audit_events_at ON audit_events (at DESC, id)`.execute(db);
  await sql`CREATE INDEX audit_events_publisher_at ON audit_events (publisher_id, at DESC, id)`.execute(db);
  await sql`
    CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
    END
    $$`.execute(db);
  await sql`
    CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`.execute(db);
  await sql`
    CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`.execute(db);
}
