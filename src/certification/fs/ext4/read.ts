/** Bounds-checked structure reads of the ext reader (../read.ts) and its 64-bit fields. */
import type { Localized } from '../../../i18n/localized.ts';
import { exactReads } from '../read.ts';
import { corrupt, extErrors } from './errors.ts';
import { impossiblyLarge } from './texts.ts';

export const readExact = exactReads(extErrors);

/** A 64-bit value from two 32-bit halves, as a safe Number or a corruption error. */
export function join64(lo: number, hi: number, what: Localized): number {
  const value = hi * 0x1_0000_0000 + lo;
  if (!Number.isSafeInteger(value)) throw corrupt(impossiblyLarge(what));
  return value;
}
