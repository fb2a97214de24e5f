/** The operator's overviews (docs/contracts.md §5): publications under way, reviews waiting. */
import { z } from 'zod';
import { reportResultSchema } from './certification.ts';
import { operationStatusSchema, stepIdSchema, stepStatusSchema } from './steps.ts';

/** One entry of `GET /operations`: a publication and the step it is at. */
export const operationSummarySchema = z
  .object({
    id: z.string(),
    publisherId: z.string(),
    offerId: z.string(),
    status: operationStatusSchema,
    createdAt: z.string(),
    createdBy: z.string().describe('`publisher:<id>` or `operator`.'),
    currentStep: z
      .object({
        id: stepIdSchema,
        name: z.string(),
        status: stepStatusSchema,
        stuck: z.boolean(),
        startedAt: z.string().nullable(),
        expectedMaxSeconds: z.number().nullable(),
      })
      .nullable()
      .describe('The first step neither complete nor skipped; null when every step is done.'),
  })
  .meta({ id: 'OperationSummary' });
export type OperationSummary = z.infer<typeof operationSummarySchema>;

/** One entry of `GET /reviews`: a certification waiting for the operator's approval. */
export const pendingReviewSchema = z
  .object({
    publisherId: z.string(),
    offerId: z.string(),
    operationId: z.string(),
    waitingSince: z.string().nullable(),
    result: reportResultSchema.describe('The certification result (a failed one never waits for review).'),
    failed: z.number().describe('Checks failed.'),
    warnings: z.number().describe('Checks with a warning.'),
  })
  .meta({ id: 'PendingReview' });
export type PendingReview = z.infer<typeof pendingReviewSchema>;
