/**
 * An operator's manual certification review (`certification.manualReview`): a passed report
 * waits (`waitingForApproval`) until the operator approves — the operation then moves on by the
 * pipeline's one rule (advance.ts) — or rejects it with feedback, which blocks the step.
 */
import type { AppContext } from '../app/context.ts';
import { VmarketError } from '../errors.ts';
import { say } from '../i18n/localized.ts';
import { advancePast, afterAdvance, type Advance } from './advance.ts';
import { removeStaging } from './image-files.ts';
import { notifyOperation } from './notify.ts';
import { loadSteps, lockLatestOperation, message, requireOffer, transitionOperation, transitionStep } from './operations.ts';
import { ensurePipelineQueues } from './queues.ts';
import { badDecision, reviewed, reviewNotWaiting } from './texts.ts';

export interface ReviewInput {
  decision: 'approve' | 'reject';
  /** Shown to the publisher; required in spirit for a rejection. */
  feedback?: string;
  actor: string;
}

/**
 * The decision on the step waiting for approval (`certify`): approve completes it and enqueues
 * the step after it; reject blocks it with the feedback and fails the operation. 409 CONFLICT
 * unless a step waits for approval; 404 NOT_FOUND.
 */
export async function reviewCertification(
  ctx: AppContext,
  publisherId: string,
  offerId: string,
  input: ReviewInput,
): Promise<{ operationId: string; decision: 'approve' | 'reject' }> {
  await requireOffer(ctx, publisherId, offerId);
  if (input.decision !== 'approve' && input.decision !== 'reject') {
    throw new VmarketError('BAD_REQUEST', badDecision);
  }
  await ensurePipelineQueues(ctx.db.boss);
  const feedback = (input.feedback ?? '').trim();
  const result = await ctx.db.transaction(async (trx) => {
    const op = await lockLatestOperation(trx, publisherId, offerId);
    const step = op ? (await loadSteps(trx, op.id)).find((s) => s.status === 'waitingForApproval') : undefined;
    if (!op || op.status !== 'running' || op.cancel_requested || !step) {
      throw new VmarketError('CONFLICT', say(reviewNotWaiting, offerId));
    }
    await trx
      .updateTable('certification_reports')
      .set({
        review_status: input.decision === 'approve' ? 'approved' : 'rejected',
        reviewer: input.actor,
        feedback: feedback || null,
        reviewed_at: new Date(),
      })
      .where('operation_id', '=', op.id)
      .execute();
    let advance: Advance | undefined;
    if (input.decision === 'approve') {
      await transitionStep(trx, op.id, step.step_id, ['waitingForApproval'], 'complete', input.actor, {
        messages: [message('information', say(reviewed, true, input.actor, feedback))],
      });
      advance = await advancePast(ctx, trx, op.id, step.step_id, input.actor);
    } else {
      const text = say(reviewed, false, input.actor, feedback);
      await transitionStep(trx, op.id, step.step_id, ['waitingForApproval'], 'blocked', input.actor, { messages: [message('error', text)] });
      await transitionOperation(trx, op.id, ['running'], 'failed', input.actor, { error: text.en });
    }
    return { operationId: op.id, stepId: step.step_id, advance };
  });
  if (result.advance) await afterAdvance(ctx, result.operationId, result.advance, result.stepId);
  else {
    // a rejection ends the operation like any failure: its staged images go
    await removeStaging(ctx, { id: result.operationId }).catch(() => {});
    await notifyOperation(ctx, result.operationId, 'operation.failed', { stepId: result.stepId });
  }
  return { operationId: result.operationId, decision: input.decision };
}
