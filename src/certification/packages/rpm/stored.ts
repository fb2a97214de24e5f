/**
 * What every rpm database backend (sqlite.ts, bdb.ts, ndb.ts) hands to the package decoder: the
 * header blobs it found, with the key rpm filed each under, and the records it had to skip. A
 * backend throws a VmarketError only when nothing of the database can be read.
 */
import type { Localized } from '../../../i18n/localized.ts';

export interface StoredHeader {
  /** rpm's header number (sqlite `hnum`, the BerkeleyDB key, the ndb package index). */
  id: number;
  blob: Buffer;
}

export interface SkippedRecord {
  /** The header number, when the broken record still names one. */
  id?: number;
  reason: Localized;
}

export interface StoredHeaders {
  headers: StoredHeader[];
  skipped: SkippedRecord[];
  /** More headers than the row limit: the rest was not read. */
  truncated: boolean;
}

/** Collects headers up to `maxHeaders`; `add` says false once the limit is reached. */
export class HeaderCollector {
  readonly result: StoredHeaders = { headers: [], skipped: [], truncated: false };
  readonly #maxHeaders: number;

  constructor(maxHeaders: number) {
    this.#maxHeaders = maxHeaders;
  }

  add(id: number, blob: Buffer): boolean {
    if (this.result.headers.length >= this.#maxHeaders) {
      this.result.truncated = true;
      return false;
    }
    this.result.headers.push({ id, blob });
    return true;
  }

  skip(reason: Localized, id?: number): void {
    this.result.skipped.push(id === undefined ? { reason } : { id, reason });
  }

  get full(): boolean {
    return this.result.truncated;
  }
}
