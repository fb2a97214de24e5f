/** An error's message in every language: its phrase when it was written as one, else its English as is. */
import type { VmarketError } from '../../errors.ts';
import { type Localized, verbatim } from '../../i18n/localized.ts';

export function errorText(error: VmarketError): Localized {
  return error.localized ?? verbatim(error.message);
}
