/**
 * Appending audit events. The one write path of `audit_events` (nothing updates or deletes it;
 * the table's trigger would refuse). A change's event is appended inside the change's own
 * transaction by `auditedTransaction`, which is `Db.transaction`: if the change rolls back, so
 * does its event, and the request's failure is recorded instead (src/server/audit.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { AuditOutcome } from '../contracts/audit.ts';
import type { Database } from '../db/schema.ts';
import { type AuditScope, currentAuditScope } from './scope.ts';

export interface AuditResult {
  outcome: AuditOutcome;
  /** The HTTP status, when the answer is known. */
  status?: number | null;
  errorCode?: string | null;
}

/** Appends one event for `scope` with `result`. */
export async function appendAuditEvent(db: Kysely<Database>, scope: AuditScope, result: AuditResult): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      id: `ae-${randomUUID()}`,
      actor_kind: scope.actor.kind,
      actor_publisher_id: scope.actor.publisherId,
      token_id: scope.actor.tokenId,
      publisher_id: scope.publisherId,
      method: scope.method,
      route: scope.route,
      target: scope.target,
      outcome: result.outcome,
      status: result.status ?? null,
      error_code: result.errorCode ?? null,
      address: scope.address,
      request_id: scope.requestId,
    })
    .execute();
}

/**
 * Runs `fn` in one transaction; when an audit scope is open and has no event yet, its
 * `succeeded` event is appended as the transaction's last statement, so it commits with the change
 * or not at all.
 */
export async function auditedTransaction<T>(kysely: Kysely<Database>, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  const scope = currentAuditScope();
  if (!scope || scope.recorded || scope.claimed) return kysely.transaction().execute(fn);
  scope.claimed = true;
  try {
    const result = await kysely.transaction().execute(async (trx) => {
      const value = await fn(trx);
      await appendAuditEvent(trx, scope, { outcome: 'succeeded' });
      return value;
    });
    scope.recorded = true;
    return result;
  } finally {
    scope.claimed = false;
  }
}
