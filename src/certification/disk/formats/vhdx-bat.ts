/**
 * The VHDX block allocation table ([MS-VHDX] 2.5) as an ExtentMap. Entry i of the BAT is a u64:
 * the block's state in bits 0–2 and its file offset in MiB in bits 20–63. After every
 * `chunkRatio` payload blocks comes one sector-bitmap entry (used only by differencing disks,
 * which are refused), so payload block i is entry i + floor(i / chunkRatio). The table is read in
 * pages as reads need it, decoded once and kept in an LRU; a run of blocks that lie one after
 * the other in the file (or are all zeros) is answered as one extent and remembered, so a
 * sequence of small reads asks the table once per run, not once per read.
 */
import { VmarketError } from '../../../errors.ts';
import { type Localized, type Phrase, say } from '../../../i18n/localized.ts';
import { LruCache } from '../../../util/lru.ts';
import type { RangeReader } from '../types.ts';
import type { Extent, ExtentMap } from './mapped-disk.ts';
import { HEADER_SECTION_BYTES, MiB, type VhdxRegion } from './vhdx-headers.ts';

const ENTRY_BYTES = 8;
/** 8192 entries (64 KiB of table) per page: one read covers 8 GiB of a disk with 1 MiB blocks. */
const PAGE_ENTRIES = 8192;
/** Decoded pages kept: 9 bytes an entry, so 16 MiB hold the table of a 1.8 TB disk with 1 MiB blocks. */
const CACHE_BYTES = 16 * MiB;
/**
 * A run ends after this many blocks (at least 1 GiB with 1 MiB blocks): long enough for big
 * reads to be one extent, short enough that finding a run stays cheap when reads hop about.
 */
const MAX_RUN_BLOCKS = 1024;
/** Runs remembered: certification hops between a few places (inode tables, directories, file data). */
const RECENT_RUNS = 8;

/** Payload block states ([MS-VHDX] 2.5.1.1). 5 is UNMAPPED in the 0.95 draft of the spec, which QEMU also reads as zeros. */
const NOT_PRESENT = 0;
const UNDEFINED = 1;
const ZERO = 2;
const UNMAPPED = 3;
const UNMAPPED_DRAFT = 5;
const FULLY_PRESENT = 6;
const PARTIALLY_PRESENT = 7;
const ZERO_STATES = new Set([NOT_PRESENT, UNDEFINED, ZERO, UNMAPPED, UNMAPPED_DRAFT]);

export interface BatGeometry {
  virtualSize: number;
  blockSize: number;
  logicalSectorSize: number;
}

interface Page {
  states: Uint8Array;
  offsetsMiB: Float64Array;
}

/** What one block is: zeros, data at a file offset, or why it cannot be read. */
type Block = { kind: 'zero' } | { kind: 'data'; fileOffset: number } | { kind: 'bad'; why: Localized };

const ZERO_BLOCK: Block = { kind: 'zero' };

interface Run {
  start: number;
  end: number;
  kind: 'zero' | 'data';
  fileOffset: number;
}

const batTooSmall: Phrase<[length: number, entries: number]> = {
  en: (length, entries) => `The VHDX block allocation table region (${length} bytes) is too small for the ${entries} entries the disk size needs.`,
  de: (length, entries) => `Die Region der VHDX-Blockbelegungstabelle (${length} Byte) ist zu klein für die ${entries} Einträge, die die Datenträgergröße braucht.`,
};
const partiallyPresent: Phrase<[block: number]> = {
  en: (block) => `VHDX block ${block} is marked partially present, a state only a differencing disk may use, but this disk has no parent.`,
  de: (block) => `Der VHDX-Block ${block} ist als teilweise vorhanden markiert, ein Zustand nur für differenzierende Datenträger, aber dieser Datenträger hat kein übergeordnetes Image.`,
};
const unknownState: Phrase<[block: number, state: number]> = {
  en: (block, state) => `VHDX block ${block} has the state ${state}, which the format does not define.`,
  de: (block, state) => `Der VHDX-Block ${block} hat den Zustand ${state}, den das Format nicht definiert.`,
};
const blockMisplaced: Phrase<[block: number, offset: number, blockSize: number, fileSize: number]> = {
  en: (block, offset, blockSize, size) =>
    `VHDX block ${block} is placed at byte ${offset} (${blockSize} bytes), beyond the end of the ${size}-byte file (cut short?) or on top of the file's headers, log or tables.`,
  de: (block, offset, blockSize, size) =>
    `Der VHDX-Block ${block} liegt bei Byte ${offset} (${blockSize} Byte), hinter dem Ende der ${size} Byte großen Datei (abgeschnitten?) oder über den Headern, dem Log oder den Tabellen der Datei.`,
};

/** Payload blocks per sector-bitmap block: 2^23 sectors are described by one 1 MiB bitmap. */
export function chunkRatio(geometry: BatGeometry): number {
  return (2 ** 23 * geometry.logicalSectorSize) / geometry.blockSize;
}

export class VhdxBlockMap implements ExtentMap {
  readonly #file: RangeReader;
  readonly #bat: VhdxRegion;
  readonly #geometry: BatGeometry;
  readonly #blocks: number;
  readonly #chunkRatio: number;
  readonly #entries: number;
  /** Byte ranges no data block may overlap: the header section, the log, the BAT and metadata regions. */
  readonly #reserved: { start: number; end: number }[];
  readonly #pages = new LruCache<number, Page>(CACHE_BYTES);
  /** Most recent first. */
  readonly #recent: Run[] = [];

  constructor(file: RangeReader, bat: VhdxRegion, geometry: BatGeometry, reserved: { start: number; end: number }[]) {
    this.#file = file;
    this.#bat = bat;
    this.#geometry = geometry;
    this.#blocks = Math.ceil(geometry.virtualSize / geometry.blockSize);
    this.#chunkRatio = chunkRatio(geometry);
    this.#entries = this.#blocks === 0 ? 0 : this.#blocks + Math.floor((this.#blocks - 1) / this.#chunkRatio);
    if (this.#entries * ENTRY_BYTES > bat.length) throw new VmarketError('IMAGE_CORRUPT', say(batTooSmall, bat.length, this.#entries));
    this.#reserved = [{ start: 0, end: HEADER_SECTION_BYTES }, ...reserved];
  }

  async extentAt(position: number): Promise<Extent> {
    let run = this.#recent.find((recent) => position >= recent.start && position < recent.end);
    if (!run) {
      run = await this.#runAt(Math.floor(position / this.#geometry.blockSize));
      this.#recent.unshift(run);
      if (this.#recent.length > RECENT_RUNS) this.#recent.pop();
    }
    const length = run.end - position;
    return run.kind === 'zero' ? { kind: 'zero', length } : { kind: 'data', length, fileOffset: run.fileOffset + (position - run.start) };
  }

  /**
   * The run starting at `first`, extended over following blocks of the same kind (for data:
   * adjacent in the file) as far as the BAT page already read holds them, at most MAX_RUN_BLOCKS.
   * A damaged block after the first ends the run; only a read that reaches it fails.
   */
  async #runAt(first: number): Promise<Run> {
    const { blockSize, virtualSize } = this.#geometry;
    const page = await this.#pageOf(first);
    const head = this.#block(first, page);
    if (head.kind === 'bad') throw new VmarketError('IMAGE_CORRUPT', head.why);
    let next = first + 1;
    const last = Math.min(this.#blocks, first + MAX_RUN_BLOCKS);
    while (next < last && this.#pageIndex(next) === this.#pageIndex(first)) {
      const block = this.#block(next, page);
      if (block.kind !== head.kind) break;
      if (block.kind === 'data' && head.kind === 'data' && block.fileOffset !== head.fileOffset + (next - first) * blockSize) break;
      next++;
    }
    return { start: first * blockSize, end: Math.min(next * blockSize, virtualSize), kind: head.kind, fileOffset: head.kind === 'data' ? head.fileOffset : 0 };
  }

  #entryIndex(block: number): number {
    return block + Math.floor(block / this.#chunkRatio);
  }

  #pageIndex(block: number): number {
    return Math.floor(this.#entryIndex(block) / PAGE_ENTRIES);
  }

  #block(block: number, page: Page): Block {
    const slot = this.#entryIndex(block) % PAGE_ENTRIES;
    const state = page.states[slot];
    if (ZERO_STATES.has(state)) return ZERO_BLOCK;
    if (state === PARTIALLY_PRESENT) return { kind: 'bad', why: say(partiallyPresent, block) };
    if (state !== FULLY_PRESENT) return { kind: 'bad', why: say(unknownState, block, state) };
    const fileOffset = page.offsetsMiB[slot] * MiB;
    const end = fileOffset + this.#geometry.blockSize;
    // QEMU refuses a block that runs past the end too: the file was cut short
    const misplaced = !Number.isSafeInteger(end) || end > this.#file.size || this.#reserved.some((range) => fileOffset < range.end && end > range.start);
    return misplaced ? { kind: 'bad', why: say(blockMisplaced, block, fileOffset, this.#geometry.blockSize, this.#file.size) } : { kind: 'data', fileOffset };
  }

  async #pageOf(block: number): Promise<Page> {
    const index = this.#pageIndex(block);
    const cached = this.#pages.get(index);
    if (cached) return cached;
    const firstEntry = index * PAGE_ENTRIES;
    const count = Math.min(PAGE_ENTRIES, this.#entries - firstEntry);
    // the region lies inside the file (checked with the region table), so this read is whole
    const bytes = await this.#file.read(this.#bat.fileOffset + firstEntry * ENTRY_BYTES, count * ENTRY_BYTES);
    const page: Page = { states: new Uint8Array(count), offsetsMiB: new Float64Array(count) };
    for (let i = 0; i < count; i++) {
      const low = bytes.readUInt32LE(i * ENTRY_BYTES);
      const high = bytes.readUInt32LE(i * ENTRY_BYTES + 4);
      page.states[i] = low & 7;
      // bits 20–63: at most 2^44, exact in a double
      page.offsetsMiB[i] = high * 4096 + (low >>> 20);
    }
    this.#pages.set(index, page, count * 9);
    return page;
  }
}
