/**
 * XFS directories (xfs_da_format.h). Short form lives in the inode (struct xfs_dir2_sf_hdr:
 * 4- or 8-byte inode numbers, an optional file-type byte). Every other form — block, leaf,
 * node, B+tree — keeps its entries in data blocks mapped below the 32 GiB leaf offset of the
 * directory (leaf, node and free-index blocks above it only speed up lookups), so reading those
 * data blocks in order lists every name once. A directory block is blockSize << dirblklog bytes
 * and may span several extents. v5 data blocks carry a CRC, their owner, position and UUID.
 */
import type { Localized } from '../../../i18n/localized.ts';
import type { GuestFileType } from '../types.ts';
import type { RawDirEntry } from '../volume.ts';
import { checkCrc, checkUuid } from './crc.ts';
import { corrupt, readExact } from './errors.ts';
import { forkExtents, type MapContext } from './extents.ts';
import { FORK, type XfsInode } from './inode.ts';
import {
  badMagic, directoryBlock, mapsTwice, directoryInode, entryAt, entryProblem, hasImpossible, holeInDirectoryBlock, partOf, shortFormEntries,
  shortFormPastFork, wrongOwner, wrongPosition, xfsEntryProblem, xfsQuantity,
} from './texts.ts';

const TYPES: GuestFileType[] = ['unknown', 'file', 'dir', 'chardev', 'blockdev', 'fifo', 'socket', 'symlink'];
const LEAF_OFFSET_BYTES = 32 * 2 ** 30;
const MAGIC = { BLOCK: 0x58443242, DATA: 0x58443244, BLOCK3: 0x58444233, DATA3: 0x58444433 } as const;
/** Directory bytes read per positioned read. */
const READ_BYTES = 1024 * 1024;

export async function* directoryEntries(ctx: MapContext, dir: XfsInode): AsyncGenerator<RawDirEntry[]> {
  if (dir.format === FORK.LOCAL) {
    yield shortForm(ctx, dir);
    return;
  }
  for await (const bytes of directoryBlocks(ctx, dir)) yield dataBlock(ctx, dir, bytes.block, bytes.data);
}

function shortForm(ctx: MapContext, dir: XfsInode): RawDirEntry[] {
  const where = () => partOf(directoryInode(dir.number), shortFormEntries, ', ');
  const bytes = dir.fork;
  if (dir.size > bytes.length || dir.size < 6) throw corrupt(shortFormPastFork(where()));
  const count = bytes[0];
  const wide = bytes[1] !== 0;
  const numberSize = wide ? 8 : 4;
  const ftype = ctx.sb.ftype ? 1 : 0;
  const end = dir.size;
  let at = 2 + numberSize;
  const entries: RawDirEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 3 > end) throw corrupt(entryAt(where(), at, entryProblem.pastBlock));
    const nameLength = bytes[at];
    const nameAt = at + 3;
    const numberAt = nameAt + nameLength + ftype;
    if (nameLength === 0) throw corrupt(entryAt(where(), at, entryProblem.nameLength(nameLength)));
    if (numberAt + numberSize > end) throw corrupt(entryAt(where(), at, entryProblem.pastBlock));
    const inode = wide ? Number(bytes.readBigUInt64BE(numberAt)) : bytes.readUInt32BE(numberAt);
    entries.push(entry(bytes, nameAt, nameLength, inode, ftype ? bytes[nameAt + nameLength] : 0, () => entryAt(where(), at, entryProblem.badName)));
    at = numberAt + numberSize;
  }
  return entries;
}

function entry(bytes: Buffer, nameAt: number, nameLength: number, inode: number, type: number, bad: () => Localized): RawDirEntry {
  const name = bytes.toString('utf8', nameAt, nameAt + nameLength);
  if (name.includes('/') || name.includes('\0')) throw corrupt(bad());
  return { name, inode, type: TYPES[type] ?? 'unknown' };
}

/** The directory's data blocks (below the leaf offset) in order, assembled across extents. */
async function* directoryBlocks(ctx: MapContext, dir: XfsInode): AsyncGenerator<{ block: number; data: Buffer }> {
  const { sb } = ctx;
  const perDirBlock = sb.dirBlockSize / sb.blockSize;
  const leafBlock = LEAF_OFFSET_BYTES / sb.blockSize;
  let pending: { logical: number; parts: Buffer[]; blocks: number } | null = null;
  const what = (b: number) => partOf(directoryInode(dir.number), directoryBlock(b), ', ');
  // di_size of a block/leaf/node/B+tree directory ends with its last data block: nothing past it is read
  const dataEnd = Math.min(leafBlock, Math.ceil(dir.size / sb.blockSize));
  let expected = 0;
  for await (const batch of forkExtents(ctx, dir)) {
    for (const extent of batch) {
      // extents in file order, never mapping a directory offset twice: crafted extents cannot make one block read over and over
      if (extent.offset < expected) throw corrupt(mapsTwice(directoryInode(dir.number), extent.offset));
      expected = extent.offset + extent.count;
      if (extent.offset >= dataEnd) return;
      let logical = extent.offset;
      let physical = extent.block;
      let left = Math.min(extent.count, dataEnd - logical);
      while (left > 0) {
        if (pending === null && logical % perDirBlock === 0 && left >= perDirBlock) {
          const whole = Math.min(Math.floor(left / perDirBlock), Math.max(1, Math.floor(READ_BYTES / sb.dirBlockSize))) * perDirBlock;
          const data = await readExact(ctx.reader, physical * sb.blockSize, whole * sb.blockSize, what(logical));
          for (let i = 0; i < whole; i += perDirBlock) {
            yield { block: physical + i, data: data.subarray(i * sb.blockSize, (i + perDirBlock) * sb.blockSize) };
          }
          logical += whole;
          physical += whole;
          left -= whole;
          continue;
        }
        if (pending === null) {
          if (logical % perDirBlock !== 0) throw corrupt(holeInDirectoryBlock(directoryInode(dir.number), logical));
          pending = { logical, parts: [], blocks: 0 };
        }
        if (logical !== pending.logical + pending.blocks) throw corrupt(holeInDirectoryBlock(directoryInode(dir.number), logical));
        const take = Math.min(left, perDirBlock - pending.blocks);
        pending.parts.push(await readExact(ctx.reader, physical * sb.blockSize, take * sb.blockSize, what(logical)));
        pending.blocks += take;
        logical += take;
        physical += take;
        left -= take;
        if (pending.blocks === perDirBlock) {
          // the position check of a v5 header names the first block of the directory block
          const first = physical - take - (perDirBlock - take);
          yield { block: pending.parts.length === 1 ? first : -1, data: Buffer.concat(pending.parts) };
          pending = null;
        }
      }
    }
  }
  if (pending !== null) throw corrupt(holeInDirectoryBlock(directoryInode(dir.number), pending.logical + pending.blocks));
}

/** The entries of one data block (block or data form); `block` is its first device block, -1 when assembled from several extents. */
function dataBlock(ctx: MapContext, dir: XfsInode, block: number, bytes: Buffer): RawDirEntry[] {
  const { sb } = ctx;
  const where = () => partOf(directoryInode(dir.number), directoryBlock(block), ', ');
  const magic = bytes.readUInt32BE(0);
  const v5 = sb.version === 5;
  const isBlock = magic === (v5 ? MAGIC.BLOCK3 : MAGIC.BLOCK);
  if (!isBlock && magic !== (v5 ? MAGIC.DATA3 : MAGIC.DATA)) throw corrupt(badMagic(where()));
  if (v5) {
    checkCrc(bytes, 4, where);
    const sector = Number(bytes.readBigUInt64BE(8));
    if (block >= 0 && sector !== block * (sb.blockSize / 512)) throw corrupt(wrongPosition(where(), sector));
    checkUuid(bytes, 24, sb.metaUuid, where);
    const owner = Number(bytes.readBigUInt64BE(40));
    if (owner !== dir.number) throw corrupt(wrongOwner(where(), owner));
  }
  let end = bytes.length;
  if (isBlock) {
    // block form: a leaf table (8 bytes an entry) and its 8-byte tail end the block
    const leaves = bytes.readUInt32BE(bytes.length - 8);
    end = bytes.length - 8 - leaves * 8;
    if (end < (v5 ? 64 : 16)) throw corrupt(hasImpossible(where(), xfsQuantity.leafCount, leaves));
  }
  const ftype = sb.ftype ? 1 : 0;
  const entries: RawDirEntry[] = [];
  for (let at = v5 ? 64 : 16; at < end;) {
    if (at + 8 > end) throw corrupt(entryAt(where(), at, entryProblem.pastBlock));
    if (bytes.readUInt16BE(at) === 0xffff) {
      const length = bytes.readUInt16BE(at + 2);
      if (length < 8 || length % 8 !== 0 || at + length > end) throw corrupt(entryAt(where(), at, xfsEntryProblem.freeLength(length)));
      at += length;
      continue;
    }
    const nameLength = bytes[at + 8];
    const length = Math.ceil((8 + 1 + nameLength + ftype + 2) / 8) * 8;
    if (nameLength === 0) throw corrupt(entryAt(where(), at, entryProblem.nameLength(nameLength)));
    if (at + length > end) throw corrupt(entryAt(where(), at, entryProblem.pastBlock));
    if (bytes.readUInt16BE(at + length - 2) !== at) throw corrupt(entryAt(where(), at, xfsEntryProblem.badTag));
    const nameAt = at + 9;
    const dot = nameLength <= 2 && bytes[nameAt] === 0x2e && (nameLength === 1 || bytes[nameAt + 1] === 0x2e);
    if (!dot) {
      const inode = Number(bytes.readBigUInt64BE(at));
      entries.push(entry(bytes, nameAt, nameLength, inode, ftype ? bytes[nameAt + nameLength] : 0, () => entryAt(where(), at, entryProblem.badName)));
    }
    at += length;
  }
  return entries;
}
