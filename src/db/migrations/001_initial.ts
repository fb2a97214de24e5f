/** The initial schema: the tables of `../schema.ts`. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE publishers (
      id text PRIMARY KEY,
      name text NOT NULL,
      token_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE offers (
      publisher_id text NOT NULL REFERENCES publishers(id),
      id text NOT NULL,
      draft jsonb NOT NULL,
      etag text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      preview jsonb,
      preview_operation_id text,
      live jsonb,
      live_operation_id text,
      live_at timestamptz,
      PRIMARY KEY (publisher_id, id)
    );

    CREATE TABLE offer_live_history (
      id serial PRIMARY KEY,
      publisher_id text NOT NULL,
      offer_id text NOT NULL,
      operation_id text NOT NULL,
      snapshot jsonb NOT NULL,
      went_live_at timestamptz NOT NULL,
      replaced_at timestamptz,
      FOREIGN KEY (publisher_id, offer_id) REFERENCES offers(publisher_id, id)
    );

    CREATE TABLE operations (
      id text PRIMARY KEY,
      publisher_id text NOT NULL,
      offer_id text NOT NULL,
      status text NOT NULL,
      snapshot jsonb NOT NULL,
      snapshot_etag text NOT NULL,
      notify_emails jsonb NOT NULL DEFAULT '[]',
      created_by text NOT NULL,
      cancel_requested boolean NOT NULL DEFAULT false,
      artifacts jsonb NOT NULL DEFAULT '{}',
      error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz,
      FOREIGN KEY (publisher_id, offer_id) REFERENCES offers(publisher_id, id)
    );
    CREATE INDEX operations_offer ON operations (publisher_id, offer_id, created_at DESC);
    -- Only one operation per offer runs at a time: the database enforces it, not a read-then-write.
    CREATE UNIQUE INDEX operations_one_active ON operations (publisher_id, offer_id)
      WHERE status IN ('notStarted', 'running', 'waitingForPublisherReview');

    CREATE TABLE operation_steps (
      operation_id text NOT NULL REFERENCES operations(id),
      step_id text NOT NULL,
      position integer NOT NULL,
      status text NOT NULL,
      progress integer NOT NULL DEFAULT 0,
      expected_max_seconds double precision,
      stuck boolean NOT NULL DEFAULT false,
      messages jsonb NOT NULL DEFAULT '[]',
      checkpoint jsonb NOT NULL DEFAULT '{}',
      attempts integer NOT NULL DEFAULT 0,
      started_at timestamptz,
      completed_at timestamptz,
      PRIMARY KEY (operation_id, step_id)
    );
    CREATE INDEX operation_steps_running ON operation_steps (status) WHERE status = 'inProgress';

    CREATE TABLE transitions (
      id bigserial PRIMARY KEY,
      operation_id text NOT NULL REFERENCES operations(id),
      step_id text,
      from_status text,
      to_status text NOT NULL,
      actor text NOT NULL,
      note text,
      at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX transitions_operation ON transitions (operation_id, id);

    CREATE TABLE certification_reports (
      id serial PRIMARY KEY,
      operation_id text NOT NULL REFERENCES operations(id),
      publisher_id text NOT NULL,
      offer_id text NOT NULL,
      result text NOT NULL,
      report jsonb NOT NULL,
      review_status text,
      reviewer text,
      feedback text,
      created_at timestamptz NOT NULL DEFAULT now(),
      reviewed_at timestamptz
    );
    CREATE INDEX certification_reports_offer ON certification_reports (publisher_id, offer_id, id DESC);

    CREATE TABLE tickets (
      id text PRIMARY KEY,
      publisher_id text NOT NULL REFERENCES publishers(id),
      offer_id text,
      operation_id text,
      step_id text,
      source text NOT NULL,
      title text NOT NULL,
      body text NOT NULL,
      status text NOT NULL DEFAULT 'open',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    -- A stuck step opens exactly one ticket, however many sweepers notice it at once.
    CREATE UNIQUE INDEX tickets_one_per_stuck_step ON tickets (operation_id, step_id) WHERE source = 'system';
    CREATE INDEX tickets_publisher ON tickets (publisher_id, created_at DESC);

    CREATE TABLE leads (
      id text PRIMARY KEY,
      publisher_id text NOT NULL,
      offer_id text NOT NULL,
      plan_id text NOT NULL,
      subscription_id text NOT NULL,
      contact jsonb NOT NULL,
      kind text NOT NULL,
      delivery_status text NOT NULL,
      delivery_attempts integer NOT NULL DEFAULT 0,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz
    );
    CREATE INDEX leads_offer ON leads (publisher_id, offer_id, created_at DESC);

    CREATE TABLE signing_keys (
      key_id text PRIMARY KEY,
      public_key_pem text NOT NULL,
      private_key_pem text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
  `.execute(db);
}
