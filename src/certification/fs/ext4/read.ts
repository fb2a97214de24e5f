/**
 * Positioned reads with the checks every structure read needs: the range must lie inside the
 * file system, and a short read (the image ends early) is corruption, not a parsing crash.
 */
import type { Localized } from '../../../i18n/localized.ts';
import type { RangeReader } from '../../disk/types.ts';
import { corrupt } from './errors.ts';
import { cutShort, impossiblyLarge, rangeOutside } from './texts.ts';

export async function readExact(reader: RangeReader, position: number, length: number, what: Localized): Promise<Buffer> {
  if (!Number.isSafeInteger(position) || position < 0 || position + length > reader.size) {
    throw corrupt(rangeOutside(what, position, length, reader.size));
  }
  const buffer = await reader.read(position, length);
  if (buffer.length !== length) throw corrupt(cutShort(what));
  return buffer;
}

/** A 64-bit value from two 32-bit halves, as a safe Number or a corruption error. */
export function join64(lo: number, hi: number, what: Localized): number {
  const value = hi * 0x1_0000_0000 + lo;
  if (!Number.isSafeInteger(value)) throw corrupt(impossiblyLarge(what));
  return value;
}
