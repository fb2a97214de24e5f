/**
 * The pipeline's API for the HTTP routes, the CLI and the benchmarks, one module per concern:
 * publish (publish.ts), the status documents (documents.ts), sign-off (go-live.ts), cancel
 * (cancel.ts), the manual certification review (review.ts), the certification report
 * (certification-reports.ts), and the workers. Every failure is a VmarketError (404 NOT_FOUND,
 * 409 CONFLICT, 422 VALIDATION_FAILED).
 */
export { publishOffer, type PublishInput } from './publish.ts';
export { getOfferStatus, getOperation } from './documents.ts';
export { goLive } from './go-live.ts';
export { cancelOperation } from './cancel.ts';
export { reviewCertification, type ReviewInput } from './review.ts';
export { getBootConsole, getCertificationReport, getCertificationSbom } from './certification-reports.ts';
export { startPipelineWorkers, type PipelineWorkers } from './workers.ts';
export { sweepStuckSteps } from './sweeper.ts';
