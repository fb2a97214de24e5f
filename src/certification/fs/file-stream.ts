/**
 * Streaming a file's bytes from its block runs: contiguous runs are read with one positioned read
 * per chunk, holes come out as zeros, the output is exactly the file's size, and one read is kept
 * in flight ahead of the consumer so hashing and I/O overlap. Nothing ever holds more than two
 * chunks. Every reader (ext extents and block maps, XFS extent lists) turns its mapping into
 * BlockRuns and streams them here.
 */
import type { BlockClaims } from './block-claims.ts';
import type { FsErrors } from './errors.ts';
import type { StreamOptions } from './types.ts';
import { inodeNo, mapsBlockTwice, mapsTwice, sharesBlocks } from './texts.ts';

/**
 * A run of logical blocks: `physical` is the first block of the run counted from the start of the
 * file system, or 0 for blocks that read as zeros (holes and unwritten extents; block 0 never
 * holds file data in ext or XFS).
 */
export interface BlockRun {
  logical: number;
  physical: number;
  count: number;
}

/** One piece of output: bytes at a byte position of the file system, or zeros (position -1). */
export interface Piece { position: number; length: number }

export interface StreamPlan {
  inode: number;
  /** Bytes to stream (the size, or less for readFile). */
  total: number;
  chunkSize: number;
  blockSize: number;
  options: StreamOptions;
  errors: FsErrors;
  /**
   * The file system shares blocks between files and within one (XFS reflink): then a physical
   * block mapped twice is not corruption, and `options.claims` is not used.
   */
  sharedBlocks?: boolean;
}

/** Files of at most this many chunks are planned up front (the rest lazily: a tiny chunkSize must not plan millions). */
const FEW_PIECES = 64;

/**
 * Streams `plan.total` bytes of runs given in logical order. Holes come out as zeros up to
 * `options.holeBytes` of them (default: all); past that a file is streamed as its mapped data
 * only, so an inode claiming terabytes over one mapped block costs one block. With
 * `options.claims`, a file mapping blocks another file mapped is corrupt.
 */
export async function* streamRuns(
  plan: StreamPlan, runs: BlockRun[] | (() => AsyncIterable<BlockRun>), read: (piece: Piece) => Promise<Buffer>,
): AsyncGenerator<Buffer> {
  if (!Number.isSafeInteger(plan.chunkSize) || plan.chunkSize <= 0) throw new RangeError('chunkSize must be a positive integer');
  const planner = new PiecePlanner(plan);
  // Fast path: runs already in memory (almost every file) are planned without async layers.
  if (Array.isArray(runs) && plan.total <= plan.chunkSize * FEW_PIECES) {
    const pieces: Piece[] = [];
    for (const run of coalesce(runs)) {
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
    if (plan.total > 0) {
      for await (const run of Array.isArray(runs) ? coalesce(runs) : coalesceRuns(runs())) {
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

function continues(last: BlockRun, run: BlockRun): boolean {
  return last.logical + last.count === run.logical &&
    ((last.physical === 0 && run.physical === 0) || (last.physical !== 0 && run.physical !== 0 && last.physical + last.count === run.physical));
}

/** Merges neighbouring runs that continue each other (both zeros, or physically contiguous). */
export function coalesce(runs: BlockRun[]): BlockRun[] {
  const out: BlockRun[] = [];
  for (const run of runs) {
    const last = out[out.length - 1];
    if (last !== undefined && continues(last, run)) last.count += run.count;
    else out.push({ ...run });
  }
  return out;
}

/** coalesce for runs that are read lazily. */
export async function* coalesceRuns(runs: AsyncIterable<BlockRun>): AsyncGenerator<BlockRun> {
  let current: BlockRun | null = null;
  for await (const run of runs) {
    if (run.count <= 0) continue;
    if (current !== null && continues(current, run)) {
      current.count += run.count;
      continue;
    }
    if (current !== null) yield current;
    current = { ...run };
  }
  if (current !== null) yield current;
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
 * extent list can map one extent under every logical range and multiply the bytes read (unless
 * the file system shares blocks by design; the scan's read budget bounds that work).
 */
class PiecePlanner {
  readonly #plan: StreamPlan;
  #done = 0;
  #zerosLeft: number;
  /** Physical [start, end) of every mapped run, and whether they came in increasing order. */
  readonly #physical: number[] = [];
  #inOrder = true;
  readonly #claims: BlockClaims | undefined;

  constructor(plan: StreamPlan) {
    this.#plan = plan;
    this.#zerosLeft = plan.options.holeBytes ?? Number.POSITIVE_INFINITY;
    this.#claims = plan.sharedBlocks ? undefined : plan.options.claims;
  }

  get done(): boolean {
    return this.#done >= this.#plan.total;
  }

  feed(run: BlockRun, out: Piece[]): void {
    const { blockSize, total, chunkSize } = this.#plan;
    const runStart = run.logical * blockSize;
    if (runStart < this.#done) throw this.#plan.errors.corrupt(mapsTwice(inodeNo(this.#plan.inode), run.logical));
    this.#zeros(Math.min(runStart, total), out);
    const runEnd = Math.min(runStart + run.count * blockSize, total);
    if (run.physical === 0) {
      this.#zeros(runEnd, out);
      return;
    }
    this.#claim(run.physical, run.physical + Math.ceil((runEnd - runStart) / blockSize));
    const base = run.physical * blockSize - runStart;
    while (this.#done < runEnd) {
      const length = Math.min(chunkSize, runEnd - this.#done);
      out.push({ position: base + this.#done, length });
      this.#done += length;
    }
  }

  /** Zeros for whatever no run covered, up to the end; throws when two runs share a block. */
  finish(out: Piece[]): void {
    this.#zeros(this.#plan.total, out);
    if (!this.#inOrder && !this.#plan.sharedBlocks) this.#checkOverlaps();
  }

  #zeros(upTo: number, out: Piece[]): void {
    while (this.#done < upTo && this.#zerosLeft > 0) {
      const length = Math.min(this.#plan.chunkSize, upTo - this.#done, this.#zerosLeft);
      this.#done += length;
      this.#zerosLeft -= length;
      out.push({ position: -1, length });
    }
    // past the bound a hole is skipped, not streamed
    if (this.#done < upTo) this.#done = upTo;
  }

  #claim(start: number, end: number): void {
    if (this.#plan.sharedBlocks) return;
    const runs = this.#physical;
    // almost every file is laid out in increasing order: then no run can overlap an earlier one
    if (runs.length > 0 && start < runs[runs.length - 1]) this.#inOrder = false;
    runs.push(start, end);
    if (this.#claims && !this.#claims.claim(start, end)) throw this.#plan.errors.corrupt(sharesBlocks(inodeNo(this.#plan.inode), start, end - 1));
  }

  #checkOverlaps(): void {
    const order: number[] = [];
    for (let i = 0; i < this.#physical.length; i += 2) order.push(i);
    order.sort((a, b) => this.#physical[a] - this.#physical[b]);
    let farthest = 0;
    for (const at of order) {
      const start = this.#physical[at];
      if (start < farthest) throw this.#plan.errors.corrupt(mapsBlockTwice(inodeNo(this.#plan.inode), start));
      farthest = Math.max(farthest, this.#physical[at + 1]);
    }
  }
}
