/**
 * Tables of 32-bit entries stored in an image file (a VMDK grain directory and its grain tables,
 * a dynamic VHD's block allocation table), read page by page on demand through one LRU with a
 * byte budget: a header that declares millions of entries costs nothing until they are read, and
 * a certification that walks the disk in order reads each page once.
 */
import { VmarketError } from '../../../errors.ts';
import { type Phrase, say } from '../../../i18n/localized.ts';
import { LruCache } from '../../../util/lru.ts';
import type { RangeReader } from '../types.ts';

/** Entries read at once: 4 KiB, one file-system block. */
const PAGE_ENTRIES = 1024;

const tableOutside: Phrase<[what: string, offset: number, entries: number, fileSize: number]> = {
  en: (what, offset, entries, size) => `The ${what} at byte ${offset} (${entries} entries of 4 bytes) runs past the end of the ${size}-byte file.`,
  de: (what, offset, entries, size) => `Die Tabelle „${what}“ bei Byte ${offset} (${entries} Einträge zu 4 Byte) reicht über das Ende der ${size} Byte großen Datei hinaus.`,
};

export interface TableSpec {
  /** What the table is called in a sentence ("grain table", "block allocation table"). */
  what: string;
  offset: number;
  entries: number;
  littleEndian: boolean;
}

/** Throws IMAGE_CORRUPT unless the table lies inside the file. */
export function checkTableInFile(file: RangeReader, table: TableSpec): void {
  const end = table.offset + table.entries * 4;
  if (!Number.isSafeInteger(table.offset) || table.offset < 0 || !Number.isSafeInteger(end) || end > file.size) {
    throw new VmarketError('IMAGE_CORRUPT', say(tableOutside, table.what, table.offset, table.entries, file.size));
  }
}

/** Reads entries of any table in one file, sharing one page cache of `budgetBytes`. */
export class TablePages {
  readonly #file: RangeReader;
  readonly #cache: LruCache<string, Uint32Array>;

  constructor(file: RangeReader, budgetBytes: number) {
    this.#file = file;
    this.#cache = new LruCache(budgetBytes);
  }

  /** Entry `index` (< table.entries) of `table`; the table must have passed `checkTableInFile`. */
  async entry(table: TableSpec, index: number): Promise<number> {
    const page = Math.floor(index / PAGE_ENTRIES);
    return (await this.#page(table, page))[index - page * PAGE_ENTRIES];
  }

  /** The decoded page holding entry `index`, and where `index` lies in it (for scanning runs). */
  async pageOf(table: TableSpec, index: number): Promise<{ values: Uint32Array; at: number }> {
    const page = Math.floor(index / PAGE_ENTRIES);
    return { values: await this.#page(table, page), at: index - page * PAGE_ENTRIES };
  }

  async #page(table: TableSpec, page: number): Promise<Uint32Array> {
    const key = `${table.offset}:${page}`;
    const hit = this.#cache.get(key);
    if (hit) return hit;
    checkTableInFile(this.#file, table);
    const count = Math.min(PAGE_ENTRIES, table.entries - page * PAGE_ENTRIES);
    const bytes = await this.#file.read(table.offset + page * PAGE_ENTRIES * 4, count * 4);
    const values = new Uint32Array(count);
    for (let i = 0; i < count; i++) values[i] = table.littleEndian ? bytes.readUInt32LE(i * 4) : bytes.readUInt32BE(i * 4);
    this.#cache.set(key, values, count * 4);
    return values;
  }
}
