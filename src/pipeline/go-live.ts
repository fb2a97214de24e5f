/**
 * The publisher's sign-off ("go live"): the step waiting for publisher review completes, and the
 * operation moves on by the pipeline's one rule (advance.ts) in the same transaction.
 */
import type { AppContext } from '../app/context.ts';
import { VmarketError } from '../errors.ts';
import { say } from '../i18n/localized.ts';
import { advancePast, afterAdvance } from './advance.ts';
import { loadSteps, lockLatestOperation, message, requireOffer, transitionOperation, transitionStep } from './operations.ts';
import { ensurePipelineQueues } from './queues.ts';
import { noLongerWaitingForReview, nothingWaitingForReview, notWaitingForReview, signedOffBy } from './texts.ts';

/**
 * Completes the step that waits for the publisher (`signoff`) and enqueues the step after it.
 * 409 CONFLICT unless the offer's operation waits for publisher review; 404 NOT_FOUND.
 */
export async function goLive(ctx: AppContext, publisherId: string, offerId: string, actor: string): Promise<{ operationId: string }> {
  await requireOffer(ctx, publisherId, offerId);
  await ensurePipelineQueues(ctx.db.boss);
  const result = await ctx.db.transaction(async (trx) => {
    const op = await lockLatestOperation(trx, publisherId, offerId);
    if (!op || op.status !== 'waitingForPublisherReview' || op.cancel_requested) {
      throw new VmarketError(
        'CONFLICT',
        op
          ? say(notWaitingForReview, offerId, op.cancel_requested ? 'being canceled' : op.status)
          : say(nothingWaitingForReview, offerId),
      );
    }
    const waiting = (await loadSteps(trx, op.id)).find((s) => s.status === 'waitingForPublisherReview');
    const moved =
      waiting !== undefined &&
      (await transitionStep(trx, op.id, waiting.step_id, ['waitingForPublisherReview'], 'complete', actor, {
        messages: [message('information', say(signedOffBy, actor))],
      }));
    if (!waiting || !moved) throw new VmarketError('CONFLICT', say(noLongerWaitingForReview, offerId));
    await transitionOperation(trx, op.id, ['waitingForPublisherReview'], 'running', actor, { note: 'go live' });
    const advance = await advancePast(ctx, trx, op.id, waiting.step_id, actor);
    return { operationId: op.id, stepId: waiting.step_id, advance };
  });
  await afterAdvance(ctx, result.operationId, result.advance, result.stepId);
  return { operationId: result.operationId };
}
