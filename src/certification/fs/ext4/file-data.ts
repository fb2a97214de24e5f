/**
 * Reading a file's bytes: its block runs (extents, block map or inline data) turned into a stream
 * of chunks. Contiguous runs are read with one positioned read per chunk, holes come out as
 * zeros, the output is exactly i_size bytes, and one read is kept in flight ahead of the consumer
 * so hashing and I/O overlap. Nothing ever holds more than two chunks.
 */
import { blockMapRuns } from './block-map.ts';
import { corrupt } from './errors.ts';
import { extentRuns } from './extents.ts';
import { inlineFileContent } from './inline-data.ts';
import { INODE_FLAGS, type Inode } from './inode.ts';
import { readExact } from './read.ts';
import { coalesceRuns, type BlockRun, type ExtContext } from './runs.ts';

export const DEFAULT_CHUNK = 1024 * 1024;

/** One piece of output: bytes at a byte position of the file system, or zeros. */
type Piece = { position: number; length: number } | { position: -1; length: number };

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

/** Streams the first `maxBytes` (default: all) of the inode's content in chunks of `chunkSize`. */
export async function* streamInode(
  ctx: ExtContext, inode: Inode, chunkSize = DEFAULT_CHUNK, maxBytes = Number.POSITIVE_INFINITY,
): AsyncGenerator<Buffer> {
  if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) throw new RangeError('chunkSize must be a positive integer');
  const total = Math.min(inode.size, maxBytes);
  if (isInline(inode)) {
    const content = inlineFileContent(inode).subarray(0, total);
    for (let at = 0; at < content.length; at += chunkSize) yield Buffer.from(content.subarray(at, at + chunkSize));
    return;
  }
  const pending: Array<Promise<Buffer>> = [];
  for await (const piece of pieces(ctx, inode, total, chunkSize)) {
    const read = piece.position === -1
      ? Promise.resolve(Buffer.alloc(piece.length))
      : readExact(ctx.reader, piece.position, piece.length, `data of inode ${inode.number}`);
    read.catch(() => undefined); // awaited below; this only stops an "unhandled rejection" while queued
    pending.push(read);
    if (pending.length > 1) yield await pending.shift()!;
  }
  while (pending.length > 0) yield await pending.shift()!;
}

async function* pieces(ctx: ExtContext, inode: Inode, total: number, chunkSize: number): AsyncGenerator<Piece> {
  const blockSize = ctx.sb.blockSize;
  let done = 0;
  function* zeros(upTo: number): Generator<Piece> {
    while (done < upTo) {
      const length = Math.min(chunkSize, upTo - done);
      done += length;
      yield { position: -1, length };
    }
  }
  if (total > 0) {
    for await (const run of inodeRuns(ctx, inode, Math.ceil(total / blockSize))) {
      const runStart = run.logical * blockSize;
      if (runStart < done) throw corrupt(`inode ${inode.number} maps logical block ${run.logical} twice`);
      yield* zeros(Math.min(runStart, total));
      const runEnd = Math.min(runStart + run.count * blockSize, total);
      if (run.physical === 0) {
        yield* zeros(runEnd);
      } else {
        const base = run.physical * blockSize - runStart;
        while (done < runEnd) {
          const length = Math.min(chunkSize, runEnd - done);
          yield { position: base + done, length };
          done += length;
        }
      }
      if (done >= total) return;
    }
  }
  yield* zeros(total);
}

/** The whole content of a small inode (symlink targets, inline directories), bounded by `limit`. */
export async function readSmall(ctx: ExtContext, inode: Inode, limit: number): Promise<Buffer> {
  if (inode.size > limit) throw corrupt(`inode ${inode.number} is ${inode.size} bytes where at most ${limit} are possible`);
  const parts: Buffer[] = [];
  for await (const chunk of streamInode(ctx, inode, DEFAULT_CHUNK)) parts.push(chunk);
  return Buffer.concat(parts);
}
