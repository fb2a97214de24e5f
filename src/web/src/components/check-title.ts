/**
 * A certification check's title in the interface language. The report carries the server's
 * English title; the German ones live in the `checks` namespace, keyed by check id, and a check
 * the app does not know yet keeps the server's title.
 */
import type { TFunction } from 'i18next';

export function checkTitle(t: TFunction, check: { id: string; title: string }): string {
  return t(`checks:${check.id}`, { defaultValue: check.title }) as string;
}
