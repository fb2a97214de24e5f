/**
 * An error's sentence in every language, for step messages that quote it: a VmarketError raised
 * with a phrase brings its own translations; any other error (a library's, the storage layer's)
 * reads the same in every language.
 */
import { isVmarketError } from '../errors.ts';
import { type Localized, verbatim } from '../i18n/localized.ts';

export function errorText(error: unknown): Localized {
  if (isVmarketError(error) && error.localized) return error.localized;
  return verbatim(error instanceof Error ? error.message : String(error));
}
