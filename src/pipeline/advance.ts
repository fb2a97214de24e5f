/**
 * The one rule that moves an operation on: when a step is done — completed or skipped by its
 * job, signed off by the publisher, approved by an operator — the next step of the pipeline is
 * enqueued in the same transaction, or, after the last step, the operation succeeds. Nothing
 * else decides which step follows which.
 */
import type { AppContext, Trx } from '../app/context.ts';
import { removeStaging } from './image-files.ts';
import { notifyOperation } from './notify.ts';
import { transitionOperation } from './operations.ts';
import { enqueueStep, queueFor, wakeQueue } from './queues.ts';
import type { StepId } from './steps/context.ts';

/** What `advancePast` did: enqueued the next step (on `queue`), or ended the operation. */
export type Advance = { kind: 'next'; stepId: StepId; queue: string } | { kind: 'succeeded' };

/** Inside the transaction that finished `stepId`: enqueues the next step, or marks the operation succeeded. */
export async function advancePast(ctx: AppContext, trx: Trx, operationId: string, stepId: StepId, actor: string): Promise<Advance> {
  const next = ctx.pipeline.next(stepId);
  if (next) {
    await enqueueStep(ctx, trx, operationId, next.id);
    return { kind: 'next', stepId: next.id, queue: queueFor(ctx.pipeline, next.id) };
  }
  await transitionOperation(trx, operationId, ['running'], 'succeeded', actor);
  return { kind: 'succeeded' };
}

/**
 * After that transaction committed: wakes this process's workers of the next step's queue, or,
 * when the operation succeeded, removes its staged image copies and tells its recipients.
 */
export async function afterAdvance(ctx: AppContext, operationId: string, advance: Advance, stepId: StepId): Promise<void> {
  if (advance.kind === 'next') {
    wakeQueue(ctx.db.boss, advance.queue);
    return;
  }
  await removeStaging(ctx, { id: operationId }).catch(() => {});
  await notifyOperation(ctx, operationId, 'operation.succeeded', { stepId });
}
