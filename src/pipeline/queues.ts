/**
 * The pipeline's pg-boss queues and job options.
 *
 * Two queues: `pipeline.step` (I/O-bound steps) and `certify` (CPU-bound), each with its own
 * concurrency (config.concurrency). Both use pg-boss's `stately` policy with the operation id as
 * singleton key: at most one job per operation is active on a queue at a time (a redelivered job
 * can never run beside the one it replaces) and at most one is queued (enqueueing the same next
 * step twice is a no-op, `send` answers null).
 *
 * Dead workers: jobs send heartbeats (pg-boss refreshes them while the handler runs); a job whose
 * process died stops beating and pg-boss's monitor fails it, and it is retried. The embedded
 * database has a single process, so at start every job still `active` is an orphan of a previous
 * process and is failed at once (see `recoverOrphanedJobs`), so a restarted server resumes in
 * seconds instead of waiting for the monitor.
 */
import type { PgBoss, SendOptions } from 'pg-boss';
import type { AppContext, Trx } from '../app/context.ts';
import { ensureStepRow } from './operations.ts';
import type { Pipeline } from './pipeline.ts';
import type { StepId } from './steps/context.ts';
import type { StepJobData } from './types.ts';

export const PIPELINE_QUEUE = 'pipeline.step';
export const CERTIFY_QUEUE = 'certify';
export const PIPELINE_QUEUES = [PIPELINE_QUEUE, CERTIFY_QUEUE] as const;

/** Retries of a failing step job before the step is blocked (pg-boss `retryLimit`). */
export const RETRY_LIMIT = 3;

/** Queue options shared by both queues. */
export const QUEUE_OPTIONS = {
  policy: 'stately' as const,
  retryLimit: RETRY_LIMIT,
  retryDelay: 2,
  retryBackoff: true,
  retryDelayMax: 120,
  // pg-boss caps expiry at 24 h; a longer step (a slow region) is redelivered and resumes from its
  // checkpoint, and the heartbeat is what catches dead workers quickly.
  expireInSeconds: 24 * 60 * 60,
  heartbeatSeconds: 30,
  deleteAfterSeconds: 7 * 24 * 60 * 60,
};

export function queueFor(pipeline: Pipeline, stepId: StepId): string {
  return pipeline.get(stepId).queue === 'certify' ? CERTIFY_QUEUE : PIPELINE_QUEUE;
}

const ensured = new WeakSet<PgBoss>();

/** Creates the pipeline queues once per pg-boss instance (idempotent in the database too). */
export async function ensurePipelineQueues(boss: PgBoss): Promise<void> {
  if (ensured.has(boss)) return;
  for (const name of PIPELINE_QUEUES) {
    const existing = await boss.getQueue(name);
    if (!existing) {
      try {
        await boss.createQueue(name, QUEUE_OPTIONS);
      } catch (error) {
        // Another process created it between our look and our create.
        if (!(await boss.getQueue(name))) throw error;
      }
    }
  }
  ensured.add(boss);
}

const workerIds = new WeakMap<PgBoss, Map<string, string[]>>();

/** Remembers a worker of a queue in this process, so `wakeQueue` can reach it. */
export function registerQueueWorker(boss: PgBoss, queue: string, workerId: string): void {
  const map = workerIds.get(boss) ?? new Map<string, string[]>();
  map.set(queue, [...(map.get(queue) ?? []), workerId]);
  workerIds.set(boss, map);
}

export function unregisterQueueWorkers(boss: PgBoss): void {
  workerIds.delete(boss);
}

/**
 * Wakes this process's workers of `queue` (if they run here) so a job just committed starts now
 * instead of at the next poll: steps chain without the polling interval between them. A busy
 * worker fetches again as soon as it is done instead of sleeping first.
 */
export function wakeQueue(boss: PgBoss, queue: string): void {
  for (const id of workerIds.get(boss)?.get(queue) ?? []) boss.notifyWorker(id);
}

/**
 * Enqueues one step of one operation inside `trx` (commits or rolls back with it), giving the
 * operation the step's row first if it started before the step existed.
 */
export async function enqueueStep(ctx: AppContext, trx: Trx, operationId: string, stepId: StepId): Promise<string | null> {
  await ensureStepRow(trx, ctx.pipeline, ctx.config, operationId, stepId);
  const data: StepJobData = { operationId, stepId };
  const options: SendOptions = { singletonKey: operationId };
  return ctx.db.enqueue(trx, queueFor(ctx.pipeline, stepId), data, options);
}
