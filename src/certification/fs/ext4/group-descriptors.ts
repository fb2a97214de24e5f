/**
 * Block group descriptors: where each group's inode table starts. Descriptors are read lazily one
 * descriptor block at a time (a 16 TiB file system has megabytes of them) and kept in a small LRU.
 * With meta_bg, descriptor block i past `s_first_meta_bg` lives in the first group of meta group i
 * (right after that group's superblock backup, if it has one), not in the table after block 0.
 */
import type { RangeReader } from '../../disk/types.ts';
import { corrupt } from './errors.ts';
import { LruCache } from '../../../util/lru.ts';
import { join64, readExact } from './read.ts';
import { INCOMPAT, RO_COMPAT, type ExtSuperblockInfo } from './superblock.ts';
import { atBlock, groupDescriptorBlock, groupMissing, inodeTable, outside } from './texts.ts';

export class GroupDescriptors {
  readonly #reader: RangeReader;
  readonly #sb: ExtSuperblockInfo;
  readonly #perBlock: number;
  readonly #blocks = new LruCache<number, Buffer>(64);

  constructor(reader: RangeReader, sb: ExtSuperblockInfo) {
    this.#reader = reader;
    this.#sb = sb;
    this.#perBlock = sb.blockSize / sb.descSize;
  }

  /** First block of the inode table of `group`, checked to lie inside the file system. */
  async inodeTableBlock(group: number): Promise<number> {
    const sb = this.#sb;
    if (group < 0 || group >= sb.groupCount) throw corrupt(groupMissing(group));
    const blockIndex = Math.floor(group / this.#perBlock);
    const block = await this.#descriptorBlock(blockIndex);
    const at = (group % this.#perBlock) * sb.descSize;
    const lo = block.readUInt32LE(at + 0x8);
    const hi = sb.descSize >= 64 ? block.readUInt32LE(at + 0x28) : 0;
    const table = join64(lo, hi, inodeTable(group));
    const tableBlocks = Math.ceil((sb.inodesPerGroup * sb.inodeSize) / sb.blockSize);
    if (table < sb.firstDataBlock || table + tableBlocks > sb.blocksCount) {
      throw corrupt(outside(atBlock(inodeTable(group), table)));
    }
    return table;
  }

  async #descriptorBlock(index: number): Promise<Buffer> {
    const cached = this.#blocks.get(index);
    if (cached) return cached;
    const location = this.#location(index);
    if (location >= this.#sb.blocksCount) {
      throw corrupt(outside(atBlock(groupDescriptorBlock(index), location)));
    }
    const block = await readExact(this.#reader, location * this.#sb.blockSize, this.#sb.blockSize, groupDescriptorBlock(index));
    this.#blocks.set(index, block);
    return block;
  }

  /** Block number of descriptor block `index` (as e2fsprogs' ext2fs_descriptor_block_loc2). */
  #location(index: number): number {
    const sb = this.#sb;
    // 1 KiB blocks with bigalloc start group 0 at block 0, but the superblock is still block 1.
    const superBlock = sb.firstDataBlock === 0 && sb.blockSize === 1024 ? 1 : sb.firstDataBlock;
    const metaBg = (sb.features.incompat & INCOMPAT.META_BG) !== 0;
    if (!metaBg || index < sb.firstMetaBg) return superBlock + 1 + index;
    const group = index * this.#perBlock;
    return sb.firstDataBlock + group * sb.blocksPerGroup + (groupHasSuperblock(sb, group) ? 1 : 0);
  }
}

/** With sparse_super only groups 0, 1 and powers of 3, 5 and 7 carry superblock backups. */
export function groupHasSuperblock(sb: ExtSuperblockInfo, group: number): boolean {
  if (group <= 1 || (sb.features.roCompat & RO_COMPAT.SPARSE_SUPER) === 0) return true;
  if (group % 2 === 0) return false;
  for (const base of [3, 5, 7]) {
    let power = base;
    while (power < group) power *= base;
    if (power === group) return true;
  }
  return false;
}
