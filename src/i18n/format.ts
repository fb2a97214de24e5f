/** Numbers, sizes and lists written the way a language writes them, for localized phrases. */
import type { Locale } from './locale.ts';

const TAGS: Record<Locale, string> = { en: 'en-US', de: 'de-DE' };

export function formatNumber(value: number, locale: Locale): string {
  return new Intl.NumberFormat(TAGS[locale], { maximumFractionDigits: 2 }).format(value);
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** Decimal units (1 kB = 1000 B), as the rest of vmarket counts sizes. */
export function formatBytes(bytes: number, locale: Locale): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 ? 0 : value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${new Intl.NumberFormat(TAGS[locale], { maximumFractionDigits: digits }).format(value)} ${UNITS[unit]}`;
}

/** `a, b and c` / `a, b und c`. */
export function formatList(items: readonly string[], locale: Locale): string {
  return new Intl.ListFormat(TAGS[locale], { type: 'conjunction' }).format(items);
}
