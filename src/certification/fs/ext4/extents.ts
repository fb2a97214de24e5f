/**
 * Extent trees (ext4's EXTENTS flag): a header (magic 0xF30A) and entries in i_block, index
 * entries pointing to lower nodes, leaves mapping logical to physical blocks. Every node is
 * checked (magic, entry counts, depth strictly decreasing, blocks inside the file system, logical
 * order) and no node block is read twice, so corrupt trees end in an error instead of a loop.
 */
import type { Localized } from '../../../i18n/localized.ts';
import { corrupt } from './errors.ts';
import { I_BLOCK_OFFSET, I_BLOCK_SIZE, type Inode } from './inode.ts';
import { readExact } from './read.ts';
import type { BlockRun, ExtContext } from './runs.ts';
import { badExtentMagic, emptyExtent, extentBlock, extentPastLast, extentRoot, hasImpossible, indexOutOfOrder, inodeNo, mapsBlocksOutside, ofInode, partOf, pointsOutside, quantity, reusesBlock, tooManyEntries, unorderedExtents } from './texts.ts';

const EXTENT_MAGIC = 0xf30a;
/** The kernel's EXT4_MAX_EXTENT_DEPTH. */
const MAX_DEPTH = 5;
const MAX_INIT_LEN = 32768;

interface WalkState {
  ctx: ExtContext;
  inode: Inode;
  limit: number;
  /** The first logical block the next leaf extent may start at. */
  next: number;
  visited: Set<number>;
}

/** Runs of the file, in logical order, up to (at least) `limitBlocks`. */
export async function* extentRuns(ctx: ExtContext, inode: Inode, limitBlocks: number): AsyncGenerator<BlockRun> {
  const root = inode.raw.subarray(I_BLOCK_OFFSET, I_BLOCK_OFFSET + I_BLOCK_SIZE);
  const state: WalkState = { ctx, inode, limit: limitBlocks, next: 0, visited: new Set() };
  yield* walkNode(state, root, -1, extentRoot);
}

async function* walkNode(state: WalkState, node: Buffer, expectedDepth: number, where: Localized): AsyncGenerator<BlockRun> {
  const { ctx, inode } = state;
  const what = partOf(inodeNo(inode.number), where, ': ');
  if (node.readUInt16LE(0) !== EXTENT_MAGIC) throw corrupt(badExtentMagic(what));
  const entries = node.readUInt16LE(2);
  const max = node.readUInt16LE(4);
  const depth = node.readUInt16LE(6);
  const capacity = Math.floor((node.length - 12) / 12);
  if (max > capacity || entries > max) throw corrupt(tooManyEntries(what, entries, max, capacity));
  if (depth > MAX_DEPTH || (expectedDepth >= 0 && depth !== expectedDepth)) {
    throw corrupt(hasImpossible(what, quantity.treeDepth, depth));
  }
  const { blocksCount, firstDataBlock, blockSize } = ctx.sb;
  if (depth > 0) {
    let previous = -1;
    for (let i = 0; i < entries; i++) {
      if (state.next >= state.limit) return;
      const at = 12 + i * 12;
      const logical = node.readUInt32LE(at);
      const child = node.readUInt32LE(at + 4) + node.readUInt16LE(at + 8) * 0x1_0000_0000;
      if (logical <= previous) throw corrupt(indexOutOfOrder(what));
      previous = logical;
      if (child < firstDataBlock || child >= blocksCount) throw corrupt(pointsOutside(what, extentBlock(child)));
      if (state.visited.has(child)) throw corrupt(reusesBlock(what, child));
      state.visited.add(child);
      const block = await readExact(ctx.reader, child * blockSize, blockSize, ofInode(extentBlock(child), inode.number));
      yield* walkNode(state, block, depth - 1, extentBlock(child));
    }
    return;
  }
  yield* leafRuns(state, node, entries, what);
}

/**
 * The runs of an extent tree held entirely in i_block (depth 0: every small and most medium files),
 * decoded synchronously with the same checks as the walk; null when the tree has index nodes.
 * Saves the async generator layers per file when tens of thousands of small files are read.
 */
export function rootLeafRuns(ctx: ExtContext, inode: Inode, limitBlocks: number): BlockRun[] | null {
  const root = inode.raw.subarray(I_BLOCK_OFFSET, I_BLOCK_OFFSET + I_BLOCK_SIZE);
  if (root.readUInt16LE(0) !== EXTENT_MAGIC || root.readUInt16LE(6) !== 0) return null; // the walk reports a bad magic
  const state: WalkState = { ctx, inode, limit: limitBlocks, next: 0, visited: new Set() };
  const what = partOf(inodeNo(inode.number), extentRoot, ': ');
  const entries = root.readUInt16LE(2);
  const max = root.readUInt16LE(4);
  const capacity = Math.floor((root.length - 12) / 12);
  if (max > capacity || entries > max) throw corrupt(tooManyEntries(what, entries, max, capacity));
  return leafRuns(state, root, entries, what);
}

function leafRuns(state: WalkState, node: Buffer, entries: number, what: Localized): BlockRun[] {
  const { blocksCount, firstDataBlock } = state.ctx.sb;
  const runs: BlockRun[] = [];
  for (let i = 0; i < entries; i++) {
    if (state.next >= state.limit) break;
    const at = 12 + i * 12;
    const logical = node.readUInt32LE(at);
    const rawLength = node.readUInt16LE(at + 4);
    const physical = node.readUInt16LE(at + 6) * 0x1_0000_0000 + node.readUInt32LE(at + 8);
    const unwritten = rawLength > MAX_INIT_LEN;
    const count = unwritten ? rawLength - MAX_INIT_LEN : rawLength;
    if (count === 0) throw corrupt(emptyExtent(what));
    if (logical < state.next) throw corrupt(unorderedExtents(what, logical));
    if (logical + count > 2 ** 32) throw corrupt(extentPastLast(what));
    if (physical < firstDataBlock || physical + count > blocksCount) {
      throw corrupt(mapsBlocksOutside(what, physical, physical + count - 1));
    }
    state.next = logical + count;
    runs.push({ logical, physical: unwritten ? 0 : physical, count });
  }
  return runs;
}
