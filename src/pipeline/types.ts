/**
 * The shapes of the publishing pipeline: statuses (CONTRACTS.md §4), the status document the
 * API serves (CONTRACTS.md §5), and what a step receives and returns.
 */
import type { Translations } from '../i18n/localized.ts';
import type { StepId } from './steps/context.ts';

export type StepStatus =
  | 'notStarted'
  | 'inProgress'
  | 'waitingForPublisherReview'
  | 'waitingForApproval'
  | 'blocked'
  | 'complete'
  | 'skipped'
  | 'canceled';

export type OperationStatus = 'notStarted' | 'running' | 'waitingForPublisherReview' | 'succeeded' | 'failed' | 'canceled';

/** The offer's status adds `neverPublished`. */
export type OfferPublishStatus = OperationStatus | 'neverPublished';

/** Operation statuses that still hold the offer's one active slot (see the unique index). */
export const ACTIVE_OPERATION_STATUSES: readonly OperationStatus[] = ['notStarted', 'running', 'waitingForPublisherReview'];

/** Step statuses after which the pipeline moves on. */
export const DONE_STEP_STATUSES: readonly StepStatus[] = ['complete', 'skipped'];

export type MessageLevel = 'information' | 'warning' | 'error';

export interface StepMessage {
  level: MessageLevel;
  /** English, as the contract names it; other languages in `translations` (src/i18n). */
  text: string;
  at: string;
  translations?: Translations;
}

/** One step in the status document (CONTRACTS §5), plus `nameDe` for the German interface. */
export interface StepStatusView {
  id: StepId;
  name: string;
  nameDe: string;
  description: string;
  status: StepStatus;
  progressPercentage: number;
  /** The expected maximum in words, e.g. "15 minutes", "3 days", "no time limit". */
  estimatedTimeFrame: string;
  expectedMaxSeconds: number | null;
  startedAt: string | null;
  completedAt: string | null;
  stuck: boolean;
  /** The support ticket the step opened when it became stuck (CONTRACTS §4), else null. */
  ticketId: string | null;
  messages: StepMessage[];
}

/** `GET /publishers/{pub}/offers/{offer}/status`. */
export interface OfferStatusDocument {
  status: OfferPublishStatus;
  operationId: string | null;
  steps: StepStatusView[];
  /** Storefront and API URLs of the preview (visible to the preview audience), empty when none. */
  previewLinks: string[];
  /** Storefront and API URLs of the live offer, empty when the offer is not live. */
  liveLinks: string[];
}

/** `GET /publishers/{pub}/operations/{opId}`. */
export interface OperationView {
  id: string;
  offerId: string;
  publisherId: string;
  status: OperationStatus;
  createdBy: string;
  createdAt: string;
  completedAt: string | null;
  error: string | null;
  steps: StepStatusView[];
  /** Every status transition with who and when. */
  transitions: { stepId: string | null; from: string | null; to: string; actor: string; note: string | null; at: string }[];
}

/** The data of every pipeline job: one step of one operation. */
export interface StepJobData {
  operationId: string;
  stepId: StepId;
}
