/**
 * Phrases several checks share (a missing file, a data disk's label, the OS disk), so a word is
 * translated once and reads the same in every check's findings.
 */
import { fixed, type Localized, type Phrase, verbatim } from '../../i18n/localized.ts';

/** Evidence for a file that should be there and is not. */
export const MISSING = fixed('missing', 'fehlt');

/** Where a finding on a data disk is: `data lun 0`. */
export const dataLun: Phrase<[lun: number | undefined]> = {
  en: (lun) => `data lun ${lun}`,
  de: (lun) => `Daten-LUN ${lun}`,
};

/** A text a check got as a plain string (data, a library's message) or as a phrase, in every language. */
export function inEveryLanguage(text: string | Localized): Localized {
  return typeof text === 'string' ? verbatim(text) : text;
}

/** Keeps the first of texts that read the same in English (the language the checks compare in). */
export function distinct(texts: readonly Localized[]): Localized[] {
  return texts.filter((text, i) => texts.findIndex((other) => other.en === text.en) === i);
}
