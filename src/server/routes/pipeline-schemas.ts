/**
 * Response schemas of the pipeline's documents (CONTRACTS §5): the status document, an
 * operation, a certification report. Loose objects: the fields the contract names are described
 * and checked, and anything the pipeline adds (e.g. `nameDe`) passes through unchanged.
 */
import { z } from 'zod';

export const STEP_STATUSES = [
  'notStarted',
  'inProgress',
  'waitingForPublisherReview',
  'waitingForApproval',
  'blocked',
  'complete',
  'skipped',
  'canceled',
] as const;

export const OPERATION_STATUSES = ['notStarted', 'running', 'waitingForPublisherReview', 'succeeded', 'failed', 'canceled'] as const;

export const stepMessageSchema = z.object({
  level: z.enum(['information', 'warning', 'error']),
  text: z.string(),
  at: z.string(),
});

export const stepSchema = z
  .looseObject({
    id: z.string().describe('The step id: validate, test-drive, certify, provision, package, signoff, deploy, live (docs/contracts.md §4).'),
    name: z.string(),
    description: z.string(),
    status: z.enum(STEP_STATUSES),
    progressPercentage: z.number(),
    estimatedTimeFrame: z.string().describe('The expected maximum in words, e.g. "15 minutes".'),
    expectedMaxSeconds: z.number().nullable().describe('null: no time limit (sign-off waits for the publisher).'),
    startedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    stuck: z.boolean().describe('Running past its expected maximum (a support ticket was opened).'),
    ticketId: z.string().nullable().describe('The support ticket a stuck step opened (GET /publishers/{pub}/tickets/{ticketId}), else null.'),
    messages: z.array(stepMessageSchema),
  })
  .meta({ id: 'Step' });

export const offerStatusSchema = z
  .looseObject({
    status: z.enum([...OPERATION_STATUSES, 'neverPublished']),
    operationId: z.string().nullable(),
    steps: z.array(stepSchema),
    previewLinks: z.array(z.string()),
    liveLinks: z.array(z.string()),
  })
  .meta({ id: 'OfferStatus' });

export const operationSchema = z
  .looseObject({
    id: z.string(),
    offerId: z.string(),
    publisherId: z.string(),
    status: z.enum(OPERATION_STATUSES),
    createdBy: z.string(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
    error: z.string().nullable(),
    steps: z.array(stepSchema),
    transitions: z.array(
      z.looseObject({
        stepId: z.string().nullable(),
        from: z.string().nullable(),
        to: z.string(),
        actor: z.string(),
        note: z.string().nullable(),
        at: z.string(),
      }),
    ),
  })
  .meta({ id: 'Operation' });

export const certificationReportSchema = z
  .looseObject({
    result: z.enum(['passed', 'failed']),
    images: z.array(z.looseObject({})),
    checks: z.array(
      z.looseObject({
        id: z.string(),
        status: z.string().describe('passed | failed | warning | skipped'),
        severity: z.string().describe('error | warning'),
      }),
    ),
    stats: z.looseObject({}),
  })
  .meta({ id: 'CertificationReport', description: 'CONTRACTS §6, plus operationId and review.' });

/** `{operationId}`: the answer of golive and cancel (202). */
export const operationRefSchema = z.object({ operationId: z.string() });
