/**
 * Texts in every language vmarket speaks. A module that writes a sentence a person reads (a step
 * message, a check's finding, a validation problem) defines it once as a `Phrase` with one
 * function per language, side by side, and stores what `say` renders: English in the field the
 * contracts name (`text`, `message`, `remediation`, …) and the other languages under
 * `translations`, which the API swaps in for the caller's language (`localizeTree`). The
 * compiler checks that every phrase has every language and that its arguments fit.
 */
import type { Locale, OtherLocale } from './locale.ts';

/** One sentence in every language, as rendered for one occurrence. */
export type Localized = Record<Locale, string>;

/** A sentence with its arguments, one renderer per language. */
export type Phrase<A extends unknown[] = []> = { readonly [L in Locale]: (...args: A) => string };

/** The other languages' texts of an object's localized fields: `{ de: { text: '…' } }`. */
export type Translations = Partial<Record<OtherLocale, Record<string, string>>>;

export function say<A extends unknown[]>(phrase: Phrase<A>, ...args: A): Localized {
  return { en: phrase.en(...args), de: phrase.de(...args) };
}

/** A fixed sentence in every language (a phrase without arguments, rendered). */
export function fixed(en: string, de: string): Localized {
  return { en, de };
}

/** An untranslated text (data, or a message from a library) is the same in every language. */
export function verbatim(text: string): Localized {
  return { en: text, de: text };
}

/** Joins localized pieces (and plain strings, the same in every language) language by language. */
export function join(parts: readonly (Localized | string)[], separator = ''): Localized {
  const pick = (locale: Locale) => parts.map((part) => (typeof part === 'string' ? part : part[locale])).join(separator);
  return { en: pick('en'), de: pick('de') };
}

/**
 * English values for `fields` plus their `translations`, to spread into a stored object:
 * `{ ...localizedFields({ text: say(…) }) }` → `{ text: 'en', translations: { de: { text: 'de' } } }`.
 * A field passed as a plain string has no translation (it reads the same in every language).
 */
export function localizedFields<K extends string>(fields: Record<K, Localized | string>): Record<K, string> & { translations?: Translations } {
  const out = {} as Record<K, string> & { translations?: Translations };
  const de: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields) as [K, Localized | string][]) {
    if (typeof value === 'string') {
      out[key] = value as (typeof out)[K];
    } else {
      out[key] = value.en as (typeof out)[K];
      if (value.de !== value.en) de[key] = value.de;
    }
  }
  if (Object.keys(de).length > 0) out.translations = { de };
  return out;
}

/** A stored object's field in every language (English where it has no translation). */
export function fieldIn<T extends { translations?: Translations }>(value: T, field: keyof T & string): Localized {
  const en = typeof value[field] === 'string' ? (value[field] as string) : '';
  return { en, de: value.translations?.de?.[field] ?? en };
}
