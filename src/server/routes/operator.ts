/**
 * The operator's overviews across every publisher: `GET /operations` (the publications under
 * way, each with the step it is at) and `GET /reviews` (certifications waiting for the
 * operator's approval; approve or reject them with `POST …/certification/review`).
 */
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { listOperationSummaries, listPendingReviews } from '../../pipeline/operator-views.ts';
import { authorizeOperator } from '../auth.ts';
import { API, bearer, errorResponses, type ZodApp } from '../schemas.ts';
import { OPERATION_STATUSES, operationSummarySchema, pendingReviewSchema } from '../../contracts/index.ts';

/** How many operations one answer holds at most by default. */
const DEFAULT_OPERATIONS_LIMIT = 200;

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
      return { operations: await listOperationSummaries(ctx, { ...(status ? { status } : {}), limit }) };
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
      return { reviews: await listPendingReviews(ctx.db) };
    },
  );
}
