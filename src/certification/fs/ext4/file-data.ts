/**
 * Reading a file's bytes: its block runs (extents, block map or inline data) streamed by the
 * shared ../file-stream.ts. Small reads go through the volume's read-ahead (../readahead.ts), so
 * a chunk may be a view of memory shared with other files.
 */
import { blockMapRuns } from './block-map.ts';
import { corrupt, extErrors } from './errors.ts';
import { extentRuns, rootLeafRuns } from './extents.ts';
import { inlineFileContent } from './inline-data.ts';
import { INODE_FLAGS, type Inode } from './inode.ts';
import { readExact } from './read.ts';
import { coalesceRuns, type BlockRun, type ExtContext } from './runs.ts';
import { DEFAULT_CHUNK } from '../guest-fs.ts';
import { streamRuns, type Piece } from '../file-stream.ts';
import type { StreamOptions } from '../types.ts';
import { inodeData, inodeNo, tooLarge } from './texts.ts';

export { DEFAULT_CHUNK } from '../guest-fs.ts';

export function isInline(inode: Inode): boolean {
  return (inode.flags & INODE_FLAGS.INLINE_DATA) !== 0;
}

/** The coalesced runs of a non-inline inode covering its first `limitBlocks` logical blocks. */
export function inodeRuns(ctx: ExtContext, inode: Inode, limitBlocks: number): AsyncGenerator<BlockRun> {
  const runs = (inode.flags & INODE_FLAGS.EXTENTS) !== 0
    ? extentRuns(ctx, inode, limitBlocks)
    : blockMapRuns(ctx, inode, limitBlocks);
  return coalesceRuns(runs);
}

/**
 * Streams the first `maxBytes` (default: all) of the inode's content in chunks of `chunkSize`
 * (holes and `options` as streamRuns in ../file-stream.ts says).
 */
export async function* streamInode(
  ctx: ExtContext, inode: Inode, chunkSize = DEFAULT_CHUNK, maxBytes = Number.POSITIVE_INFINITY, options: StreamOptions = {},
): AsyncGenerator<Buffer> {
  if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) throw new RangeError('chunkSize must be a positive integer');
  const total = Math.min(inode.size, maxBytes);
  if (isInline(inode)) {
    const content = inlineFileContent(inode).subarray(0, total);
    for (let at = 0; at < content.length; at += chunkSize) yield Buffer.from(content.subarray(at, at + chunkSize));
    return;
  }
  const read = (piece: Piece): Promise<Buffer> => {
    if (piece.position === -1) return Promise.resolve(Buffer.alloc(piece.length));
    const what = inodeData(inode.number);
    return ctx.data ? ctx.data.read(piece.position, piece.length, what) : readExact(ctx.reader, piece.position, piece.length, what);
  };
  const limitBlocks = Math.ceil(total / ctx.sb.blockSize);
  const plan = { inode: inode.number, total, chunkSize, blockSize: ctx.sb.blockSize, options, errors: extErrors };
  // Fast path: an extent tree held in the inode (almost every file) is decoded without async layers.
  const inRoot = total > 0 && (inode.flags & INODE_FLAGS.EXTENTS) !== 0 ? rootLeafRuns(ctx, inode, limitBlocks) : null;
  yield* streamRuns(plan, inRoot ?? (() => inodeRuns(ctx, inode, limitBlocks)), read);
}

/** The whole content of a small inode (symlink targets, inline directories), bounded by `limit`. */
export async function readSmall(ctx: ExtContext, inode: Inode, limit: number): Promise<Buffer> {
  if (inode.size > limit) throw corrupt(tooLarge(inodeNo(inode.number), inode.size, limit));
  const parts: Buffer[] = [];
  for await (const chunk of streamInode(ctx, inode, DEFAULT_CHUNK)) parts.push(chunk);
  return Buffer.concat(parts);
}
