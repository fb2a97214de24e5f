/**
 * Directories: linear entries (inode, rec_len, name_len, file_type, name) in every directory block.
 * Hashed (htree) directories are read the same way: their index root and nodes are disguised as
 * entries that span the block ("." and ".." in block 0, an empty entry in the nodes), so reading
 * all blocks linearly lists every name exactly once. Inline directories keep the parent inode in
 * the first 4 bytes of i_block and entries in the rest of i_block and in `system.data`.
 */
import type { Localized } from '../../../i18n/localized.ts';
import type { GuestFileType } from '../types.ts';
import type { RawDirEntry } from '../volume.ts';
import { corrupt } from './errors.ts';
import { inodeRuns, isInline } from './file-data.ts';
import { inlineDataXattr } from './inline-data.ts';
import { I_BLOCK_OFFSET, I_BLOCK_SIZE, type Inode } from './inode.ts';
import { readExact } from './read.ts';
import { INCOMPAT } from './superblock.ts';
import type { ExtContext } from './runs.ts';
import { block, directoryInode, entryAt, entryProblem, holeAt, inlineEntries, inlineExtendedEntries, notWholeBlocks, partOf } from './texts.ts';

const DIRENT_TYPES: GuestFileType[] = ['unknown', 'file', 'dir', 'chardev', 'blockdev', 'fifo', 'socket', 'symlink'];
/** Directory blocks read per positioned read. */
const READ_BYTES = 1024 * 1024;

/** Every entry except `.` and `..`, in on-disk order, a batch per directory block. */
export async function* directoryEntries(ctx: ExtContext, dir: Inode): AsyncGenerator<RawDirEntry[]> {
  if (isInline(dir)) {
    const head = dir.raw.subarray(I_BLOCK_OFFSET + 4, I_BLOCK_OFFSET + I_BLOCK_SIZE);
    yield parseEntries(ctx, dir, head, inlineEntries);
    const tail = inlineDataXattr(dir);
    if (tail.length > 0) yield parseEntries(ctx, dir, tail, inlineExtendedEntries);
    return;
  }
  const { blockSize } = ctx.sb;
  if (dir.size % blockSize !== 0) throw corrupt(notWholeBlocks(directoryInode(dir.number), dir.size));
  const blocks = dir.size / blockSize;
  let expected = 0;
  for await (const run of inodeRuns(ctx, dir, blocks)) {
    if (run.logical !== expected || run.physical === 0) throw corrupt(holeAt(directoryInode(dir.number), expected));
    const count = Math.min(run.count, blocks - run.logical);
    expected = run.logical + count;
    const perRead = Math.max(1, Math.floor(READ_BYTES / blockSize));
    for (let first = 0; first < count; first += perRead) {
      const n = Math.min(perRead, count - first);
      const bytes = await readExact(ctx.reader, (run.physical + first) * blockSize, n * blockSize, directoryInode(dir.number));
      for (let b = 0; b < n; b++) {
        yield parseEntries(ctx, dir, bytes.subarray(b * blockSize, (b + 1) * blockSize), block(run.logical + first + b));
      }
    }
    if (expected >= blocks) return;
  }
  if (expected < blocks) throw corrupt(holeAt(directoryInode(dir.number), expected));
}

function parseEntries(ctx: ExtContext, dir: Inode, bytes: Buffer, part: Localized): RawDirEntry[] {
  // built only for an error: this runs for every directory block of a scan
  const where = () => partOf(directoryInode(dir.number), part, ', ');
  const entries: RawDirEntry[] = [];
  const hasType = (ctx.sb.features.incompat & INCOMPAT.FILETYPE) !== 0;
  const bigBlocks = ctx.sb.blockSize >= 65536;
  let at = 0;
  while (at < bytes.length) {
    if (at + 8 > bytes.length) throw corrupt(entryAt(where(), at, entryProblem.pastBlock));
    const inode = bytes.readUInt32LE(at);
    let recLen = bytes.readUInt16LE(at + 4);
    // 64 KiB blocks cannot store 65536 in 16 bits: the kernel encodes it as 65535 or 0.
    if (bigBlocks && (recLen === 65535 || recLen === 0)) recLen = 65536;
    const nameLen = bytes[at + 6];
    if (recLen < 8 || recLen % 4 !== 0 || at + recLen > bytes.length) {
      throw corrupt(entryAt(where(), at, entryProblem.recordLength(recLen)));
    }
    if (inode !== 0) {
      if (8 + nameLen > recLen || nameLen === 0) {
        throw corrupt(entryAt(where(), at, entryProblem.nameLength(nameLen)));
      }
      if (inode > ctx.sb.inodesCount) {
        throw corrupt(entryAt(where(), at, entryProblem.pastLastInode(inode)));
      }
      const name = bytes.toString('utf8', at + 8, at + 8 + nameLen);
      if (name !== '.' && name !== '..') {
        if (name.includes('/') || name.includes('\0')) {
          throw corrupt(entryAt(where(), at, entryProblem.badName));
        }
        const typeByte = hasType ? bytes[at + 7] : 0;
        entries.push({ name, inode, type: DIRENT_TYPES[typeByte] ?? 'unknown' });
      }
    }
    at += recLen;
  }
  return entries;
}
