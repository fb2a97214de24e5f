/**
 * A RangeReader over bytes already in memory (a header read once, a structure under test). Same
 * bounds rules as the file reader.
 */
import { checkSlice, readableLength } from './range.ts';
import type { RangeReader } from './types.ts';

export function bufferReader(bytes: Buffer): RangeReader {
  return {
    size: bytes.length,
    async read(position: number, length: number): Promise<Buffer> {
      const wanted = readableLength(bytes.length, position, length);
      // A copy, as a file read would give: callers may keep or modify it.
      return Buffer.from(bytes.subarray(position, position + wanted));
    },
    slice(offset: number, length: number): RangeReader {
      checkSlice(bytes.length, offset, length);
      return bufferReader(bytes.subarray(offset, offset + length));
    },
  };
}
