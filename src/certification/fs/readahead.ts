/**
 * Read-ahead for small file contents. A scan of every file reads tens of thousands of files of a
 * few KiB, which mkfs and the kernel lay out one after another in directory order; one positioned
 * read each costs far more than its bytes (measured here: 20–100 µs of main-thread time per
 * asynchronous read on the thread pool, ~50,000 of them in the bench). When a small read starts
 * at or just after where the previous one ended, one read of a SPAN is made instead and the
 * following small reads are served from it, while the next span is read ahead. Random access
 * (a read far from the last one) keeps exact reads, so scattered files never pay for bytes they
 * do not need. Returned buffers may be views of a shared span: callers must not write to them.
 */
import type { Localized } from '../../i18n/localized.ts';
import type { RangeReader } from '../disk/types.ts';
import type { ExactRead } from './read.ts';
import { fileDataAt } from './texts.ts';

/** Reads up to this size go through the read-ahead; larger ones are read exactly. */
export const SMALL_READ = 128 * 1024;
/** Bytes read at once when small reads are sequential. */
export const SPAN = 512 * 1024;
/** A small read starting at most this far past the last one still counts as sequential (free blocks, metadata between files). */
const SEQUENTIAL_GAP = 256 * 1024;
/** Spans kept (several files are read at once, slightly out of order; the newest is being read ahead). */
const KEPT_SPANS = 4;

interface Span {
  start: number;
  end: number;
  bytes: Promise<Buffer>;
}

export class DataReadahead {
  readonly #reader: RangeReader;
  readonly #readExact: ExactRead;
  readonly #spans: Span[] = [];
  /** End of the last small read requested (or of the last span), -1 before any. */
  #lastEnd = -1;

  /** `readExact` makes the reads (and names the reader's errors). */
  constructor(reader: RangeReader, readExact: ExactRead) {
    this.#reader = reader;
    this.#readExact = readExact;
  }

  /** Exactly `length` bytes at `position` (the same checks and errors as readExact). */
  async read(position: number, length: number, what: Localized): Promise<Buffer> {
    if (length > SMALL_READ || !Number.isSafeInteger(position) || position < 0 || position + length > this.#reader.size) {
      return this.#readExact(this.#reader, position, length, what);
    }
    const end = position + length;
    for (let i = this.#spans.length - 1; i >= 0; i--) {
      const span = this.#spans[i];
      if (span.start <= position && end <= span.end) {
        // reading from the newest span: the next one is read meanwhile, so the scan rarely waits
        if (i === this.#spans.length - 1 && span.end < this.#reader.size) this.#startSpan(span.end, Math.min(this.#reader.size, span.end + SPAN), fileDataAt(span.end));
        const bytes = await span.bytes;
        return bytes.subarray(position - span.start, end - span.start);
      }
    }
    const sequential = this.#lastEnd >= 0 && position >= this.#lastEnd - SMALL_READ && position <= this.#lastEnd + SEQUENTIAL_GAP;
    if (!sequential) {
      this.#lastEnd = end;
      return this.#readExact(this.#reader, position, length, what);
    }
    const span = this.#startSpan(position, Math.min(this.#reader.size, Math.max(end, position + SPAN)), what);
    const bytes = await span.bytes;
    return bytes.subarray(0, length);
  }

  #startSpan(start: number, end: number, what: Localized): Span {
    const span: Span = { start, end, bytes: this.#readExact(this.#reader, start, end - start, what) };
    // an I/O error must not stay cached for the next reader of the same range (its readers see it)
    span.bytes.catch(() => {
      const at = this.#spans.indexOf(span);
      if (at >= 0) this.#spans.splice(at, 1);
    });
    this.#spans.push(span);
    if (this.#spans.length > KEPT_SPANS) this.#spans.shift();
    this.#lastEnd = end;
    return span;
  }
}
