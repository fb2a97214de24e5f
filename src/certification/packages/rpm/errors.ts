/**
 * Errors of the rpm reader: a damaged structure is an IMAGE_CORRUPT VmarketError, a feature this
 * reader does not read IMAGE_UNSUPPORTED, both with a sentence from texts.ts. Anything else thrown
 * inside is a bug of the reader and is not turned into a problem sentence (the fuzz tests rely on
 * telling the two apart).
 */
import { VmarketError } from '../../../errors.ts';
import { type Localized, verbatim } from '../../../i18n/localized.ts';

export function corrupt(detail: Localized): VmarketError {
  return new VmarketError('IMAGE_CORRUPT', detail);
}

export function unsupported(detail: Localized): VmarketError {
  return new VmarketError('IMAGE_UNSUPPORTED', detail);
}

/** The sentence of a VmarketError, for a problem list; any other error is rethrown. */
export function reasonOf(error: unknown): Localized {
  if (error instanceof VmarketError) return error.localized ?? verbatim(error.message);
  throw error;
}
