/** Sentences about an offer that several modules answer with (the pipeline, the repository, the routes). */
import type { Phrase } from '../i18n/localized.ts';

export const offerNotFound: Phrase<[string, string]> = {
  en: (publisherId, offerId) => `The offer ${publisherId}/${offerId} does not exist.`,
  de: (publisherId, offerId) => `Das Angebot ${publisherId}/${offerId} existiert nicht.`,
};

export const nothingSaved: Phrase<[number]> = {
  en: (count) => `The offer has ${count} problem${count === 1 ? '' : 's'}; nothing was saved.`,
  de: (count) => `Das Angebot hat ${count} ${count === 1 ? 'Problem' : 'Probleme'}; nichts wurde gespeichert.`,
};

const SLOT_DE: Record<string, string> = { live: 'Live-Version', preview: 'Vorschau-Version' };
export const noSlotVersion: Phrase<[string, string, string]> = {
  en: (pub, offer, slot) => `The offer ${pub}/${offer} has no ${slot} version.`,
  de: (pub, offer, slot) => `Das Angebot ${pub}/${offer} hat keine ${SLOT_DE[slot] ?? slot}.`,
};

/** The `limits.offersPerPublisher` refusal: the limit and the key that raises it. */
export const tooManyOffers: Phrase<[string, number]> = {
  en: (publisher, max) => `The publisher ${publisher} already has ${max} offers, the most allowed; nothing was saved (the operator can raise limits.offersPerPublisher in the server configuration).`,
  de: (publisher, max) => `Der Herausgeber ${publisher} hat bereits ${max} Angebote, mehr sind nicht erlaubt; nichts wurde gespeichert (der Betreiber kann limits.offersPerPublisher in der Serverkonfiguration erhöhen).`,
};
