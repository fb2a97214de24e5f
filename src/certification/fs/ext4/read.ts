/**
 * Positioned reads with the checks every structure read needs: the range must lie inside the
 * file system, and a short read (the image ends early) is corruption, not a parsing crash.
 */
import type { RangeReader } from '../../disk/types.ts';
import { corrupt } from './errors.ts';

export async function readExact(reader: RangeReader, position: number, length: number, what: string): Promise<Buffer> {
  if (!Number.isSafeInteger(position) || position < 0 || position + length > reader.size) {
    throw corrupt(`${what} lies outside the file system (byte ${position}, ${length} bytes; the file system has ${reader.size})`);
  }
  const buffer = await reader.read(position, length);
  if (buffer.length !== length) throw corrupt(`${what} is cut short by the end of the image`);
  return buffer;
}

/** A 64-bit value from two 32-bit halves, as a safe Number or a corruption error. */
export function join64(lo: number, hi: number, what: string): number {
  const value = hi * 0x1_0000_0000 + lo;
  if (!Number.isSafeInteger(value)) throw corrupt(`${what} is impossibly large`);
  return value;
}
