/**
 * The languages vmarket speaks and how a request or a shell picks one. English is the language of
 * the contracts (docs/contracts.md) and of everything stored; other languages are offered on top.
 */

export const LOCALES = ['en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];
/** The languages offered besides English. */
export type OtherLocale = Exclude<Locale, 'en'>;
export const DEFAULT_LOCALE: Locale = 'en';

function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

/**
 * The best offered language for an `Accept-Language` header (RFC 9110 §12.5.4): ranges by
 * descending weight, `de-AT` matching `de`, `q=0` excluded, `*` meaning the default. Anything
 * unreadable falls back to English rather than failing the request.
 */
export function negotiateLocale(header: string | string[] | undefined | null): Locale {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return DEFAULT_LOCALE;
  const ranges = value
    .split(',')
    .map((part, order) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.toLowerCase().startsWith('q='));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { tag: tag.trim().toLowerCase(), weight: Number.isFinite(weight) ? weight : 0, order };
    })
    .filter((range) => range.tag && range.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.order - b.order);
  for (const { tag } of ranges) {
    if (tag === '*') return DEFAULT_LOCALE;
    const primary = tag.split('-')[0] ?? '';
    if (isLocale(primary)) return primary;
  }
  return DEFAULT_LOCALE;
}

