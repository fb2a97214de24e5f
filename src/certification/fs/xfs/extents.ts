/**
 * A data fork's mapping as extents: packed 128-bit records (struct xfs_bmbt_rec: unwritten flag,
 * 54-bit file offset, 52-bit start block, 21-bit length) either in the inode (extents format) or
 * in the leaves of a B+tree whose root is in the inode (btree format, struct xfs_bmdr_block; the
 * blocks are struct xfs_btree_block, CRC'd with owner and position on v5). Start blocks are
 * file-system block numbers (allocation group above agblklog); they are turned into blocks from
 * the start of the device here, and checked to lie inside one allocation group and the device.
 */
import type { Localized } from '../../../i18n/localized.ts';
import type { RangeReader } from '../../disk/types.ts';
import { checkCrc, checkUuid } from './crc.ts';
import { corrupt, readExact } from './errors.ts';
import { FORK, type XfsInode } from './inode.ts';
import type { XfsSuperblockInfo } from './superblock.ts';
import {
  badMagic, block as block_, bmbtBlock, pointsOutside, bmbtRoot, emptyExtent, extentList, hasImpossible, impossiblyLarge, mapsBlocksOutside, moreExtentsThanCounted,
  ofInode, partOf, inodeNo, reusesBlock, tooManyRecords, wrongLevel, wrongOwner, wrongPosition, xfsQuantity,
} from './texts.ts';

export interface Extent {
  /** First file block. */
  offset: number;
  /** First block from the start of the data device. */
  block: number;
  count: number;
  /** Preallocated, never written: reads as zeros. */
  unwritten: boolean;
}

export interface MapContext {
  reader: RangeReader;
  sb: XfsSuperblockInfo;
}

const REC = 16;
const BMAP_MAGIC = 0x424d4150; // 'BMAP'
const BMA3_MAGIC = 0x424d4133; // 'BMA3'
const V4_HEADER = 24;
const V5_HEADER = 72;
const V5_CRC = 64;
/** Far above the deepest tree 2^64 extents need (XFS_BM_MAXLEVELS is 9 at 512-byte blocks). */
const MAX_LEVELS = 10;

/** Decodes `count` records at `at`; `what` names the list in errors. */
export function decodeExtents(sb: XfsSuperblockInfo, bytes: Buffer, at: number, count: number, what: () => Localized): Extent[] {
  const out: Extent[] = new Array(count);
  const agSpan = 2 ** sb.agBlockLog;
  for (let i = 0; i < count; i++) {
    const p = at + i * REC;
    const w0 = bytes.readUInt32BE(p);
    const w1 = bytes.readUInt32BE(p + 4);
    const w2 = bytes.readUInt32BE(p + 8);
    const w3 = bytes.readUInt32BE(p + 12);
    const length = w3 & 0x1fffff;
    const offset = (w0 & 0x7fffffff) * 2 ** 23 + (w1 >>> 9);
    const start = (w1 & 0x1ff) * 2 ** 43 + w2 * 2 ** 11 + (w3 >>> 21);
    if (length === 0) throw corrupt(emptyExtent(what()));
    if (!Number.isSafeInteger(offset + length)) throw corrupt(impossiblyLarge(what()));
    const ag = Math.floor(start / agSpan);
    const agBlock = start % agSpan;
    const block = ag * sb.agBlocks + agBlock;
    if (ag >= sb.agCount || agBlock + length > sb.agBlocks || block + length > sb.blockCount) {
      throw corrupt(mapsBlocksOutside(what(), start, start + length - 1));
    }
    out[i] = { offset, block, count: length, unwritten: w0 >>> 31 === 1 };
  }
  return out;
}

export function extentListOf(inode: number): Localized {
  return ofInode(extentList, inode);
}

/** The extents of an extents-format fork (in the inode), or null for a B+tree. */
export function inodeExtents(sb: XfsSuperblockInfo, inode: XfsInode): Extent[] | null {
  if (inode.format !== FORK.EXTENTS) return null;
  return decodeExtents(sb, inode.fork, 0, inode.extents, () => extentListOf(inode.number));
}

/** Every extent of the data fork in file order, a batch per B+tree leaf. */
export async function* forkExtents(ctx: MapContext, inode: XfsInode): AsyncGenerator<Extent[]> {
  const inFork = inodeExtents(ctx.sb, inode);
  if (inFork !== null) {
    yield inFork;
    return;
  }
  if (inode.format !== FORK.BTREE) return;
  yield* btreeExtents(ctx, inode);
}

async function* btreeExtents(ctx: MapContext, inode: XfsInode): AsyncGenerator<Extent[]> {
  const { sb } = ctx;
  const root = inode.fork;
  const rootWhat = () => ofInode(bmbtRoot, inode.number);
  const level = root.readUInt16BE(0);
  const records = root.readUInt16BE(2);
  const rootMax = Math.floor((root.length - 4) / REC);
  if (level === 0 || level >= MAX_LEVELS) throw corrupt(hasImpossible(rootWhat(), xfsQuantity.btreeDepth, level));
  if (records > rootMax) throw corrupt(tooManyRecords(rootWhat(), records, rootMax));
  const header = sb.version === 5 ? V5_HEADER : V4_HEADER;
  const blockMax = Math.floor((sb.blockSize - header) / REC);
  const seen = new Set<number>();
  let found = 0;
  /** Pending child pointers (block numbers from the device start) with their level, last first. */
  const stack: Array<{ block: number; level: number }> = [];
  const pushChildren = (bytes: Buffer, pointersAt: number, count: number, childLevel: number, what: () => Localized) => {
    const pointers = decodePointers(sb, bytes, pointersAt, count, what);
    for (let i = pointers.length - 1; i >= 0; i--) stack.push({ block: pointers[i], level: childLevel });
  };
  pushChildren(root, 4 + rootMax * 8, records, level - 1, rootWhat);
  while (stack.length > 0) {
    const { block, level: expected } = stack.pop()!;
    const what = () => partOf(inodeNo(inode.number), bmbtBlock(block), ': ');
    if (seen.has(block)) throw corrupt(reusesBlock(what(), block));
    seen.add(block);
    const bytes = await readExact(ctx.reader, block * sb.blockSize, sb.blockSize, what());
    checkBlockHeader(sb, bytes, block, inode.number, what);
    const nodeLevel = bytes.readUInt16BE(4);
    const count = bytes.readUInt16BE(6);
    if (nodeLevel !== expected) throw corrupt(wrongLevel(what(), nodeLevel, expected));
    if (count > blockMax) throw corrupt(tooManyRecords(what(), count, blockMax));
    if (nodeLevel > 0) {
      pushChildren(bytes, header + blockMax * 8, count, nodeLevel - 1, what);
      continue;
    }
    found += count;
    if (found > inode.extents) throw corrupt(moreExtentsThanCounted(ofInode(extentList, inode.number), inode.extents));
    yield decodeExtents(sb, bytes, header, count, what);
  }
}

function checkBlockHeader(sb: XfsSuperblockInfo, bytes: Buffer, block: number, owner: number, what: () => Localized): void {
  const magic = bytes.readUInt32BE(0);
  if (magic !== (sb.version === 5 ? BMA3_MAGIC : BMAP_MAGIC)) throw corrupt(badMagic(what()));
  if (sb.version !== 5) return;
  checkCrc(bytes, V5_CRC, what);
  const sector = Number(bytes.readBigUInt64BE(24));
  if (sector !== block * (sb.blockSize / 512)) throw corrupt(wrongPosition(what(), sector));
  checkUuid(bytes, 40, sb.metaUuid, what);
  const recorded = Number(bytes.readBigUInt64BE(56));
  if (recorded !== owner) throw corrupt(wrongOwner(what(), recorded));
}

/** B+tree child pointers (64-bit file-system block numbers) as blocks from the device start. */
function decodePointers(sb: XfsSuperblockInfo, bytes: Buffer, at: number, count: number, what: () => Localized): number[] {
  const agSpan = 2 ** sb.agBlockLog;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const fsb = Number(bytes.readBigUInt64BE(at + i * 8));
    const ag = Math.floor(fsb / agSpan);
    const agBlock = fsb % agSpan;
    const block = ag * sb.agBlocks + agBlock;
    if (!Number.isSafeInteger(fsb) || ag >= sb.agCount || agBlock >= sb.agBlocks || block >= sb.blockCount) {
      throw corrupt(pointsOutside(what(), block_(fsb)));
    }
    out.push(block);
  }
  return out;
}
