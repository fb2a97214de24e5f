/**
 * Pipeline notifications through the notifier (src/notify/): the operation's `notify_emails` by
 * email and the operator's webhooks hear about sign-off waiting, success, failure, cancel,
 * certification waiting for review, and stuck steps. Best effort: never fails a step, the status
 * document stays the source of truth.
 */
import type { AppContext } from '../app/context.ts';
import { Notifier, type NotifyEvent, type NotifyEventType } from '../notify/index.ts';
import { loadOperation, type OperationRow } from './operations.ts';
import { estimatedTimeFrame, stepDefinition } from './steps/definitions.ts';
import { offerLinks } from './status.ts';

export type PipelineEvent = NotifyEventType;

const notifiers = new WeakMap<AppContext, Notifier>();

/** The notifier of this context (one per server, created on first use). */
function notifierOf(ctx: AppContext): Notifier {
  let notifier = notifiers.get(ctx);
  if (!notifier) {
    notifier = new Notifier({ config: ctx.config, env: ctx.env, logger: ctx.logger });
    notifiers.set(ctx, notifier);
  }
  return notifier;
}

/** The event as people read it. */
export function pipelineEvent(ctx: AppContext, op: OperationRow, type: PipelineEvent, stepId?: string, expectedMax?: number | null): NotifyEvent {
  const offer = `${op.publisher_id}.${op.offer_id}`;
  const [storefront] = offerLinks(ctx, op.publisher_id, op.offer_id);
  const status = `${ctx.publicUrl.replace(/\/+$/, '')}/api/v1/publishers/${op.publisher_id}/offers/${op.offer_id}/status`;
  const cancel = (op.artifacts as Record<string, any> | null)?.cancel;
  const stepName = stepId ? stepDefinition(stepId).name : '';
  const messages: Record<PipelineEvent, string> = {
    'operation.waitingForSignoff': `The preview of ${offer} is ready for its preview audience. Check it, then go live (vmarket golive ${op.offer_id}) or cancel.`,
    'operation.succeeded': `${offer} is live.`,
    'operation.failed': `Publishing ${offer} failed${op.error ? `: ${op.error}` : '.'} Fix the offer and publish again.`,
    'operation.canceled': `Publishing ${offer} was canceled${cancel?.actor ? ` by ${cancel.actor}` : ''}.`,
    'certification.waitingForApproval': `The certification of ${offer} passed and waits for an operator's review.`,
    'step.stuck': `The step "${stepName}" of ${offer} is running past its expected maximum${expectedMax ? ` of ${estimatedTimeFrame(expectedMax)}` : ''}; a support ticket was opened.`,
  };
  return {
    type,
    publisher: op.publisher_id,
    offer: op.offer_id,
    operationId: op.id,
    ...(stepId ? { step: stepId } : {}),
    message: messages[type],
    links: { status, ...(type === 'operation.succeeded' || type === 'operation.waitingForSignoff' ? { storefront } : {}) },
  };
}

/** Sends one pipeline event to the operation's recipients and the webhooks; never throws. */
export async function notifyOperation(
  ctx: AppContext,
  operationId: string,
  type: PipelineEvent,
  extra: { stepId?: string; expectedMaxSeconds?: number | null },
): Promise<void> {
  try {
    const op = await loadOperation(ctx.db.kysely, operationId);
    if (!op) return;
    const recipients = Array.isArray(op.notify_emails) ? op.notify_emails : [];
    await notifierOf(ctx).notify(pipelineEvent(ctx, op, type, extra.stepId, extra.expectedMaxSeconds), recipients);
  } catch (error) {
    ctx.logger.warn({ event: type, operationId, err: error }, 'pipeline notification failed');
  }
}

/** Closes the notifier's SMTP pool (when the workers stop). */
export function closeNotifier(ctx: AppContext): void {
  notifiers.get(ctx)?.close();
  notifiers.delete(ctx);
}
