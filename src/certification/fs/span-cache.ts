/**
 * Small structures (inodes) read through a cache of aligned 64 KiB spans of the file system, so
 * a walk of 50,000 files makes a few hundred reads, not 50,000. Returned buffers are views of a
 * cached span: copy what outlives the call.
 */
import type { RangeReader } from '../disk/types.ts';
import { LruCache } from '../../util/lru.ts';

const SPAN = 64 * 1024;
const KEPT_SPANS = 128;

export class SpanCache {
  readonly #reader: RangeReader;
  readonly #spans = new LruCache<number, Buffer>(KEPT_SPANS);

  constructor(reader: RangeReader) {
    this.#reader = reader;
  }

  /** `length` bytes at `position`, or null when they do not lie inside the file system within one span. */
  async bytes(position: number, length: number): Promise<Buffer | null> {
    const spanIndex = Math.floor(position / SPAN);
    let span = this.#spans.get(spanIndex);
    if (span === undefined) {
      const start = spanIndex * SPAN;
      const end = Math.min(start + SPAN, this.#reader.size);
      if (position < 0 || position + length > end) return null;
      span = await this.#reader.read(start, end - start);
      this.#spans.set(spanIndex, span);
    }
    const offset = position - spanIndex * SPAN;
    if (offset + length > span.length) return null;
    return span.subarray(offset, offset + length);
  }
}
