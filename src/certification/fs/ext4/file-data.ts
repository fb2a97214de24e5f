/**
 * Reading a file's bytes: its block runs (extents, block map or inline data) turned into a stream
 * of chunks. Contiguous runs are read with one positioned read per chunk, holes come out as
 * zeros, the output is exactly i_size bytes, and one read is kept in flight ahead of the consumer
 * so hashing and I/O overlap. Nothing ever holds more than two chunks. Small reads go through the
 * volume's read-ahead (readahead.ts), so a chunk may be a view of memory shared with other files.
 */
import { blockMapRuns } from './block-map.ts';
import { corrupt } from './errors.ts';
import { extentRuns, rootLeafRuns } from './extents.ts';
import { inlineFileContent } from './inline-data.ts';
import { INODE_FLAGS, type Inode } from './inode.ts';
import { readExact } from './read.ts';
import { coalesceRuns, type BlockRun, type ExtContext } from './runs.ts';
import type { BlockClaims } from '../block-claims.ts';
import type { StreamOptions } from '../types.ts';
import { inodeData, inodeNo, mapsBlockTwice, mapsTwice, sharesBlocks, tooLarge } from './texts.ts';

export const DEFAULT_CHUNK = 1024 * 1024;

/** One piece of output: bytes at a byte position of the file system, or zeros (position -1). */
interface Piece { position: number; length: number }

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
 * Streams the first `maxBytes` (default: all) of the inode's content in chunks of `chunkSize`.
 * Holes come out as zeros up to `options.holeBytes` of them (default: all); past that a file is
 * streamed as its mapped data only, so an inode claiming terabytes over one mapped block costs one
 * block. With `options.claims`, a file mapping blocks another file mapped is corrupt.
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
  const planner = new PiecePlanner(inode, total, chunkSize, ctx.sb.blockSize, options);
  const limitBlocks = Math.ceil(total / ctx.sb.blockSize);
  // Fast path: an extent tree held in the inode (almost every file) is decoded without async layers.
  const inRoot = total > 0 && (inode.flags & INODE_FLAGS.EXTENTS) !== 0 ? rootLeafRuns(ctx, inode, limitBlocks) : null;
  const known = inRoot === null ? null : coalesce(inRoot);
  if (known !== null && total <= chunkSize * FEW_PIECES) {
    const pieces: Piece[] = [];
    for (const run of known) {
      planner.feed(run, pieces);
      if (planner.done) break;
    }
    planner.finish(pieces);
    if (pieces.length === 1) {
      yield await read(pieces[0]);
      return;
    }
    yield* readAhead(pieces, read);
    return;
  }
  async function* allPieces(): AsyncGenerator<Piece> {
    const batch: Piece[] = [];
    if (total > 0) {
      for await (const run of known ?? inodeRuns(ctx, inode, limitBlocks)) {
        planner.feed(run, batch);
        yield* batch;
        batch.length = 0;
        if (planner.done) break;
      }
    }
    planner.finish(batch);
    yield* batch;
  }
  yield* readAhead(allPieces(), read);
}

/** Files of at most this many chunks are planned up front (the rest lazily: a tiny chunkSize must not plan millions). */
const FEW_PIECES = 64;

/** coalesceRuns for runs already in memory. */
function coalesce(runs: BlockRun[]): BlockRun[] {
  const out: BlockRun[] = [];
  for (const run of runs) {
    const last = out[out.length - 1];
    if (last !== undefined && last.logical + last.count === run.logical &&
      ((last.physical === 0 && run.physical === 0) || (last.physical !== 0 && run.physical !== 0 && last.physical + last.count === run.physical))) {
      last.count += run.count;
    } else out.push({ ...run });
  }
  return out;
}

/** Reads pieces in order keeping one read in flight ahead of the consumer (hashing and I/O overlap). */
async function* readAhead(pieces: Iterable<Piece> | AsyncIterable<Piece>, read: (piece: Piece) => Promise<Buffer>): AsyncGenerator<Buffer> {
  const pending: Array<Promise<Buffer>> = [];
  for await (const piece of pieces) {
    const next = read(piece);
    next.catch(() => undefined); // awaited below; this only stops an "unhandled rejection" while queued
    pending.push(next);
    if (pending.length > 1) yield await pending.shift()!;
  }
  while (pending.length > 0) yield await pending.shift()!;
}

/**
 * Turns block runs (in logical order) into output pieces of at most `chunkSize`, holes as zeros
 * (up to `holeBytes` of them), and refuses a mapping that uses a physical block twice: a crafted
 * extent list can map one extent under every logical range and multiply the bytes read.
 */
class PiecePlanner {
  readonly #inode: Inode;
  readonly #total: number;
  readonly #chunkSize: number;
  readonly #blockSize: number;
  #done = 0;
  #zerosLeft: number;
  /** Physical [start, end) of every mapped run, and whether they came in increasing order. */
  readonly #physical: number[] = [];
  #inOrder = true;

  readonly #claims: BlockClaims | undefined;

  constructor(inode: Inode, total: number, chunkSize: number, blockSize: number, options: StreamOptions) {
    this.#inode = inode;
    this.#total = total;
    this.#chunkSize = chunkSize;
    this.#blockSize = blockSize;
    this.#zerosLeft = options.holeBytes ?? Number.POSITIVE_INFINITY;
    this.#claims = options.claims;
  }

  get done(): boolean {
    return this.#done >= this.#total;
  }

  feed(run: BlockRun, out: Piece[]): void {
    const runStart = run.logical * this.#blockSize;
    if (runStart < this.#done) throw corrupt(mapsTwice(inodeNo(this.#inode.number), run.logical));
    this.#zeros(Math.min(runStart, this.#total), out);
    const runEnd = Math.min(runStart + run.count * this.#blockSize, this.#total);
    if (run.physical === 0) {
      this.#zeros(runEnd, out);
      return;
    }
    this.#claim(run.physical, run.physical + Math.ceil((runEnd - runStart) / this.#blockSize));
    const base = run.physical * this.#blockSize - runStart;
    while (this.#done < runEnd) {
      const length = Math.min(this.#chunkSize, runEnd - this.#done);
      out.push({ position: base + this.#done, length });
      this.#done += length;
    }
  }

  /** Zeros for whatever no run covered, up to the end; throws when two runs share a block. */
  finish(out: Piece[]): void {
    this.#zeros(this.#total, out);
    if (!this.#inOrder) this.#checkOverlaps();
  }

  #zeros(upTo: number, out: Piece[]): void {
    while (this.#done < upTo && this.#zerosLeft > 0) {
      const length = Math.min(this.#chunkSize, upTo - this.#done, this.#zerosLeft);
      this.#done += length;
      this.#zerosLeft -= length;
      out.push({ position: -1, length });
    }
    // past the bound a hole is skipped, not streamed
    if (this.#done < upTo) this.#done = upTo;
  }

  #claim(start: number, end: number): void {
    const runs = this.#physical;
    // almost every file is laid out in increasing order: then no run can overlap an earlier one
    if (runs.length > 0 && start < runs[runs.length - 1]) this.#inOrder = false;
    runs.push(start, end);
    if (this.#claims && !this.#claims.claim(start, end)) throw corrupt(sharesBlocks(inodeNo(this.#inode.number), start, end - 1));
  }

  #checkOverlaps(): void {
    const order: number[] = [];
    for (let i = 0; i < this.#physical.length; i += 2) order.push(i);
    order.sort((a, b) => this.#physical[a] - this.#physical[b]);
    let farthest = 0;
    for (const at of order) {
      const start = this.#physical[at];
      if (start < farthest) throw corrupt(mapsBlockTwice(inodeNo(this.#inode.number), start));
      farthest = Math.max(farthest, this.#physical[at + 1]);
    }
  }
}

/** The whole content of a small inode (symlink targets, inline directories), bounded by `limit`. */
export async function readSmall(ctx: ExtContext, inode: Inode, limit: number): Promise<Buffer> {
  if (inode.size > limit) throw corrupt(tooLarge(inodeNo(inode.number), inode.size, limit));
  const parts: Buffer[] = [];
  for await (const chunk of streamInode(ctx, inode, DEFAULT_CHUNK)) parts.push(chunk);
  return Buffer.concat(parts);
}
