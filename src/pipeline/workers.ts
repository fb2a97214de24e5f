/**
 * Starts the pipeline in this process: the step handlers on both queues (each with its own
 * concurrency) and the stuck-step sweeper. `stop()` stops taking new jobs and the sweeper.
 */
import path from 'node:path';
import { reapOrphanedVms } from '../boot/process.ts';
import type { Job } from 'pg-boss';
import type { AppContext } from '../app/context.ts';
import { closeNotifier } from './notify.ts';
import { currentStep, loadSteps } from './operations.ts';
import { CERTIFY_QUEUE, ensurePipelineQueues, PIPELINE_QUEUE, queueFor, registerQueueWorker, unregisterQueueWorkers, wakeQueue } from './queues.ts';
import { runStepJob } from './runner.ts';
import { sweepStaging } from './image-files.ts';
import { sweepStuckSteps } from './sweeper.ts';
import type { StepJobData } from './types.ts';

export interface PipelineWorkers {
  stop(): Promise<void>;
  /** Runs one sweep now (tests, `vmarket` admin tools). */
  sweep(): Promise<Awaited<ReturnType<typeof sweepStuckSteps>>>;
}

/** How often idle workers look for jobs. Steps chain through the queue, so this is per-step latency. */
const POLLING_INTERVAL_SECONDS = 0.5;

/**
 * Registers the step handlers and starts the sweeper (every `config.sweepIntervalSeconds`).
 * In embedded mode it first fails jobs left `active` by a previous process (only one process can
 * open the embedded database, so they are orphans) so they are retried at once.
 */
export async function startPipelineWorkers(ctx: AppContext): Promise<PipelineWorkers> {
  const boss = ctx.db.boss;
  await ensurePipelineQueues(boss);
  if (ctx.db.mode === 'embedded') await recoverOrphanedJobs(ctx);
  // VMs of a worker of this host that died mid-boot (its QEMU died with it: the parent-death signal)
  const reaped = await reapOrphanedVms(path.join(ctx.config.dataDir, 'boot')).catch(() => 0);
  if (reaped > 0) ctx.logger.warn({ reaped }, 'stopped VMs left by a worker that died');

  // Aborted by stop(): running steps stop at their next checkpoint and resume after a restart.
  const shutdown = new AbortController();
  const handler = async (jobs: Job<StepJobData>[]) => {
    for (const job of jobs) {
      await runStepJob(ctx, job, shutdown.signal);
      // More jobs may be ready (other operations): fetch now rather than after a poll interval.
      if (!shutdown.signal.aborted) wakeQueue(boss, job.name);
    }
  };
  // One pg-boss worker per unit of concurrency (instead of localConcurrency) so each has an id
  // `wakeQueue` can notify: a finished job wakes its peers, and a ready job never waits a poll.
  const queues: [string, number][] = [
    [PIPELINE_QUEUE, ctx.config.concurrency.pipeline],
    [CERTIFY_QUEUE, ctx.config.concurrency.certify],
  ];
  for (const [queue, concurrency] of queues) {
    for (let i = 0; i < concurrency; i++) {
      const id = await boss.work<StepJobData>(queue, { pollingIntervalSeconds: POLLING_INTERVAL_SECONDS, batchSize: 1 }, handler);
      registerQueueWorker(boss, queue, id);
    }
  }

  let sweeping: Promise<unknown> | null = null;
  let stopped = false;
  const sweep = async () => {
    const result = await sweepStuckSteps(ctx);
    // a worker that died while an operation ended left its staged copies behind
    const cleaned = await sweepStaging(ctx).catch((err) => {
      ctx.logger.warn({ err }, 'staging sweep failed');
      return [];
    });
    if (cleaned.length > 0) ctx.logger.info({ operations: cleaned }, 'removed the staged images of ended operations');
    return result;
  };
  const timer = setInterval(() => {
    if (sweeping || stopped) return;
    sweeping = sweep()
      .catch((err) => ctx.logger.warn({ err }, 'stuck-step sweep failed'))
      .finally(() => {
        sweeping = null;
      });
  }, ctx.config.sweepIntervalSeconds * 1000);
  timer.unref();

  return {
    sweep,
    async stop() {
      stopped = true;
      clearInterval(timer);
      shutdown.abort(new Error('the pipeline workers are stopping'));
      unregisterQueueWorkers(boss);
      await Promise.allSettled([boss.offWork(PIPELINE_QUEUE, { wait: true }), boss.offWork(CERTIFY_QUEUE, { wait: true })]);
      if (sweeping) await sweeping;
      closeNotifier(ctx);
    },
  };
}

/** Fails the `active` jobs of running operations so pg-boss retries them now (embedded mode only). */
async function recoverOrphanedJobs(ctx: AppContext): Promise<void> {
  const running = await ctx.db.kysely.selectFrom('operations').select('id').where('status', '=', 'running').execute();
  for (const op of running) {
    const step = currentStep(await loadSteps(ctx.db.kysely, op.id));
    if (!step || !ctx.pipeline.find(step.step_id)) continue;
    const queue = queueFor(ctx.pipeline, step.step_id);
    const jobs = await ctx.db.boss.findJobs(queue, { key: op.id });
    const orphans = jobs.filter((j) => j.state === 'active').map((j) => j.id);
    if (orphans.length === 0) continue;
    ctx.logger.info({ operationId: op.id, stepId: step.step_id, jobs: orphans }, 'resuming a step whose worker stopped');
    await ctx.db.boss.fail(queue, orphans, { message: 'the process running this job stopped' });
  }
}

/**
 * Takes exactly one ready job of `queue` (when there is one) and runs it through the workers'
 * handler in this process, settling it as a pg-boss worker would: completed when the handler
 * returns (a step that applied its outcome already completed it in that transaction; completing
 * again changes nothing), failed (so pg-boss retries it) when the handler throws, and the error
 * rethrown. Answers whether a job ran. For processes started with `workers: false` that step a
 * publication through its steps one job at a time (the pipeline tests, admin tools).
 */
export async function runOneStepJob(ctx: AppContext, queue: string, shutdown?: AbortSignal): Promise<boolean> {
  const boss = ctx.db.boss;
  await ensurePipelineQueues(boss);
  const [fetched] = await boss.fetch<StepJobData>(queue, { batchSize: 1 });
  if (!fetched) return false;
  // fetch() hands out no signal (only work() does); this job is never taken away from us.
  const job: Job<StepJobData> = { ...fetched, signal: fetched.signal ?? new AbortController().signal };
  const attempt = { id: job.id, retryCount: job.retryCount };
  try {
    await runStepJob(ctx, job, shutdown);
  } catch (error) {
    await boss.fail(queue, attempt, { message: error instanceof Error ? error.message : String(error) });
    throw error;
  }
  await boss.complete(queue, attempt);
  return true;
}
