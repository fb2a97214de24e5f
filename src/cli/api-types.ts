/**
 * The shapes of the API answers the CLI reads (CONTRACTS §5). Declared here rather than imported
 * from the server so the CLI stays a plain HTTP client of the public API.
 */

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

export interface StepMessage {
  level: 'information' | 'warning' | 'error';
  text: string;
  at: string;
}

export interface StepView {
  id: string;
  name: string;
  nameDe?: string;
  description?: string;
  status: StepStatus;
  progressPercentage: number;
  estimatedTimeFrame?: string;
  expectedMaxSeconds: number | null;
  startedAt: string | null;
  completedAt: string | null;
  stuck: boolean;
  messages: StepMessage[];
}

/** `GET /publishers/{pub}/offers/{offer}/status`. */
export interface OfferStatusView {
  status: OperationStatus | 'neverPublished';
  operationId: string | null;
  steps: StepView[];
  previewLinks?: unknown;
  liveLinks?: unknown;
}

/** Operation states after which nothing more happens. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'canceled']);
