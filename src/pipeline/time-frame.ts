/**
 * Durations as people read them, for a step's expected maximum: "15 minutes", "3 days", "no time
 * limit"; in German "15 Minuten", "1,5 Stunden".
 */
import { formatNumber } from '../i18n/format.ts';
import type { Locale } from '../i18n/locale.ts';

export const MINUTE = 60;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const TIME_UNITS: Record<Locale, { none: string; units: [size: number, one: string, many: string][] }> = {
  en: {
    none: 'no time limit',
    units: [
      [DAY, 'day', 'days'],
      [HOUR, 'hour', 'hours'],
      [MINUTE, 'minute', 'minutes'],
      [1, 'second', 'seconds'],
    ],
  },
  de: {
    none: 'keine Zeitgrenze',
    units: [
      [DAY, 'Tag', 'Tage'],
      [HOUR, 'Stunde', 'Stunden'],
      [MINUTE, 'Minute', 'Minuten'],
      [1, 'Sekunde', 'Sekunden'],
    ],
  },
};

/** A human time frame for a duration in seconds, rounded to one decimal of its largest unit; null reads "no time limit". */
export function estimatedTimeFrame(seconds: number | null, locale: Locale = 'en'): string {
  const { none, units } = TIME_UNITS[locale];
  if (seconds === null) return none;
  for (const [size, one, many] of units) {
    if (seconds >= size || size === 1) {
      const n = Math.round((seconds / size) * 10) / 10;
      return `${locale === 'en' ? String(n) : formatNumber(n, locale)} ${n === 1 ? one : many}`;
    }
  }
  return `${seconds} ${units[units.length - 1][2]}`;
}
