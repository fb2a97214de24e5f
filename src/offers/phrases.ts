/** Sentences about an offer that several modules answer with (the pipeline, the repository, the routes). */
import type { Phrase } from '../i18n/localized.ts';

export const offerNotFound: Phrase<[string, string]> = {
  en: (publisherId, offerId) => `The offer ${publisherId}/${offerId} does not exist.`,
  de: (publisherId, offerId) => `Das Angebot ${publisherId}/${offerId} existiert nicht.`,
};
