/**
 * The shapes of the publishing pipeline under the names the pipeline uses: the statuses
 * (docs/contracts.md §4) and the documents the API serves (docs/contracts.md §5) come from
 * `src/contracts/`; what is only the pipeline's (the stored message's translations, the step id
 * type of the pipeline's own step list, the job data) is added here.
 */
import type { Step, StepMessage as ContractStepMessage, OfferStatusDocument as ContractOfferStatusDocument, Operation } from '../contracts/index.ts';
import type { Translations } from '../i18n/localized.ts';
import type { StepId } from './steps/context.ts';

export type { StepStatus, OperationStatus, MessageLevel, OfferStatus as OfferPublishStatus } from '../contracts/index.ts';
export { ACTIVE_OPERATION_STATUSES, DONE_STEP_STATUSES } from '../contracts/index.ts';

/** A step message as stored: English `text`, other languages in `translations` (src/i18n). */
export type StepMessage = ContractStepMessage & { translations?: Translations };

/** One step in the status document, its id one of the pipeline's steps. */
export type StepStatusView = Step & { id: StepId; messages: StepMessage[] };

/** `GET /publishers/{pub}/offers/{offer}/status`. */
export type OfferStatusDocument = ContractOfferStatusDocument & { steps: StepStatusView[] };

/** `GET /publishers/{pub}/operations/{opId}`. */
export type OperationView = Operation & { steps: StepStatusView[] };

/** The data of every pipeline job: one step of one operation. */
export interface StepJobData {
  operationId: string;
  stepId: StepId;
}
