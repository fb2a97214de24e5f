/**
 * The shapes of the API answers the CLI reads (CONTRACTS §5). Type-only imports of the
 * pipeline's documents: they cost nothing at run time, so the CLI stays a plain HTTP client.
 */
import type { OfferStatusDocument, StepStatusView } from '../pipeline/types.ts';

export type { StepMessage, StepStatus, OperationStatus } from '../pipeline/types.ts';

/** One step of the status document. */
export type StepView = StepStatusView;

/** `GET /publishers/{pub}/offers/{offer}/status`. */
export type OfferStatusView = OfferStatusDocument;

/** Operation states after which nothing more happens. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'canceled']);
