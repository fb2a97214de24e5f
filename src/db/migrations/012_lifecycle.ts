/**
 * Offer lifecycle (issue 13, src/lifecycle/): what a publisher decided about selling an offer or
 * one of its plans (deprecated from a date, or no longer sold at once), and the versions an
 * operator revoked, with the republish of the previous version the publisher is asked about.
 * Lifecycle rows belong to the offer, not to a version: they outlive new publications.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE offer_lifecycle (
      publisher_id text NOT NULL,
      offer_id text NOT NULL,
      -- '' stands for the whole offer
      plan_id text NOT NULL DEFAULT '',
      -- YYYY-MM-DD (UTC), compared as text
      deprecated_on text,
      deprecation_reason text,
      alternative_plan text,
      stopped_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (publisher_id, offer_id, plan_id)
    )
  `.execute(db);
  await sql`
    CREATE TABLE version_revocations (
      id text PRIMARY KEY,
      publisher_id text NOT NULL,
      offer_id text NOT NULL,
      operation_id text NOT NULL,
      reason text NOT NULL,
      revoked_by text NOT NULL,
      revoked_at timestamptz NOT NULL DEFAULT now(),
      was_live boolean NOT NULL,
      customers_notified integer NOT NULL DEFAULT 0,
      republish_operation_id text,
      republish_status text,
      republish_decided_by text,
      republish_decided_at timestamptz,
      -- why no earlier version is proposed, when none is
      republish_note text,
      UNIQUE (publisher_id, offer_id, operation_id)
    )
  `.execute(db);
}
