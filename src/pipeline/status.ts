/** The status documents of CONTRACTS.md §5, built from the operation and step rows. */
import type { AppContext } from '../app/context.ts';
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
 * Links stuck steps to their support tickets. It lives with the tickets (src/tickets/stuck.ts),
 * which own every ticket query; exported here too for callers that import it from the status
 * documents' module.
 */
export { attachStuckTickets } from '../tickets/stuck.ts';
