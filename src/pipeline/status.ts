/** The status documents of CONTRACTS.md §5, built from the operation and step rows. */
import type { Kysely } from 'kysely';
import type { AppContext, Trx } from '../app/context.ts';
import type { Database } from '../db/schema.ts';
import { estimatedTimeFrame, expectedMaxSeconds, STEPS, stepDefinition, type StepId } from './steps/definitions.ts';
import { iso, type StepRow } from './operations.ts';
import type { StepMessage, StepStatus, StepStatusView } from './types.ts';

export function stepView(row: StepRow): StepStatusView {
  const def = stepDefinition(row.step_id);
  const max = row.expected_max_seconds === null ? null : Number(row.expected_max_seconds);
  return {
    id: def.id,
    name: def.name,
    nameDe: def.nameDe,
    description: def.description,
    status: row.status as StepStatus,
    progressPercentage: row.progress,
    estimatedTimeFrame: estimatedTimeFrame(max),
    expectedMaxSeconds: max,
    startedAt: iso(row.started_at),
    completedAt: iso(row.completed_at),
    stuck: row.stuck,
    ticketId: null,
    messages: (row.messages ?? []) as StepMessage[],
  };
}

/** The step table of an offer never published: every step not started, with its expected maximum. */
export function emptyStepViews(ctx: AppContext): StepStatusView[] {
  return STEPS.map((def) => {
    const max = expectedMaxSeconds(ctx.config, def.id as StepId);
    return {
      id: def.id,
      name: def.name,
      nameDe: def.nameDe,
      description: def.description,
      status: 'notStarted' as const,
      progressPercentage: 0,
      estimatedTimeFrame: estimatedTimeFrame(max),
      expectedMaxSeconds: max,
      startedAt: null,
      completedAt: null,
      stuck: false,
      ticketId: null,
      messages: [],
    };
  });
}

/** `[storefront URL, API URL]` of an offer, e.g. `${publicUrl}/offers/contoso.ubuntu`. */
export function offerLinks(ctx: AppContext, publisherId: string, offerId: string): string[] {
  const base = ctx.publicUrl.replace(/\/+$/, '');
  const key = `${encodeURIComponent(publisherId)}.${encodeURIComponent(offerId)}`;
  return [`${base}/offers/${key}`, `${base}/api/v1/catalog/offers/${key}`];
}

/**
 * Fills `ticketId` of the steps that opened a support ticket when they became stuck (the
 * sweeper's `system` tickets, one per operation and step), so a client can link a stuck step to
 * its conversation. Answers `doc` itself, changed in place.
 */
export async function attachStuckTickets<T extends { steps: StepStatusView[] }>(db: Kysely<Database> | Trx, operationId: string | null, doc: T): Promise<T> {
  if (operationId === null || !doc.steps.some((s) => s.stuck)) return doc;
  const tickets = await db
    .selectFrom('tickets')
    .select(['id', 'step_id'])
    .where('operation_id', '=', operationId)
    .where('source', '=', 'system')
    .execute();
  const byStep = new Map(tickets.map((t) => [t.step_id, t.id]));
  for (const step of doc.steps) step.ticketId = byStep.get(step.id) ?? null;
  return doc;
}
