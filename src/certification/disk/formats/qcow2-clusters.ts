/**
 * The qcow2 cluster map (qcow2.txt, "Cluster mapping"): the active L1 table points to L2 tables,
 * whose entries say where each guest cluster lies. An ExtentMap for MappedDisk: standard clusters
 * become runs of file bytes (consecutive clusters stored one after the other are one run, so a
 * large read is one file read), unallocated and zero clusters read as zeros (a backing file is
 * never followed), compressed clusters are inflated. With extended L2 entries (128 bits) each
 * cluster has 32 subclusters with their own allocation and zero bits.
 */
import { VmarketError } from '../../../errors.ts';
import { type Phrase, say } from '../../../i18n/localized.ts';
import { LruCache } from '../../../util/lru.ts';
import type { RangeReader } from '../types.ts';
import type { Extent, ExtentMap } from './mapped-disk.ts';
import { type CompressedClusters, compressedLocation, type CompressedLocation } from './qcow2-compressed.ts';

export interface Qcow2Layout {
  /** Version 2 has no zero clusters: QEMU takes the flag there for corruption. */
  version: 2 | 3;
  clusterBits: number;
  clusterSize: number;
  extendedL2: boolean;
}

/** L2 tables kept as read (entries are decoded on use): 32 MiB is 512 tables of 64 KiB, mapping 256 GiB. */
const L2_CACHE_BYTES = 32 * 1024 * 1024;
/** A run is cut after this much, whatever a read wants: one look-ahead stays bounded (MappedDisk joins the runs). */
const MAX_RUN_UNITS = 4096;
const MAX_RUN_BYTES = 16 * 1024 * 1024;
const SUBCLUSTERS = 32;
/** Bits 0–8 of an L1 or L2 entry's low word are flags or reserved, not offset. */
const OFFSET_LOW_MASK = 0xfffffe00;
/** Bits 32–55 of an entry (bits 0–23 of its high word) are the rest of the offset. */
const OFFSET_HIGH_MASK = 0x00ffffff;
const COMPRESSED_BIT = 0x40000000;
const ZERO_BIT = 1;

/** What one allocation unit (a cluster, or a subcluster with extended L2) holds. */
type Unit = { kind: 'zero' } | { kind: 'data'; fileOffset: number } | { kind: 'compressed'; location: CompressedLocation };

/** The last run answered, so that the many small reads inside one run cost no table lookups. */
type Run = { start: number; end: number } & ({ kind: 'zero' } | { kind: 'data'; fileOffset: number } | { kind: 'bytes'; bytes: Buffer });

const l2Unaligned: Phrase<[index: number, virtual: number, offset: number]> = {
  en: (index, virtual, offset) => `The qcow2 L1 entry ${index} (for virtual byte ${virtual}) points to an L2 table at file byte ${offset}, which is not on a cluster boundary.`,
  de: (index, virtual, offset) => `Der qcow2-L1-Eintrag ${index} (für das virtuelle Byte ${virtual}) verweist auf eine L2-Tabelle bei Dateibyte ${offset}, das nicht auf einer Clustergrenze liegt.`,
};
const l2Outside: Phrase<[index: number, virtual: number, offset: number, fileSize: number]> = {
  en: (index, virtual, offset, size) => `The qcow2 L1 entry ${index} (for virtual byte ${virtual}) points to an L2 table at file byte ${offset}, outside the ${size}-byte file.`,
  de: (index, virtual, offset, size) => `Der qcow2-L1-Eintrag ${index} (für das virtuelle Byte ${virtual}) verweist auf eine L2-Tabelle bei Dateibyte ${offset}, außerhalb der ${size} Byte großen Datei.`,
};
const dataUnaligned: Phrase<[virtual: number, entry: string, offset: number]> = {
  en: (virtual, entry, offset) => `The qcow2 L2 entry for virtual byte ${virtual} (${entry}) points to file byte ${offset}, which is not on a cluster boundary.`,
  de: (virtual, entry, offset) => `Der qcow2-L2-Eintrag für das virtuelle Byte ${virtual} (${entry}) verweist auf Dateibyte ${offset}, das nicht auf einer Clustergrenze liegt.`,
};
const dataBeyondFile: Phrase<[virtual: number, entry: string, offset: number, fileSize: number]> = {
  en: (virtual, entry, offset, size) => `The qcow2 L2 entry for virtual byte ${virtual} (${entry}) points to file byte ${offset}, beyond the end of the ${size}-byte file.`,
  de: (virtual, entry, offset, size) => `Der qcow2-L2-Eintrag für das virtuelle Byte ${virtual} (${entry}) verweist auf Dateibyte ${offset}, hinter dem Ende der ${size} Byte großen Datei.`,
};
const badSubclusters: Phrase<[virtual: number, entry: string]> = {
  en: (virtual, entry) => `The extended qcow2 L2 entry for virtual byte ${virtual} (${entry}) marks subclusters allocated and zero at once, or allocated in a cluster that has no data.`,
  de: (virtual, entry) => `Der erweiterte qcow2-L2-Eintrag für das virtuelle Byte ${virtual} (${entry}) markiert Subcluster zugleich als belegt und als Nullen, oder als belegt in einem Cluster ohne Daten.`,
};
const zeroInVersion2: Phrase<[virtual: number, entry: string]> = {
  en: (virtual, entry) => `The qcow2 L2 entry for virtual byte ${virtual} (${entry}) marks a zero cluster, which version 2 images do not have.`,
  de: (virtual, entry) => `Der qcow2-L2-Eintrag für das virtuelle Byte ${virtual} (${entry}) markiert einen Null-Cluster, den es in Images der Version 2 nicht gibt.`,
};
const beyondL1: Phrase<[virtual: number]> = {
  en: (virtual) => `The qcow2 L1 table has no entry for virtual byte ${virtual}.`,
  de: (virtual) => `Die qcow2-L1-Tabelle hat keinen Eintrag für das virtuelle Byte ${virtual}.`,
};

/** An entry's offset field (bits 9–55) from its two 32-bit halves. */
function entryOffset(high: number, low: number): number {
  return (high & OFFSET_HIGH_MASK) * 2 ** 32 + ((low & OFFSET_LOW_MASK) >>> 0);
}

function hexWords(table: Buffer, at: number, words: number): string {
  const parts: string[] = [];
  for (let i = 0; i < words; i++) parts.push(`0x${table.readBigUInt64BE(at + i * 8).toString(16).padStart(16, '0')}`);
  return parts.join(' ');
}

export class Qcow2ClusterMap implements ExtentMap {
  readonly #file: RangeReader;
  readonly #layout: Qcow2Layout;
  /** The active L1 table: as many 8-byte entries as the virtual size needs. */
  readonly #l1: Buffer;
  readonly #compressed: CompressedClusters;
  readonly #l2Cache = new LruCache<number, Buffer>(L2_CACHE_BYTES);
  readonly #entryBytes: number;
  readonly #entriesPerTable: number;
  readonly #unitsPerCluster: number;
  readonly #unitSize: number;
  readonly #maxRunUnits: number;
  #last: Run | null = null;
  #lastTable: { offset: number; table: Buffer } | null = null;

  constructor(file: RangeReader, layout: Qcow2Layout, l1: Buffer, compressed: CompressedClusters) {
    this.#file = file;
    this.#layout = layout;
    this.#l1 = l1;
    this.#compressed = compressed;
    this.#entryBytes = layout.extendedL2 ? 16 : 8;
    this.#entriesPerTable = layout.clusterSize / this.#entryBytes;
    this.#unitsPerCluster = layout.extendedL2 ? SUBCLUSTERS : 1;
    this.#unitSize = layout.clusterSize / this.#unitsPerCluster;
    this.#maxRunUnits = Math.max(1, Math.min(MAX_RUN_UNITS, MAX_RUN_BYTES / this.#unitSize));
  }

  async extentAt(position: number, wanted: number): Promise<Extent> {
    const last = this.#last;
    const run = last && position >= last.start && position < last.end ? last : await this.#runAt(position, wanted);
    this.#last = run;
    const length = run.end - position;
    if (run.kind === 'data') return { kind: 'data', length, fileOffset: run.fileOffset + (position - run.start) };
    if (run.kind === 'bytes') return { kind: 'bytes', length, bytes: run.bytes.subarray(position - run.start) };
    return { kind: 'zero', length };
  }

  /** The run at `position`, looking ahead no further than the `wanted` bytes need. */
  async #runAt(position: number, wanted: number): Promise<Run> {
    const { clusterSize } = this.#layout;
    const cluster = Math.floor(position / clusterSize);
    const l1Index = Math.floor(cluster / this.#entriesPerTable);
    const tableStart = l1Index * this.#entriesPerTable * clusterSize;
    const table = await this.#l2Table(l1Index, position);
    if (table === null) return { kind: 'zero', start: tableStart, end: tableStart + this.#entriesPerTable * clusterSize };

    const unitsPerTable = this.#entriesPerTable * this.#unitsPerCluster;
    const first = Math.floor((position - tableStart) / this.#unitSize);
    const unitStart = (unit: number) => tableStart + unit * this.#unitSize;
    const head = this.#unit(table, first, unitStart(first));
    if (head.kind === 'compressed') {
      const clusterStart = cluster * clusterSize;
      const bytes = await this.#compressed.cluster(head.location, clusterStart);
      return { kind: 'bytes', start: clusterStart, end: clusterStart + clusterSize, bytes };
    }
    let count = 1;
    const needed = Math.ceil((position + Math.max(1, wanted) - unitStart(first)) / this.#unitSize);
    const limit = Math.min(unitsPerTable - first, this.#maxRunUnits, needed);
    while (count < limit) {
      const next = this.#unitOrNull(table, first + count, unitStart(first + count));
      if (next === null || next.kind !== head.kind) break;
      if (next.kind === 'data' && head.kind === 'data' && next.fileOffset !== head.fileOffset + count * this.#unitSize) break;
      count++;
    }
    const start = unitStart(first);
    const end = start + count * this.#unitSize;
    return head.kind === 'data' ? { kind: 'data', start, end, fileOffset: head.fileOffset } : { kind: 'zero', start, end };
  }

  /** The L2 table of L1 entry `index`, or null when it is unallocated (the whole range reads as zeros). */
  async #l2Table(index: number, position: number): Promise<Buffer | null> {
    if (index * 8 + 8 > this.#l1.length) throw new VmarketError('IMAGE_CORRUPT', say(beyondL1, position));
    const offset = entryOffset(this.#l1.readUInt32BE(index * 8), this.#l1.readUInt32BE(index * 8 + 4));
    if (offset === 0) return null;
    // most reads land in the table the previous one used: no LRU bookkeeping for those
    if (this.#lastTable?.offset === offset) return this.#lastTable.table;
    const cached = this.#l2Cache.get(offset);
    if (cached) {
      this.#lastTable = { offset, table: cached };
      return cached;
    }
    const { clusterSize } = this.#layout;
    if (offset % clusterSize !== 0) throw new VmarketError('IMAGE_CORRUPT', say(l2Unaligned, index, position, offset));
    if (offset + clusterSize > this.#file.size) throw new VmarketError('IMAGE_CORRUPT', say(l2Outside, index, position, offset, this.#file.size));
    const table = await this.#file.read(offset, clusterSize);
    this.#l2Cache.set(offset, table, table.length);
    this.#lastTable = { offset, table };
    return table;
  }

  /** A unit further along a run: a broken entry ends the run and is reported only when it is read itself. */
  #unitOrNull(table: Buffer, unit: number, virtual: number): Unit | null {
    try {
      return this.#unit(table, unit, virtual);
    } catch (error) {
      if (error instanceof VmarketError) return null;
      throw error;
    }
  }

  /** What allocation unit `unit` of an L2 table holds; `virtual` (its first byte) names it in an error. */
  #unit(table: Buffer, unit: number, virtual: number): Unit {
    const at = Math.floor(unit / this.#unitsPerCluster) * this.#entryBytes;
    const high = table.readUInt32BE(at);
    const low = table.readUInt32BE(at + 4);
    if (high & COMPRESSED_BIT) return { kind: 'compressed', location: compressedLocation(high, low, this.#layout.clusterBits) };
    const hostOffset = entryOffset(high, low);
    const aligned = () => {
      if (hostOffset % this.#layout.clusterSize !== 0) {
        throw new VmarketError('IMAGE_CORRUPT', say(dataUnaligned, virtual, hexWords(table, at, this.#entryBytes / 8), hostOffset));
      }
    };
    const data = (fileOffset: number): Unit => {
      if (fileOffset >= this.#file.size) {
        throw new VmarketError('IMAGE_CORRUPT', say(dataBeyondFile, virtual, hexWords(table, at, this.#entryBytes / 8), fileOffset, this.#file.size));
      }
      return { kind: 'data', fileOffset };
    };
    if (!this.#layout.extendedL2) {
      if (low & ZERO_BIT && this.#layout.version === 2) throw new VmarketError('IMAGE_CORRUPT', say(zeroInVersion2, virtual, hexWords(table, at, 1)));
      if (hostOffset !== 0) aligned();
      if (low & ZERO_BIT || hostOffset === 0) return { kind: 'zero' };
      return data(hostOffset);
    }
    // the bitmap word: zero bits 32–63 (its high half), allocation bits 0–31 (its low half)
    const zeroBits = table.readUInt32BE(at + 8);
    const allocBits = table.readUInt32BE(at + 12);
    if ((zeroBits & allocBits) !== 0 || (hostOffset === 0 && allocBits !== 0)) {
      throw new VmarketError('IMAGE_CORRUPT', say(badSubclusters, virtual, hexWords(table, at, 2)));
    }
    if (hostOffset === 0) return { kind: 'zero' };
    aligned();
    // a subcluster is data, or reads as zeros (its zero bit, or neither bit: unallocated, no backing file)
    const sub = unit % SUBCLUSTERS;
    if ((allocBits >>> sub) & 1) return data(hostOffset + sub * this.#unitSize);
    return { kind: 'zero' };
  }
}
