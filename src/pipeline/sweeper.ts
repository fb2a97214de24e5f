/**
 * The stuck-step sweeper. A step running (or waiting for a certification review) past its
 * expected maximum is flagged `stuck` and opens exactly one support ticket, visible to the
 * publisher and the operator, and its recipients are told. Safe with many workers: the flag is
 * set by a conditional update (only one sweeper wins it) and the tickets table has a unique
 * index per (operation, step) for system tickets. The sweeper decides when a step is stuck; the
 * ticket itself (its texts and row) is the tickets module's (src/tickets/stuck.ts).
 *
 * It also repairs lost jobs: an operation whose current step should be running but has no job
 * queued or active (its retries ran out while the worker kept dying) gets its job back; the step's
 * attempt counter (see the runner) bounds how often.
 */
import { sql } from 'kysely';
import type { AppContext } from '../app/context.ts';
import type { Localized } from '../i18n/localized.ts';
import { openStuckStepTicket } from '../tickets/stuck.ts';
import { notifyOperation } from './notify.ts';
import { currentStep, loadSteps, message } from './operations.ts';
import { enqueueStep, queueFor } from './queues.ts';

const overdueWarning: Localized = {
  en: 'This step is taking longer than its expected maximum; support ticket opened.',
  de: 'Dieser Schritt dauert länger als seine erwartete Höchstdauer; ein Support-Ticket wurde eröffnet.',
};

export interface SweepResult {
  /** Steps newly flagged stuck, as `operationId/stepId`. */
  stuck: string[];
  /** Tickets opened. */
  tickets: number;
  /** Operations whose lost job was enqueued again. */
  requeued: string[];
}

/** One sweep: flags overdue steps, opens their tickets, re-enqueues lost jobs. */
export async function sweepStuckSteps(ctx: AppContext, now: Date = new Date()): Promise<SweepResult> {
  const result: SweepResult = { stuck: [], tickets: 0, requeued: [] };
  const overdue = await ctx.db.kysely
    .selectFrom('operation_steps')
    .innerJoin('operations', 'operations.id', 'operation_steps.operation_id')
    .select([
      'operation_steps.operation_id as operationId',
      'operation_steps.step_id as stepId',
      'operation_steps.started_at as startedAt',
      'operation_steps.expected_max_seconds as max',
      'operations.publisher_id as publisherId',
      'operations.offer_id as offerId',
    ])
    .where('operation_steps.status', 'in', ['inProgress', 'waitingForApproval'])
    .where('operation_steps.stuck', '=', false)
    .where('operation_steps.expected_max_seconds', 'is not', null)
    .where('operation_steps.started_at', 'is not', null)
    .where(sql<boolean>`operation_steps.started_at + make_interval(secs => operation_steps.expected_max_seconds) < ${now}`)
    .execute();

  for (const row of overdue) {
    const name = ctx.pipeline.find(row.stepId)?.name ?? { en: row.stepId, de: row.stepId };
    const opened = await ctx.db.transaction(async (trx) => {
      const flagged = await trx
        .updateTable('operation_steps')
        .set((eb) => ({
          stuck: true,
          messages: sql<string>`${eb.ref('messages')} || ${JSON.stringify([
            message('warning', overdueWarning),
          ])}::jsonb`,
        }))
        .where('operation_id', '=', row.operationId)
        .where('step_id', '=', row.stepId)
        .where('stuck', '=', false)
        .returning('step_id')
        .executeTakeFirst();
      if (!flagged) return false;
      return openStuckStepTicket(trx, {
        publisherId: row.publisherId,
        offerId: row.offerId,
        operationId: row.operationId,
        stepId: row.stepId,
        name: name.en,
        nameDe: name.de,
        startedAt: new Date(row.startedAt!).toISOString(),
        maxSeconds: Number(row.max),
      });
    });
    if (opened) {
      result.stuck.push(`${row.operationId}/${row.stepId}`);
      result.tickets++;
      await notifyOperation(ctx, row.operationId, 'step.stuck', { stepId: row.stepId, expectedMaxSeconds: Number(row.max) });
    }
  }

  result.requeued = await requeueLostJobs(ctx);
  return result;
}

/** Operations that run but whose current step has no live job get one (deduplicated by pg-boss). */
async function requeueLostJobs(ctx: AppContext): Promise<string[]> {
  const running = await ctx.db.kysely
    .selectFrom('operations')
    .select(['id'])
    .where('status', '=', 'running')
    .where('cancel_requested', '=', false)
    .execute();
  const requeued: string[] = [];
  for (const op of running) {
    const step = currentStep(await loadSteps(ctx.db.kysely, op.id));
    if (!step || (step.status !== 'notStarted' && step.status !== 'inProgress') || !ctx.pipeline.find(step.step_id)) continue;
    const stepId = step.step_id;
    const jobs = await ctx.db.boss.findJobs(queueFor(ctx.pipeline, stepId), { key: op.id });
    const live = jobs.some((j) => j.state === 'created' || j.state === 'retry' || j.state === 'active');
    if (live) continue;
    const sent = await ctx.db.transaction((trx) => enqueueStep(ctx, trx, op.id, stepId));
    if (sent) {
      requeued.push(op.id);
      ctx.logger.warn({ operationId: op.id, stepId }, 'pipeline job was lost; enqueued again');
    }
  }
  return requeued;
}
