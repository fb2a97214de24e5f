/**
 * The refusals of the bounds on work per request (issue 9, finding 10): each says the limit, and
 * the configuration key an operator raises it with, in every language.
 */
import type { Phrase } from '../i18n/localized.ts';

export const tooManyStreamsForToken: Phrase<[number]> = {
  en: (max) => `This token already has ${max} status streams open, the most allowed; close one (or raise limits.streamsPerToken in the server configuration).`,
  de: (max) => `Mit diesem Token sind bereits ${max} Status-Streams offen, mehr sind nicht erlaubt; schließen Sie einen (oder erhöhen Sie limits.streamsPerToken in der Serverkonfiguration).`,
};

export const tooManyStreamsForOffer: Phrase<[string, number]> = {
  en: (offer, max) => `The offer ${offer} already has ${max} status streams open, the most allowed; close one (or raise limits.streamsPerOffer in the server configuration).`,
  de: (offer, max) => `Für das Angebot ${offer} sind bereits ${max} Status-Streams offen, mehr sind nicht erlaubt; schließen Sie einen (oder erhöhen Sie limits.streamsPerOffer in der Serverkonfiguration).`,
};
/** `who` is `subscription` or `address`; `key` the configuration key that sets `max`. */
export const tooManyAcquires: Phrase<['subscription' | 'address', number, string, number]> = {
  en: (who, max, key, seconds) => `Too many acquires from this ${who}: at most ${max} a minute (${key} in the server configuration); retry in ${seconds} s.`,
  de: (who, max, key, seconds) =>
    `Zu viele Erwerbe von ${who === 'subscription' ? 'diesem Abonnement' : 'dieser Adresse'}: höchstens ${max} pro Minute (${key} in der Serverkonfiguration); versuchen Sie es in ${seconds} s erneut.`,
};
