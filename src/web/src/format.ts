/** Dates, numbers, sizes and durations in the interface language (Intl, no libraries). */
import { useTranslation } from 'react-i18next';

export interface Formatters {
  locale: string;
  dateTime(iso: string | null | undefined): string;
  date(iso: string | null | undefined): string;
  number(value: number, options?: Intl.NumberFormatOptions): string;
  percent(value: number): string;
  bytes(value: number): string;
  /** 90 → "1 min 30 s" / "1 Min., 30 Sek." */
  duration(seconds: number): string;
  money(usd: number): string;
}

type DurationFormatCtor = new (locale: string, options: { style: string }) => { format(d: Record<string, number>): string };

export function formatters(locale: string): Formatters {
  const dateTimeFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' });
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
  const DurationFormat = (Intl as unknown as { DurationFormat?: DurationFormatCtor }).DurationFormat;
  const durationFormat = DurationFormat ? new DurationFormat(locale, { style: 'short' }) : null;
  const number = (value: number, options?: Intl.NumberFormatOptions) => new Intl.NumberFormat(locale, options).format(value);
  // Intl knows only the decimal units (kB = 1000 B), so sizes are counted in thousands to match
  const bytes = (value: number) => {
    const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'];
    let v = value;
    let unit = 0;
    while (v >= 1000 && unit < units.length - 1) {
      v /= 1000;
      unit++;
    }
    return number(v, { style: 'unit', unit: units[unit], unitDisplay: 'short', maximumFractionDigits: unit === 0 ? 0 : 1 });
  };
  const duration = (seconds: number) => {
    const total = Math.max(0, Math.round(seconds));
    // DurationFormat leaves out zero units, so nothing at all would be left of 0
    if (total === 0) return number(0, { style: 'unit', unit: 'second', unitDisplay: 'short' });
    const parts = { days: Math.floor(total / 86400), hours: Math.floor((total % 86400) / 3600), minutes: Math.floor((total % 3600) / 60), seconds: total % 60 };
    const used = Object.fromEntries(Object.entries(parts).filter(([, v]) => v > 0));
    if (Object.keys(used).length === 0) used.seconds = 0;
    if (durationFormat) return durationFormat.format(used);
    return Object.entries(used)
      .map(([unit, v]) => number(v, { style: 'unit', unit: unit.slice(0, -1), unitDisplay: 'short' }))
      .join(' ');
  };
  return {
    locale,
    dateTime: (iso) => (iso ? dateTimeFormat.format(new Date(iso)) : '—'),
    date: (iso) => (iso ? dateFormat.format(new Date(iso)) : '—'),
    number,
    percent: (value) => number(value / 100, { style: 'percent', maximumFractionDigits: 0 }),
    bytes,
    duration,
    money: (usd) => number(usd, { style: 'currency', currency: 'USD', maximumFractionDigits: 4 }),
  };
}

export function useFormat(): Formatters {
  const { i18n } = useTranslation();
  return formatters(i18n.resolvedLanguage === 'de' ? 'de-DE' : 'en-US');
}
