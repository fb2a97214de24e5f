/**
 * The `system` tickets: one per operation and step that became stuck, opened by the sweeper
 * (src/pipeline/sweeper.ts decides when a step is stuck) and linked from the step in the status
 * documents. A unique index on (operation, step) for system tickets makes "exactly one" hold
 * with many sweepers.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Db, Trx } from '../app/context.ts';
import type { Database } from '../db/schema.ts';
import { localizedFields, say } from '../i18n/localized.ts';
import { type StuckStep, stuckTicketBody, stuckTicketTitle } from './texts.ts';

export type { StuckStep } from './texts.ts';

/**
 * Opens the ticket of a stuck step in the sweeper's transaction (title and body in every
 * language). Answers false when the step already has one (another sweeper won).
 */
export async function openStuckStepTicket(trx: Trx, step: StuckStep & { publisherId: string; stepId: string }): Promise<boolean> {
  const { translations, ...texts } = localizedFields({ title: say(stuckTicketTitle, step), body: say(stuckTicketBody, step) });
  const inserted = await trx
    .insertInto('tickets')
    .values({
      id: `tk-${randomUUID()}`,
      publisher_id: step.publisherId,
      offer_id: step.offerId,
      operation_id: step.operationId,
      step_id: step.stepId,
      source: 'system',
      title: texts.title,
      body: texts.body,
      translations: translations ? JSON.stringify(translations) : null,
      status: 'open',
    })
    .onConflict((oc) => oc.columns(['operation_id', 'step_id']).where('source', '=', 'system').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Fills `ticketId` of the steps that opened a support ticket when they became stuck, so a
 * client can link a stuck step to its conversation. Answers `doc` itself, changed in place.
 * Takes the app's `Db` (routes), or a Kysely instance or transaction (callers written against
 * the former `pipeline/status.ts` signature).
 */
export async function attachStuckTickets<T extends { steps: { id: string; stuck: boolean; ticketId: string | null }[] }>(
  db: Db | Kysely<Database> | Trx,
  operationId: string | null,
  doc: T,
): Promise<T> {
  if (operationId === null || !doc.steps.some((s) => s.stuck)) return doc;
  const q = 'boss' in db ? db.kysely : db;
  const tickets = await q.selectFrom('tickets').select(['id', 'step_id']).where('operation_id', '=', operationId).where('source', '=', 'system').execute();
  const byStep = new Map(tickets.map((t) => [t.step_id, t.id]));
  for (const step of doc.steps) step.ticketId = byStep.get(step.id) ?? null;
  return doc;
}
