/**
 * The sentences the pipeline's control actions answer with (publish, status, go-live, cancel,
 * review), in every language, side by side (see src/i18n/localized.ts).
 */
import type { Localized, Phrase } from '../i18n/localized.ts';

export const offerHasProblems: Phrase<[number]> = {
  en: (count) => `The offer has ${count} problem(s); fix them and publish again.`,
  de: (count) => `Das Angebot hat ${count} ${count === 1 ? 'Problem' : 'Probleme'}; beheben Sie ${count === 1 ? 'es' : 'sie'} und veröffentlichen Sie erneut.`,
};
export const operationNotFound: Phrase<[string]> = {
  en: (operationId) => `The operation ${operationId} does not exist.`,
  de: (operationId) => `Der Vorgang ${operationId} existiert nicht.`,
};
/** The status words of an operation as a sentence uses them. */
export const OPERATION_STATUS_DE: Record<string, string> = {
  notStarted: 'nicht gestartet',
  running: 'läuft',
  waitingForPublisherReview: 'wartet auf die Genehmigung des Herausgebers',
  succeeded: 'erfolgreich',
  failed: 'fehlgeschlagen',
  canceled: 'abgebrochen',
};
export const notWaitingForReview: Phrase<[string, string]> = {
  en: (offerId, state) => `The offer ${offerId} is not waiting for publisher review (its operation is ${state}).`,
  de: (offerId, state) =>
    `Das Angebot ${offerId} wartet nicht auf die Genehmigung des Herausgebers (sein Vorgang ${state === 'being canceled' ? 'wird abgebrochen' : `ist: ${OPERATION_STATUS_DE[state] ?? state}`}).`,
};
export const nothingWaitingForReview: Phrase<[string]> = {
  en: (offerId) => `The offer ${offerId} has no publication waiting for publisher review.`,
  de: (offerId) => `Das Angebot ${offerId} hat keine Veröffentlichung, die auf die Genehmigung des Herausgebers wartet.`,
};
export const noLongerWaitingForReview: Phrase<[string]> = {
  en: (offerId) => `The offer ${offerId} is not waiting for publisher review.`,
  de: (offerId) => `Das Angebot ${offerId} wartet nicht auf die Genehmigung des Herausgebers.`,
};
export const signedOffBy: Phrase<[string]> = {
  en: (actor) => `Signed off by ${actor}.`,
  de: (actor) => `Genehmigt von ${actor}.`,
};
export const alreadyLive: Phrase<[string, string]> = {
  en: (offerId, operationId) => `The offer ${offerId} is already live for operation ${operationId}; nothing to cancel.`,
  de: (offerId, operationId) => `Das Angebot ${offerId} ist für den Vorgang ${operationId} bereits live; es gibt nichts abzubrechen.`,
};
export const nothingRunning: Phrase<[string]> = {
  en: (offerId) => `The offer ${offerId} has no publication running.`,
  de: (offerId) => `Für das Angebot ${offerId} läuft keine Veröffentlichung.`,
};
export const badDecision: Localized = { en: 'The decision must be approve or reject.', de: 'Die Entscheidung muss approve oder reject sein.' };
export const reviewNotWaiting: Phrase<[string]> = {
  en: (offerId) => `The certification of ${offerId} is not waiting for a review.`,
  de: (offerId) => `Die Zertifizierung von ${offerId} wartet nicht auf eine Prüfung.`,
};
export const reviewed: Phrase<[boolean, string, string]> = {
  en: (approved, actor, feedback) => `Certification ${approved ? 'approved' : 'rejected'} by ${actor}${feedback ? `: ${feedback}` : '.'}`,
  de: (approved, actor, feedback) => `Zertifizierung ${approved ? 'genehmigt' : 'abgelehnt'} von ${actor}${feedback ? `: ${feedback}` : '.'}`,
};
export const alreadyActive: Phrase<[string, string]> = {
  en: (operationId, status) => `An operation of this offer is already active (${operationId}, ${status}); wait for it or cancel it.`,
  de: (operationId, status) =>
    `Ein Vorgang dieses Angebots läuft bereits (${operationId}, ${status}); warten Sie, bis er fertig ist, oder brechen Sie ihn ab.`,
};
