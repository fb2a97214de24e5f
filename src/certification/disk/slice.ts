/**
 * A RangeReader over part of another: what `slice` answers for readers that do not map to one
 * file range (a qcow2 or VMDK virtual disk, whose partitions are slices of the decoded disk).
 */
import { checkSlice, readableLength } from './range.ts';
import type { RangeReader } from './types.ts';

export class SliceReader implements RangeReader {
  readonly size: number;
  readonly #parent: RangeReader;
  readonly #offset: number;

  constructor(parent: RangeReader, offset: number, size: number) {
    checkSlice(parent.size, offset, size);
    this.#parent = parent;
    this.#offset = offset;
    this.size = size;
  }

  read(position: number, length: number): Promise<Buffer> {
    return this.#parent.read(this.#offset + position, readableLength(this.size, position, length));
  }

  slice(offset: number, length: number): RangeReader {
    checkSlice(this.size, offset, length);
    return new SliceReader(this.#parent, this.#offset + offset, length);
  }
}
