/**
 * Every sentence the tickets module writes, in English and German side by side: the errors it
 * answers and the title and body of the ticket a stuck step opens (stored as English plus
 * `translations`, so the publisher reads it in the language of each request).
 */
import { fixed, type Localized, type Phrase } from '../i18n/localized.ts';

/** 404 for a ticket that does not exist, or that belongs to another publisher (not revealed). */
export const ticketNotFound: Phrase<[ticketId: string, publisherId: string]> = {
  en: (ticketId, publisherId) => `The ticket ${ticketId} of publisher ${publisherId} does not exist.`,
  de: (ticketId, publisherId) => `Das Ticket ${ticketId} des Herausgebers ${publisherId} existiert nicht.`,
};

/** The detail on `offerId` when a ticket names an offer the publisher does not have. */
export const noSuchOffer: Localized = fixed('no such offer', 'kein solches Angebot');

/** What a stuck step's ticket tells (the sweeper decides when a step is stuck). */
export interface StuckStep {
  name: string;
  nameDe: string;
  offerId: string;
  operationId: string;
  /** ISO 8601. */
  startedAt: string;
  maxSeconds: number;
}

export const stuckTicketTitle: Phrase<[StuckStep]> = {
  en: (s) => `${s.name} is stuck for ${s.offerId}`,
  de: (s) => `${s.nameDe} hängt bei ${s.offerId}`,
};

export const stuckTicketBody: Phrase<[StuckStep]> = {
  en: (s) =>
    `The step "${s.name}" of operation ${s.operationId} started at ${s.startedAt} ` +
    `and is still running past its expected maximum of ${s.maxSeconds} seconds. The operator has been told; ` +
    `the step keeps running and the publication continues when it finishes.`,
  de: (s) =>
    `Der Schritt „${s.nameDe}“ des Vorgangs ${s.operationId} hat um ${s.startedAt} begonnen ` +
    `und läuft noch, über seine erwartete Höchstdauer von ${s.maxSeconds} Sekunden hinaus. Der Betreiber ist informiert; ` +
    `der Schritt läuft weiter, und die Veröffentlichung geht weiter, sobald er fertig ist.`,
};
