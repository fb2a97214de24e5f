/**
 * The operator's overviews across every publisher, read from the pipeline's rows: the
 * publications under way with the step each is at (`GET /operations`), and the certifications
 * waiting for the operator's review (`GET /reviews`). Queries and shaping live here so the routes
 * (src/server/routes/operator.ts) only authorise and call.
 */
import type { AppContext, Db } from '../app/context.ts';
import type { CertificationReport } from '../certification/types.ts';
import { mergeReports } from './certification-reports.ts';
import { keysetPage, type Page } from '../db/pagination.ts';
import type { PageQuery } from '../contracts/pagination.ts';
import { iso } from '../util/dates.ts';
import { currentStep, type StepRow } from './operations.ts';
import type { Pipeline } from './pipeline.ts';
import type { OperationSummary, PendingReview } from '../contracts/index.ts';
import { ACTIVE_OPERATION_STATUSES, type OperationStatus } from './types.ts';

function summaryStep(pipeline: Pipeline, steps: StepRow[]): OperationSummary['currentStep'] {
  const step = currentStep(steps);
  if (!step) return null;
  return {
    id: step.step_id,
    name: pipeline.find(step.step_id)?.name.en ?? step.step_id,
    status: step.status,
    stuck: step.stuck,
    startedAt: iso(step.started_at),
    expectedMaxSeconds: step.expected_max_seconds === null ? null : Number(step.expected_max_seconds),
  };
}

/**
 * One page of the operations of every publisher, newest first: those with `status`, or without
 * it the ones not finished (ACTIVE_OPERATION_STATUSES); each with its current step.
 */
export async function listOperationSummaries(
  { db, pipeline }: Pick<AppContext, 'db' | 'pipeline'>,
  options: { status?: OperationStatus },
  page: PageQuery,
): Promise<Page<OperationSummary>> {
  const { rows: operations, nextCursor } = await keysetPage(
    db.kysely
      .selectFrom('operations')
      .select(['id', 'publisher_id', 'offer_id', 'status', 'created_at', 'created_by'])
      .where('status', 'in', options.status ? [options.status] : [...ACTIVE_OPERATION_STATUSES]),
    { at: 'created_at', id: 'id' },
    page,
    (r) => ({ at: r.created_at, id: r.id }),
  );
  const steps =
    operations.length === 0
      ? []
      : await db.kysely
          .selectFrom('operation_steps')
          .selectAll()
          .where('operation_id', 'in', operations.map((o) => o.id))
          .orderBy('operation_id')
          .orderBy('position')
          .execute();
  const byOperation = Map.groupBy(steps, (s) => s.operation_id);
  const rows = operations.map((op) => ({
    id: op.id,
    publisherId: op.publisher_id,
    offerId: op.offer_id,
    status: op.status,
    createdAt: iso(op.created_at)!,
    createdBy: op.created_by,
    currentStep: summaryStep(pipeline, byOperation.get(op.id) ?? []),
  }));
  return { rows, nextCursor };
}

/**
 * Certifications waiting for the operator's approval (running, not being canceled), the longest
 * waiting first, each with its merged report's result and counts.
 */
export async function listPendingReviews(db: Db): Promise<PendingReview[]> {
  const waiting = await db.kysely
    .selectFrom('operation_steps')
    .innerJoin('operations', 'operations.id', 'operation_steps.operation_id')
    .select(['operations.id as operationId', 'operations.publisher_id as publisherId', 'operations.offer_id as offerId', 'operation_steps.started_at as startedAt'])
    .where('operation_steps.step_id', '=', 'certify')
    .where('operation_steps.status', '=', 'waitingForApproval')
    .where('operations.status', '=', 'running')
    .where('operations.cancel_requested', '=', false)
    .execute();
  if (waiting.length === 0) return [];
  const ids = waiting.map((w) => w.operationId);
  const [reports, transitions] = await Promise.all([
    db.kysely.selectFrom('certification_reports').select(['operation_id', 'report']).where('operation_id', 'in', ids).orderBy('id').execute(),
    db.kysely
      .selectFrom('transitions')
      .select(['operation_id', 'at'])
      .where('operation_id', 'in', ids)
      .where('step_id', '=', 'certify')
      .where('to_status', '=', 'waitingForApproval')
      .orderBy('id')
      .execute(),
  ]);
  const reportsBy = Map.groupBy(reports, (r) => r.operation_id);
  // the last time the step started waiting (the step's start is the certification's start)
  const waitingSince = new Map(transitions.map((t) => [t.operation_id, t.at]));
  const reviews = waiting.map((w): PendingReview => {
    const rows = reportsBy.get(w.operationId) ?? [];
    const merged = rows.length > 0 ? mergeReports(rows.map((r) => r.report as unknown as CertificationReport)) : undefined;
    return {
      publisherId: w.publisherId,
      offerId: w.offerId,
      operationId: w.operationId,
      waitingSince: iso(waitingSince.get(w.operationId) ?? w.startedAt),
      result: merged?.result ?? 'passed',
      failed: merged?.checks.filter((c) => c.status === 'failed').length ?? 0,
      warnings: merged?.checks.filter((c) => c.status === 'warning').length ?? 0,
    };
  });
  reviews.sort((a, b) => (a.waitingSince ?? '').localeCompare(b.waitingSince ?? ''));
  return reviews;
}

/** Operations per status, for the `vmarket_operations` gauge (src/server/metrics.ts). */
export async function countOperationsByStatus(db: Db): Promise<Map<string, number>> {
  const rows = await db.kysely.selectFrom('operations').select((eb) => ['status', eb.fn.countAll<string>().as('n')]).groupBy('status').execute();
  return new Map(rows.map((r) => [r.status, Number(r.n)]));
}
