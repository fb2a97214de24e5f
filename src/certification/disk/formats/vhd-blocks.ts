/**
 * The virtual disk of a dynamic VHD as an ExtentMap: the block allocation table holds one
 * big-endian u32 sector offset per block (0xffffffff: not allocated, reads as zeros); an
 * allocated block is a sector bitmap followed by the block's data. QEMU (block/vpc.c) reads an
 * allocated block's data without consulting the bitmap, and so does this map, so that the
 * virtual disk is byte for byte what `qemu-img convert -O raw` gives.
 */
import type { RangeReader } from '../types.ts';
import type { Extent, ExtentMap } from './mapped-disk.ts';
import { checkTableInFile, TablePages, type TableSpec } from './table-pages.ts';
import type { DynamicVhdHeader } from './vhd-dynamic-header.ts';

const UNALLOCATED = 0xffffffff;
const SECTOR = 512;
/** 1 MiB of table pages: 256K blocks, 512 GiB of disk at 2 MiB blocks. */
const TABLE_BUDGET = 1024 * 1024;

export class VhdBlockMap implements ExtentMap {
  readonly #header: DynamicVhdHeader;
  readonly #table: TableSpec;
  readonly #pages: TablePages;

  /** `blocks`: the table entries the virtual disk needs. Throws IMAGE_CORRUPT when they are not all inside the file. */
  constructor(file: RangeReader, header: DynamicVhdHeader, blocks: number) {
    this.#header = header;
    this.#table = { what: 'VHD block allocation table', offset: header.tableOffset, entries: blocks, littleEndian: false };
    if (blocks > 0) checkTableInFile(file, this.#table);
    this.#pages = new TablePages(file, TABLE_BUDGET);
  }

  async extentAt(position: number): Promise<Extent> {
    const { blockSize, bitmapSize } = this.#header;
    const block = Math.floor(position / blockSize);
    const inBlock = position - block * blockSize;
    const { values, at } = await this.#pages.pageOf(this.#table, block);
    const sector = values[at];
    if (sector === UNALLOCATED) {
      let end = at + 1;
      while (end < values.length && values[end] === UNALLOCATED) end++;
      return { kind: 'zero', length: (end - at) * blockSize - inBlock };
    }
    // the next block's data never follows this one's in the file (its bitmap is in between)
    return { kind: 'data', fileOffset: sector * SECTOR + bitmapSize + inBlock, length: blockSize - inBlock };
  }
}
