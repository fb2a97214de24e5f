/**
 * Runs one step of one operation per job. The flow:
 *   1. In a transaction: lock the operation; start the step (notStarted → inProgress), or resume
 *      it when a previous worker died mid-step (inProgress stays, attempts + 1); anything else
 *      (done, waiting for a person, canceled) means this job has nothing to do.
 *   2. Outside any transaction: the step's idempotent work, with progress, messages and a
 *      persisted checkpoint; a cancel request aborts it at the next checkpoint.
 *   3. In a transaction: apply the outcome — complete (and enqueue the next step in the same
 *      transaction), skipped, blocked (operation failed), or waiting for a person.
 * Errors that are not the publisher's (storage, network) are retried by pg-boss with back-off;
 * on the last attempt the step is blocked with the error as its message.
 */
import { fromKysely, type Job } from 'pg-boss';
import type { AppContext } from '../app/context.ts';
import { errorText, isRetryable, isVmarketError, VmarketError } from '../errors.ts';
import { type Localized, type Phrase, say } from '../i18n/localized.ts';
import { advancePast, afterAdvance, type Advance } from './advance.ts';
import { finalizeCancel } from './cancel.ts';
import { removeStaging } from './image-files.ts';
import { notifyOperation } from './notify.ts';
import type { OfferSnapshot } from './offer-snapshot.ts';
import {
  appendMessages,
  loadOperation,
  loadStep,
  lockOperation,
  message,
  setArtifact,
  transitionOperation,
  transitionStep,
  type OperationRow,
  type StepRow,
} from './operations.ts';
import { RETRY_LIMIT } from './queues.ts';
import type { StepContext, StepId, StepOutcome } from './steps/context.ts';
import type { MessageLevel, StepJobData } from './types.ts';

/** A step started this many times without finishing (workers dying on it) is blocked. */
export const MAX_STEP_ATTEMPTS = 6;
const SYSTEM = 'system';
const PROGRESS_WRITE_INTERVAL_MS = 500;
const CANCEL_POLL_MS = 1000;

const neverFinished: Phrase<[number]> = {
  en: (attempts) => `The step was started ${attempts} times and never finished (its worker stopped each time); publish again to retry.`,
  de: (attempts) =>
    `Der Schritt wurde ${attempts}-mal gestartet und nie beendet (sein Worker hielt jedes Mal an); veröffentlichen Sie erneut, um es noch einmal zu versuchen.`,
};
const attemptFailed: Phrase<[number, Localized]> = {
  en: (attempt, why) => `Attempt ${attempt} failed (${why.en}); retrying.`,
  de: (attempt, why) => `Versuch ${attempt} fehlgeschlagen (${why.de}); neuer Versuch folgt.`,
};
const resumed: Phrase<[number]> = {
  en: (attempt) => `Resumed after an interruption (attempt ${attempt}); work already done is kept.`,
  de: (attempt) => `Nach einer Unterbrechung fortgesetzt (Versuch ${attempt}); bereits erledigte Arbeit bleibt erhalten.`,
};

type Start = { kind: 'run'; op: OperationRow; step: StepRow } | { kind: 'cancel' } | { kind: 'nothing' } | { kind: 'exhausted'; attempts: number };

/** The pg-boss handler body for one job. Throwing makes pg-boss retry the job. */
export async function runStepJob(ctx: AppContext, job: Job<StepJobData>, shutdown?: AbortSignal): Promise<void> {
  const { operationId, stepId } = job.data;
  const start = await beginStep(ctx, operationId, stepId);
  if (start.kind === 'nothing') return;
  if (start.kind === 'cancel') {
    await finalizeCancel(ctx, operationId);
    return;
  }
  if (start.kind === 'exhausted') {
    await applyOutcome(ctx, operationId, stepId, {
      status: 'blocked',
      error: `The ${stepId} step was interrupted ${start.attempts} times without finishing.`,
      messages: [message('error', say(neverFinished, start.attempts))],
    }, job);
    return;
  }

  const cancelController = new AbortController();
  // The job's own signal (pg-boss took it away) and the process shutting down both stop the work
  // without ending the step: the job is retried and the step resumes from its checkpoint.
  const interrupted = shutdown ? AbortSignal.any([job.signal, shutdown]) : job.signal;
  const signal = AbortSignal.any([cancelController.signal, interrupted]);
  const stepCtx = createStepContext(ctx, start.op, start.step, signal, cancelController);
  const poll = setInterval(() => {
    loadOperation(ctx.db.kysely, operationId)
      .then((op) => {
        if (op?.cancel_requested) cancelController.abort(new VmarketError('CANCELED', 'the operation was canceled'));
      })
      .catch(() => {});
  }, CANCEL_POLL_MS);
  poll.unref();

  let outcome: StepOutcome;
  try {
    outcome = await ctx.pipeline.get(stepId).run(stepCtx);
    await stepCtx.flush();
  } catch (error) {
    clearInterval(poll);
    await stepCtx.flush().catch(() => {});
    if (cancelController.signal.aborted || (isVmarketError(error) && error.code === 'CANCELED' && !interrupted.aborted)) {
      await finalizeCancel(ctx, operationId);
      return;
    }
    if (interrupted.aborted) throw error; // expired or shutting down: the job is redelivered and resumes
    const text = describeError(error);
    if (job.retryCount >= RETRY_LIMIT || isPermanent(error)) {
      ctx.logger.warn({ operationId, stepId, err: error }, 'pipeline step failed');
      await applyOutcome(ctx, operationId, stepId, { status: 'blocked', error: text.en, messages: [message('error', text)] }, job);
      return;
    }
    await appendMessages(ctx.db.kysely, operationId, stepId, [
      message('warning', say(attemptFailed, job.retryCount + 1, text)),
    ]);
    throw error;
  }
  clearInterval(poll);
  await applyOutcome(ctx, operationId, stepId, outcome, job);
}

/**
 * Errors that a retry cannot fix (the input or the configuration is wrong), so the step blocks
 * at once: the error table's `retryable: false` codes (src/errors.ts). Anything else, a
 * library's or the network's error included, gets the queue's retries.
 */
function isPermanent(error: unknown): boolean {
  return !isRetryable(error);
}

/** The error as one sentence in every language, ending with a full stop. */
function describeError(error: unknown): Localized {
  const { en, de } = errorText(error);
  const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);
  return { en: sentence(en), de: sentence(de) };
}

async function beginStep(ctx: AppContext, operationId: string, stepId: StepId): Promise<Start> {
  return ctx.db.transaction(async (trx): Promise<Start> => {
    const op = await lockOperation(trx, operationId);
    if (!op || op.status !== 'running') return { kind: 'nothing' };
    const step = await loadStep(trx, operationId, stepId);
    if (!step || (step.status !== 'notStarted' && step.status !== 'inProgress')) return { kind: 'nothing' };
    if (op.cancel_requested) return { kind: 'cancel' };
    if (step.attempts >= MAX_STEP_ATTEMPTS) return { kind: 'exhausted', attempts: step.attempts };
    await trx
      .updateTable('operation_steps')
      .set({ attempts: step.attempts + 1 })
      .where('operation_id', '=', operationId)
      .where('step_id', '=', stepId)
      .execute();
    if (step.status === 'notStarted') {
      await transitionStep(trx, operationId, stepId, ['notStarted'], 'inProgress', SYSTEM);
    } else {
      await appendMessages(trx, operationId, stepId, [
        message('information', say(resumed, step.attempts + 1)),
      ]);
    }
    const fresh = (await loadStep(trx, operationId, stepId))!;
    return { kind: 'run', op, step: fresh };
  });
}

interface RunnerStepContext extends StepContext {
  /** Writes a throttled progress value still pending. */
  flush(): Promise<void>;
}

function createStepContext(
  ctx: AppContext,
  op: OperationRow,
  step: StepRow,
  signal: AbortSignal,
  cancelController: AbortController,
): RunnerStepContext {
  const operationId = op.id;
  const stepId = step.step_id;
  let checkpoint: Record<string, unknown> = { ...(step.checkpoint ?? {}) };
  let lastWrite = 0;
  let pending: number | null = null;
  let pendingTimer: NodeJS.Timeout | undefined;
  let written = step.progress;

  const writeProgress = async (percent: number) => {
    pending = null;
    lastWrite = Date.now();
    if (percent === written) return;
    written = percent;
    await ctx.db.kysely
      .updateTable('operation_steps')
      .set({ progress: percent })
      .where('operation_id', '=', operationId)
      .where('step_id', '=', stepId)
      .where('status', '=', 'inProgress')
      .execute();
  };

  const stepCtx: RunnerStepContext = {
    ctx,
    operation: op,
    offer: op.snapshot as unknown as OfferSnapshot,
    step,
    artifacts: (op.artifacts ?? {}) as Record<string, any>,
    signal,
    attempt: step.attempts,
    async progress(percent: number, text?: string | Localized) {
      const value = Math.max(0, Math.min(99, Math.round(percent)));
      if (text) await appendMessages(ctx.db.kysely, operationId, stepId, [message('information', text)]);
      if (Date.now() - lastWrite >= PROGRESS_WRITE_INTERVAL_MS) await writeProgress(value);
      else {
        pending = value;
        // The last value of a burst is written when the interval has passed, not only at the next
        // call: a step may report 70% and then wait a long time on work that reports nothing.
        pendingTimer ??= setTimeout(() => {
          pendingTimer = undefined;
          if (pending !== null) writeProgress(pending).catch(() => {});
        }, Math.max(0, PROGRESS_WRITE_INTERVAL_MS - (Date.now() - lastWrite)));
        pendingTimer.unref();
      }
    },
    async message(level: MessageLevel, text: string | Localized) {
      await appendMessages(ctx.db.kysely, operationId, stepId, [message(level, text)]);
    },
    checkpoint: {
      get<T extends object>() {
        return structuredClone(checkpoint) as T;
      },
      async set(value: object) {
        checkpoint = { ...(value as Record<string, unknown>) };
        await ctx.db.kysely
          .updateTable('operation_steps')
          .set({ checkpoint: JSON.stringify(checkpoint) })
          .where('operation_id', '=', operationId)
          .where('step_id', '=', stepId)
          .execute();
      },
    },
    async throwIfCanceled() {
      if (cancelController.signal.aborted) throw new VmarketError('CANCELED', 'the operation was canceled');
      const row = await loadOperation(ctx.db.kysely, operationId);
      if (!row || row.cancel_requested) {
        cancelController.abort(new VmarketError('CANCELED', 'the operation was canceled'));
        throw new VmarketError('CANCELED', 'the operation was canceled');
      }
      if (signal.aborted) throw signal.reason ?? new VmarketError('CANCELED', 'the job was stopped');
    },
    async flush() {
      clearTimeout(pendingTimer);
      pendingTimer = undefined;
      if (pending !== null) await writeProgress(pending);
    },
  };
  return stepCtx;
}

/**
 * Applies a step's outcome in one transaction (with the operation row locked). A cancel request
 * that arrived meanwhile wins: the step is canceled instead, so `live` never applies after a
 * cancel was accepted.
 */
export async function applyOutcome(
  ctx: AppContext,
  operationId: string,
  stepId: StepId,
  outcome: StepOutcome,
  job?: Pick<Job<StepJobData>, 'id' | 'name' | 'retryCount'>,
): Promise<void> {
  type After = 'gone' | 'cancel' | 'failed' | 'waitingForPublisherReview' | 'waitingForApproval' | Advance;
  const after = await ctx.db.transaction(async (trx): Promise<After> => {
    const op = await lockOperation(trx, operationId);
    if (!op || op.status !== 'running') return 'gone';
    if (op.cancel_requested) return 'cancel';
    // The job is settled with the step's outcome in one transaction: there is no moment where
    // the step is done but its job still looks active (pg-boss then finds nothing to complete).
    if (job) await ctx.db.boss.complete(job.name, { id: job.id, retryCount: job.retryCount }, null, { db: fromKysely(trx) });
    const messages = outcome.messages ?? [];
    switch (outcome.status) {
      case 'complete':
      case 'skipped': {
        if (!(await transitionStep(trx, operationId, stepId, ['inProgress'], outcome.status, SYSTEM, { messages }))) return 'gone';
        if (outcome.artifacts !== undefined) await setArtifact(trx, operationId, stepId, outcome.artifacts);
        await outcome.apply?.(trx);
        return advancePast(ctx, trx, operationId, stepId, SYSTEM);
      }
      case 'blocked': {
        if (!(await transitionStep(trx, operationId, stepId, ['inProgress', 'waitingForApproval'], 'blocked', SYSTEM, { messages }))) {
          return 'gone';
        }
        await outcome.apply?.(trx);
        await transitionOperation(trx, operationId, ['running', 'waitingForPublisherReview'], 'failed', SYSTEM, { error: outcome.error });
        return 'failed';
      }
      case 'waitingForApproval':
      case 'waitingForPublisherReview': {
        if (!(await transitionStep(trx, operationId, stepId, ['inProgress'], outcome.status, SYSTEM, { messages }))) return 'gone';
        if (outcome.artifacts !== undefined) await setArtifact(trx, operationId, stepId, outcome.artifacts);
        await outcome.apply?.(trx);
        if (outcome.status === 'waitingForPublisherReview') {
          await transitionOperation(trx, operationId, ['running'], 'waitingForPublisherReview', SYSTEM);
        }
        return outcome.status;
      }
    }
  });
  switch (after) {
    case 'gone':
      return;
    case 'cancel':
      await finalizeCancel(ctx, operationId);
      return;
    case 'failed':
      await removeStaging(ctx, { id: operationId }).catch(() => {});
      await notifyOperation(ctx, operationId, 'operation.failed', { stepId });
      return;
    case 'waitingForPublisherReview':
      await notifyOperation(ctx, operationId, 'operation.waitingForSignoff', { stepId });
      return;
    case 'waitingForApproval':
      await notifyOperation(ctx, operationId, 'certification.waitingForApproval', { stepId });
      return;
    default:
      await afterAdvance(ctx, operationId, after, stepId);
  }
}
