/**
 * The publishing steps and operations as the API answers them (docs/contracts.md §4, §5): the
 * statuses, one step of the status document, the status document itself, an operation.
 * Loose objects: the fields named here are described and checked, and anything the pipeline adds
 * passes through unchanged (a response that fails its schema answers 500).
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
export const stepStatusSchema = z.enum(STEP_STATUSES);
export type StepStatus = z.infer<typeof stepStatusSchema>;

export const OPERATION_STATUSES = ['notStarted', 'running', 'waitingForPublisherReview', 'succeeded', 'failed', 'canceled'] as const;
export const operationStatusSchema = z.enum(OPERATION_STATUSES);
export type OperationStatus = z.infer<typeof operationStatusSchema>;

/** Operation statuses that still hold the offer's one active slot (see the unique index). */
export const ACTIVE_OPERATION_STATUSES: readonly OperationStatus[] = ['notStarted', 'running', 'waitingForPublisherReview'];

/** Operation statuses after which nothing more happens. */
export const TERMINAL_OPERATION_STATUSES: readonly OperationStatus[] = ['succeeded', 'failed', 'canceled'];
/** The same as a set of strings, for clients that test any status they read (the CLI's follow). */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(TERMINAL_OPERATION_STATUSES);

/** Step statuses after which the pipeline moves on. */
export const DONE_STEP_STATUSES: readonly StepStatus[] = ['complete', 'skipped'];

/** The offer's status adds `neverPublished` to the operation statuses. */
export const OFFER_STATUSES = [...OPERATION_STATUSES, 'neverPublished'] as const;
export const offerStatusValueSchema = z.enum(OFFER_STATUSES);
export type OfferStatus = z.infer<typeof offerStatusValueSchema>;

/**
 * What a transition row records as its target: a step or operation status, or
 * `cancelRequested` (the operation's cancel was asked for, written before the steps cancel).
 */
export type TransitionStatus = StepStatus | OperationStatus | 'cancelRequested';
export const TRANSITION_STATUSES: readonly TransitionStatus[] = [...new Set<TransitionStatus>([...STEP_STATUSES, ...OPERATION_STATUSES]), 'cancelRequested'];

export const MESSAGE_LEVELS = ['information', 'warning', 'error'] as const;
export const messageLevelSchema = z.enum(MESSAGE_LEVELS);
export type MessageLevel = z.infer<typeof messageLevelSchema>;

/**
 * A strict object: the stored form's `translations` stay inside the server (the answer is
 * already in the caller's language when it is serialized).
 */
export const stepMessageSchema = z.object({
  level: messageLevelSchema,
  /** In the caller's language (English by default). */
  text: z.string(),
  at: z.string(),
});
export type StepMessage = z.infer<typeof stepMessageSchema>;

/** A step id: a string, since the pipeline's list of steps is the server's (GET /marketplace lists them). */
export const stepIdSchema = z
  .string()
  .describe('The step id; the default pipeline: validate, test-drive, certify, provision, package, signoff, deploy, live.');

export const stepSchema = z
  .looseObject({
    id: stepIdSchema,
    name: z.string().describe('The step name in English.'),
    nameDe: z.string().describe('The step name in German.'),
    description: z.string(),
    status: stepStatusSchema,
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
export type Step = z.infer<typeof stepSchema>;

/** `GET /publishers/{pub}/offers/{offer}/status` (and each event of `…/status/events`). */
export const offerStatusSchema = z
  .looseObject({
    status: offerStatusValueSchema,
    operationId: z.string().nullable(),
    steps: z.array(stepSchema).describe('In pipeline order.'),
    previewLinks: z.array(z.string()).describe('Storefront and API URLs of the preview, empty when none.'),
    liveLinks: z.array(z.string()).describe('Storefront and API URLs of the live offer, empty when not live.'),
  })
  .meta({ id: 'OfferStatus' });
export type OfferStatusDocument = z.infer<typeof offerStatusSchema>;

export const transitionSchema = z.looseObject({
  stepId: z.string().nullable().describe('null: a transition of the operation itself.'),
  from: z.string().nullable(),
  to: z.string().describe('A step or operation status, or cancelRequested.'),
  actor: z.string(),
  note: z.string().nullable(),
  at: z.string(),
});
export type Transition = z.infer<typeof transitionSchema>;

/** `GET /publishers/{pub}/operations/{opId}`. */
export const operationSchema = z
  .looseObject({
    id: z.string(),
    offerId: z.string(),
    publisherId: z.string(),
    status: operationStatusSchema,
    createdBy: z.string(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
    error: z.string().nullable(),
    steps: z.array(stepSchema),
    transitions: z.array(transitionSchema).describe('Every status transition with who and when.'),
  })
  .meta({ id: 'Operation' });
export type Operation = z.infer<typeof operationSchema>;

/** `{operationId}`: the answer of golive and cancel (202). */
export const operationRefSchema = z.object({ operationId: z.string() });
export type OperationRef = z.infer<typeof operationRefSchema>;

/** `POST …/publish` (202). */
export const publishAnswerSchema = z.object({ operationId: z.string(), location: z.string() });
export type PublishAnswer = z.infer<typeof publishAnswerSchema>;
