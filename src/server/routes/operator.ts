/**
 * The operator's overviews across every publisher: `GET /operations` (the publications under
 * way, each with the step it is at) and `GET /reviews` (certifications waiting for the
 * operator's approval; approve or reject them with `POST …/certification/review`).
 */
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { nextCursorSchema, pageQuerySchema } from '../../contracts/pagination.ts';
import { listOperationSummaries, listPendingReviews } from '../../pipeline/operator-views.ts';
import { authorizeOperator } from '../auth.ts';
import { API, bearer, errorResponses, type ZodApp } from '../schemas.ts';
import { OPERATION_STATUSES, operationSummarySchema, pendingReviewSchema } from '../../contracts/index.ts';

export function operatorRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    `${API}/operations`,
    {
      schema: {
        summary: 'Operator: publications of every publisher, newest first (default: those not finished)',
        description: 'Without `status`: notStarted, running and waitingForPublisherReview. With `status`: only that status.',
        tags: ['operator', 'publishing'],
        security: bearer,
        querystring: pageQuerySchema.extend({ status: z.enum(OPERATION_STATUSES).optional() }),
        response: { 200: z.object({ operations: z.array(operationSummarySchema), nextCursor: nextCursorSchema }), ...errorResponses },
      },
    },
    async (request) => {
      await authorizeOperator(ctx, request);
      const { status, ...pageQuery } = request.query;
      const page = await listOperationSummaries(ctx, status ? { status } : {}, pageQuery);
      return { operations: page.rows, nextCursor: page.nextCursor };
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
