/**
 * Bounds rules shared by every RangeReader: a reader never reads outside its range, and a
 * position or length that a corrupt structure produced ends in IMAGE_CORRUPT, not in a RangeError
 * from Buffer or a read of some other part of the file.
 */
import { VmarketError } from '../../errors.ts';

/**
 * The largest single read a reader serves. Structures on disk (GPT entry arrays, extent blocks,
 * directory blocks) are far smaller; a corrupt length field must not allocate gigabytes.
 */
export const MAX_READ_BYTES = 256 * 1024 * 1024;

/** How many bytes `read(position, length)` returns in a range of `size` bytes, or throws. */
export function readableLength(size: number, position: number, length: number): number {
  if (!Number.isSafeInteger(position) || !Number.isSafeInteger(length) || position < 0 || length < 0) {
    throw new VmarketError('IMAGE_CORRUPT', `Invalid read of ${length} bytes at position ${position}.`);
  }
  if (position > size) {
    throw new VmarketError('IMAGE_CORRUPT', `Read at byte ${position} is beyond the end of the ${size}-byte range.`);
  }
  if (length > MAX_READ_BYTES) {
    throw new VmarketError('IMAGE_CORRUPT', `Read of ${length} bytes at byte ${position} is larger than any disk structure.`);
  }
  return Math.min(length, size - position);
}

/** Throws unless [offset, offset + length) lies inside a range of `size` bytes. */
export function checkSlice(size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new VmarketError('IMAGE_CORRUPT', `Range of ${length} bytes at byte ${offset} lies outside the ${size}-byte range.`);
  }
}
