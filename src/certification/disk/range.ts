/**
 * Bounds rules shared by every RangeReader: a reader never reads outside its range, and a
 * position or length that a corrupt structure produced ends in IMAGE_CORRUPT, not in a RangeError
 * from Buffer or a read of some other part of the file.
 */
import { VmarketError } from '../../errors.ts';
import { formatNumber } from '../../i18n/format.ts';
import { type Phrase, say } from '../../i18n/localized.ts';

/**
 * The largest single read a reader serves. Structures on disk (GPT entry arrays, extent blocks,
 * directory blocks) are far smaller; a corrupt length field must not allocate gigabytes.
 */
export const MAX_READ_BYTES = 256 * 1024 * 1024;

// Written as phrases: a partition table or file system that cannot be read names the reason in the report.
const invalidRead: Phrase<[length: number, position: number]> = {
  en: (length, position) => `Invalid read of ${length} bytes at position ${position}.`,
  de: (length, position) => `Ungültiger Lesezugriff auf ${length} Byte an Position ${position}.`,
};
const beyondEnd: Phrase<[position: number, size: number]> = {
  en: (position, size) => `Read at byte ${position} is beyond the end of the ${size}-byte range.`,
  de: (position, size) => `Der Lesezugriff bei Byte ${position} liegt hinter dem Ende des ${formatNumber(size, 'de')} Byte großen Bereichs.`,
};
const tooLarge: Phrase<[length: number, position: number]> = {
  en: (length, position) => `Read of ${length} bytes at byte ${position} is larger than any disk structure.`,
  de: (length, position) => `Der Lesezugriff auf ${formatNumber(length, 'de')} Byte ab Byte ${position} ist größer als jede Struktur auf einem Datenträger.`,
};
const sliceOutside: Phrase<[length: number, offset: number, size: number]> = {
  en: (length, offset, size) => `Range of ${length} bytes at byte ${offset} lies outside the ${size}-byte range.`,
  de: (length, offset, size) => `Der Bereich von ${formatNumber(length, 'de')} Byte ab Byte ${offset} liegt außerhalb des ${formatNumber(size, 'de')} Byte großen Bereichs.`,
};

/** How many bytes `read(position, length)` returns in a range of `size` bytes, or throws. */
export function readableLength(size: number, position: number, length: number): number {
  if (!Number.isSafeInteger(position) || !Number.isSafeInteger(length) || position < 0 || length < 0) {
    throw new VmarketError('IMAGE_CORRUPT', say(invalidRead, length, position));
  }
  if (position > size) {
    throw new VmarketError('IMAGE_CORRUPT', say(beyondEnd, position, size));
  }
  if (length > MAX_READ_BYTES) {
    throw new VmarketError('IMAGE_CORRUPT', say(tooLarge, length, position));
  }
  return Math.min(length, size - position);
}

/** Throws unless [offset, offset + length) lies inside a range of `size` bytes. */
export function checkSlice(size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new VmarketError('IMAGE_CORRUPT', say(sliceOutside, length, offset, size));
  }
}
