/**
 * The virtual disk of a VMDK sparse extent as an ExtentMap: the grain directory (one u32 sector
 * offset per grain table) → grain tables (512 u32 grain sector offsets each) → grains. Read the
 * way QEMU's block/vmdk.c reads them, so that the virtual disk is byte for byte what
 * `qemu-img convert -O raw` gives: a directory or table entry of 0 is unallocated (zeros, no
 * parent is ever consulted), 1 is a zeroed grain when the header's flag bit 2 says so, and a
 * compressed grain (streamOptimized) is a marker {lba u64, size u32} followed by zlib data.
 */
import { inflateSync } from 'node:zlib';
import { VmarketError } from '../../../errors.ts';
import { type Phrase, say } from '../../../i18n/localized.ts';
import { LruCache } from '../../../util/lru.ts';
import type { RangeReader } from '../types.ts';
import type { Extent, ExtentMap } from './mapped-disk.ts';
import { checkTableInFile, TablePages, type TableSpec } from './table-pages.ts';
import { GTES_PER_GT, SECTOR, type VmdkHeader } from './vmdk-header.ts';

/** 4 MiB of tables: the directory and the grain tables of 64 GiB of disk at 64 KiB grains. */
const TABLE_BUDGET = 4 * 1024 * 1024;
/** Inflated grains kept (a certification reads the same file-system metadata many times). */
const GRAIN_BUDGET = 32 * 1024 * 1024;
const GTE_ZEROED = 1;
const MARKER_BYTES = 12;

const grainOutside: Phrase<[grain: number, offset: number, fileSize: number]> = {
  en: (grain, offset, size) => `The VMDK grain table places grain ${grain} at byte ${offset}, beyond the end of the ${size}-byte file.`,
  de: (grain, offset, size) => `Die VMDK-Grain-Tabelle legt Grain ${grain} auf Byte ${offset}, hinter das Ende der ${size} Byte großen Datei.`,
};
const wrongMarker: Phrase<[grain: number, lba: string, expected: number]> = {
  en: (grain, lba, expected) => `The marker of compressed VMDK grain ${grain} names sector ${lba}, not the grain's sector ${expected}.`,
  de: (grain, lba, expected) => `Der Marker des komprimierten VMDK-Grains ${grain} nennt Sektor ${lba}, nicht den Sektor ${expected} des Grains.`,
};
const badCompressedSize: Phrase<[grain: number, size: number]> = {
  en: (grain, size) => `The marker of compressed VMDK grain ${grain} declares ${size} bytes of compressed data, zero or more than twice the grain size.`,
  de: (grain, size) => `Der Marker des komprimierten VMDK-Grains ${grain} gibt ${size} Byte komprimierte Daten an, null oder mehr als die doppelte Grain-Größe.`,
};
const notInflated: Phrase<[grain: number]> = {
  en: (grain) => `Compressed VMDK grain ${grain} does not inflate to at most one grain of data.`,
  de: (grain) => `Das komprimierte VMDK-Grain ${grain} lässt sich nicht zu höchstens einem Grain an Daten entpacken.`,
};
const shortGrain: Phrase<[grain: number, length: number, wanted: number]> = {
  en: (grain, length, wanted) => `Compressed VMDK grain ${grain} inflates to ${length} bytes, but byte ${wanted} of it is read.`,
  de: (grain, length, wanted) => `Das komprimierte VMDK-Grain ${grain} entpackt zu ${length} Byte, gelesen wird aber sein Byte ${wanted}.`,
};

export class VmdkGrainMap implements ExtentMap {
  readonly #file: RangeReader;
  readonly #header: VmdkHeader;
  readonly #grainBytes: number;
  readonly #directory: TableSpec;
  readonly #tables: TablePages;
  readonly #grains = new LruCache<number, Buffer>(GRAIN_BUDGET);

  /** Throws IMAGE_CORRUPT when the grain directory does not lie inside the file. */
  constructor(file: RangeReader, header: VmdkHeader) {
    this.#file = file;
    this.#header = header;
    this.#grainBytes = header.grainSectors * SECTOR;
    const directoryEntries = Math.ceil(header.capacitySectors / (GTES_PER_GT * header.grainSectors));
    this.#directory = { what: 'VMDK grain directory', offset: header.gdOffsetSectors * SECTOR, entries: directoryEntries, littleEndian: true };
    checkTableInFile(file, this.#directory);
    this.#tables = new TablePages(file, TABLE_BUDGET);
  }

  async extentAt(position: number): Promise<Extent> {
    const grain = Math.floor(position / this.#grainBytes);
    const inGrain = position - grain * this.#grainBytes;
    const tableIndex = Math.floor(grain / GTES_PER_GT);
    const tableSector = await this.#tables.entry(this.#directory, tableIndex);
    const firstInTable = tableIndex * GTES_PER_GT;
    if (tableSector === 0) return { kind: 'zero', length: (firstInTable + GTES_PER_GT - grain) * this.#grainBytes - inGrain };
    const table: TableSpec = { what: 'VMDK grain table', offset: tableSector * SECTOR, entries: GTES_PER_GT, littleEndian: true };
    const { values, at } = await this.#tables.pageOf(table, grain - firstInTable);
    const entry = values[at];
    if (entry === 0 || (entry === GTE_ZEROED && this.#header.zeroedGrains)) {
      let end = at + 1;
      while (end < values.length && (values[end] === 0 || (values[end] === GTE_ZEROED && this.#header.zeroedGrains))) end++;
      return { kind: 'zero', length: (end - at) * this.#grainBytes - inGrain };
    }
    if (this.#header.compressed) return this.#compressedExtent(grain, entry, inGrain);
    const fileOffset = entry * SECTOR;
    if (fileOffset >= this.#file.size) throw new VmarketError('IMAGE_CORRUPT', say(grainOutside, grain, fileOffset, this.#file.size));
    // one long extent over the grains that follow this one in the file as well as on the disk
    let end = at + 1;
    while (end < values.length && values[end] === entry + (end - at) * this.#header.grainSectors) end++;
    return { kind: 'data', fileOffset: fileOffset + inGrain, length: (end - at) * this.#grainBytes - inGrain };
  }

  async #compressedExtent(grain: number, sector: number, inGrain: number): Promise<Extent> {
    let bytes = this.#grains.get(sector);
    if (!bytes) {
      bytes = await this.#inflateGrain(grain, sector);
      this.#grains.set(sector, bytes, Math.max(bytes.length, 1));
    }
    if (inGrain >= bytes.length) throw new VmarketError('IMAGE_CORRUPT', say(shortGrain, grain, bytes.length, inGrain));
    return { kind: 'bytes', length: bytes.length - inGrain, bytes: bytes.subarray(inGrain) };
  }

  async #inflateGrain(grain: number, sector: number): Promise<Buffer> {
    const offset = sector * SECTOR;
    const limit = 2 * this.#grainBytes;
    if (offset >= this.#file.size) throw new VmarketError('IMAGE_CORRUPT', say(grainOutside, grain, offset, this.#file.size));
    let compressed: Buffer;
    if (this.#header.markers) {
      if (offset + MARKER_BYTES > this.#file.size) throw new VmarketError('IMAGE_CORRUPT', say(grainOutside, grain, offset, this.#file.size));
      const marker = await this.#file.read(offset, MARKER_BYTES);
      const lba = marker.readBigUInt64LE(0);
      const expected = grain * this.#header.grainSectors;
      if (lba !== BigInt(expected)) throw new VmarketError('IMAGE_CORRUPT', say(wrongMarker, grain, lba.toString(), expected));
      const size = marker.readUInt32LE(8);
      if (size === 0 || size > limit) throw new VmarketError('IMAGE_CORRUPT', say(badCompressedSize, grain, size));
      if (offset + MARKER_BYTES + size > this.#file.size) throw new VmarketError('IMAGE_CORRUPT', say(grainOutside, grain, offset, this.#file.size));
      compressed = await this.#file.read(offset + MARKER_BYTES, size);
    } else {
      // without markers the length is unknown: zlib stops at the end of its stream
      compressed = await this.#file.read(offset, Math.min(limit, this.#file.size - offset));
    }
    try {
      return inflateSync(compressed, { maxOutputLength: this.#grainBytes });
    } catch {
      throw new VmarketError('IMAGE_CORRUPT', say(notInflated, grain));
    }
  }
}
