/**
 * The operator's overviews across every publisher: `GET /operations` (the publications under
 * way, each with the step it is at) and `GET /reviews` (certifications waiting for the
 * operator's approval; approve or reject them with `POST …/certification/review`).
 */
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import type { CertificationReport } from '../../certification/types.ts';
import { mergeReports } from '../../pipeline/certification-reports.ts';
import { currentStep, type StepRow } from '../../pipeline/operations.ts';
import type { Pipeline } from '../../pipeline/pipeline.ts';
import { ACTIVE_OPERATION_STATUSES } from '../../pipeline/types.ts';
import { authorizeOperator } from '../auth.ts';
import { API, bearer, errorResponses, iso, type ZodApp } from '../schemas.ts';
import { OPERATION_STATUSES, operationSummarySchema, pendingReviewSchema, type StepStatus } from '../../contracts/index.ts';

/** How many operations one answer holds at most by default. */
const DEFAULT_OPERATIONS_LIMIT = 200;

function summaryStep(pipeline: Pipeline, steps: StepRow[]): z.infer<typeof operationSummarySchema>['currentStep'] {
  const step = currentStep(steps);
  if (!step) return null;
  return {
    id: step.step_id,
    name: pipeline.find(step.step_id)?.name.en ?? step.step_id,
    status: step.status as StepStatus,
    stuck: step.stuck,
    startedAt: iso(step.started_at),
    expectedMaxSeconds: step.expected_max_seconds === null ? null : Number(step.expected_max_seconds),
  };
}

export function operatorRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    `${API}/operations`,
    {
      schema: {
        summary: 'Operator: publications of every publisher, newest first (default: those not finished)',
        description: 'Without `status`: notStarted, running and waitingForPublisherReview. With `status`: only that status.',
        tags: ['operator', 'publishing'],
        security: bearer,
        querystring: z.object({
          status: z.enum(OPERATION_STATUSES).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(DEFAULT_OPERATIONS_LIMIT),
        }),
        response: { 200: z.object({ operations: z.array(operationSummarySchema) }), ...errorResponses },
      },
    },
    async (request) => {
      await authorizeOperator(ctx, request);
      const { status, limit } = request.query;
      const operations = await ctx.db.kysely
        .selectFrom('operations')
        .select(['id', 'publisher_id', 'offer_id', 'status', 'created_at', 'created_by'])
        .where('status', 'in', status ? [status] : [...ACTIVE_OPERATION_STATUSES])
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(limit)
        .execute();
      const steps =
        operations.length === 0
          ? []
          : await ctx.db.kysely
              .selectFrom('operation_steps')
              .selectAll()
              .where('operation_id', 'in', operations.map((o) => o.id))
              .orderBy('operation_id')
              .orderBy('position')
              .execute();
      const byOperation = Map.groupBy(steps, (s) => s.operation_id);
      return {
        operations: operations.map((op) => ({
          id: op.id,
          publisherId: op.publisher_id,
          offerId: op.offer_id,
          status: op.status as (typeof OPERATION_STATUSES)[number],
          createdAt: iso(op.created_at)!,
          createdBy: op.created_by,
          currentStep: summaryStep(ctx.pipeline, byOperation.get(op.id) ?? []),
        })),
      };
    },
  );

  app.get(
    `${API}/reviews`,
    {
      schema: {
        summary: 'Operator: certifications waiting for manual review, oldest first',
        description: 'Approve or reject one with POST /publishers/{pub}/offers/{offer}/certification/review.',
        tags: ['operator', 'publishing'],
        security: bearer,
        response: { 200: z.object({ reviews: z.array(pendingReviewSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      await authorizeOperator(ctx, request);
      const waiting = await ctx.db.kysely
        .selectFrom('operation_steps')
        .innerJoin('operations', 'operations.id', 'operation_steps.operation_id')
        .select(['operations.id as operationId', 'operations.publisher_id as publisherId', 'operations.offer_id as offerId', 'operation_steps.started_at as startedAt'])
        .where('operation_steps.step_id', '=', 'certify')
        .where('operation_steps.status', '=', 'waitingForApproval')
        .where('operations.status', '=', 'running')
        .where('operations.cancel_requested', '=', false)
        .execute();
      if (waiting.length === 0) return { reviews: [] };
      const ids = waiting.map((w) => w.operationId);
      const [reports, transitions] = await Promise.all([
        ctx.db.kysely.selectFrom('certification_reports').select(['operation_id', 'report']).where('operation_id', 'in', ids).orderBy('id').execute(),
        ctx.db.kysely
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
      const reviews = waiting.map((w) => {
        const rows = reportsBy.get(w.operationId) ?? [];
        const merged = rows.length > 0 ? mergeReports(rows.map((r) => r.report as unknown as CertificationReport)) : undefined;
        return {
          publisherId: w.publisherId,
          offerId: w.offerId,
          operationId: w.operationId,
          waitingSince: iso(waitingSince.get(w.operationId) ?? w.startedAt),
          result: merged?.result ?? ('passed' as const),
          failed: merged?.checks.filter((c) => c.status === 'failed').length ?? 0,
          warnings: merged?.checks.filter((c) => c.status === 'warning').length ?? 0,
        };
      });
      reviews.sort((a, b) => (a.waitingSince ?? '').localeCompare(b.waitingSince ?? ''));
      return { reviews };
    },
  );
}
