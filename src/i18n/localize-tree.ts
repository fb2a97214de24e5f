/**
 * Puts a document into one language: every object carrying `translations` (see localized.ts) gets
 * the chosen language's texts in place of the English ones, and `translations` itself is removed,
 * so answers keep exactly the shape of the contracts. English needs no lookup; it only strips.
 */
import type { Locale } from './locale.ts';
import type { Translations } from './localized.ts';

export function localizeTree<T>(value: T, locale: Locale): T {
  return walk(value, locale) as T;
}

function walk(value: unknown, locale: Locale): unknown {
  if (Array.isArray(value)) return value.map((item) => walk(item, locale));
  if (value === null || typeof value !== 'object' || !isPlain(value)) return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(source)) {
    if (key !== 'translations') out[key] = walk(item, locale);
  }
  const translations = source.translations as Translations | undefined;
  const texts = locale === 'en' || !translations || typeof translations !== 'object' ? undefined : translations[locale];
  if (texts) {
    for (const [field, text] of Object.entries(texts)) {
      if (typeof text === 'string' && typeof out[field] === 'string') out[field] = text;
    }
  }
  return out;
}

/** Dates, buffers and class instances pass through untouched. */
function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
