/**
 * ext2/ext3 block maps: 12 direct pointers, then single, double and triple indirect blocks of
 * 32-bit pointers in i_block. A zero pointer is a hole (a whole subtree of zeros at an indirect
 * level). Only the blocks below i_size are visited, which bounds the work for any corruption.
 */
import { corrupt } from './errors.ts';
import { I_BLOCK_OFFSET, type Inode } from './inode.ts';
import { readExact } from './read.ts';
import type { BlockRun, ExtContext } from './runs.ts';
import { block, indirectBlock, inodeNo, mapsPastEnd, ofInode, pointsOutside } from './texts.ts';

export async function* blockMapRuns(ctx: ExtContext, inode: Inode, limitBlocks: number): AsyncGenerator<BlockRun> {
  const ptrs = inode.raw.subarray(I_BLOCK_OFFSET, I_BLOCK_OFFSET + 60);
  const perBlock = ctx.sb.blockSize / 4;
  let logical = 0;
  for (let i = 0; i < 12 && logical < limitBlocks; i++, logical++) {
    const physical = ptrs.readUInt32LE(i * 4);
    checkPointer(ctx, inode, physical);
    yield { logical, physical, count: 1 };
  }
  for (let level = 1; level <= 3 && logical < limitBlocks; level++) {
    const pointer = ptrs.readUInt32LE((11 + level) * 4);
    yield* indirect(ctx, inode, pointer, level, logical, limitBlocks);
    logical += perBlock ** level;
  }
}

async function* indirect(
  ctx: ExtContext, inode: Inode, pointer: number, level: number, first: number, limit: number,
): AsyncGenerator<BlockRun> {
  const perBlock = ctx.sb.blockSize / 4;
  const span = perBlock ** level;
  if (pointer === 0) {
    yield { logical: first, physical: 0, count: Math.min(span, limit - first) };
    return;
  }
  checkPointer(ctx, inode, pointer);
  const block = await readExact(ctx.reader, pointer * ctx.sb.blockSize, ctx.sb.blockSize, ofInode(indirectBlock(pointer), inode.number));
  if (level === 1) {
    // The hot path of ext2/3 files: coalesce this block's pointers without one yield per block.
    const end = Math.min(perBlock, limit - first);
    let runStart = 0;
    let runPhysical = block.readUInt32LE(0);
    checkPointer(ctx, inode, runPhysical);
    for (let i = 1; i < end; i++) {
      const physical = block.readUInt32LE(i * 4);
      const continues = runPhysical === 0 ? physical === 0 : physical === runPhysical + (i - runStart);
      if (continues) continue;
      checkPointer(ctx, inode, physical);
      checkRun(ctx, inode, runPhysical, i - runStart);
      yield { logical: first + runStart, physical: runPhysical, count: i - runStart };
      runStart = i;
      runPhysical = physical;
    }
    checkRun(ctx, inode, runPhysical, end - runStart);
    yield { logical: first + runStart, physical: runPhysical, count: end - runStart };
    return;
  }
  const childSpan = perBlock ** (level - 1);
  for (let i = 0; i < perBlock; i++) {
    const childFirst = first + i * childSpan;
    if (childFirst >= limit) return;
    yield* indirect(ctx, inode, block.readUInt32LE(i * 4), level - 1, childFirst, limit);
  }
}

function checkPointer(ctx: ExtContext, inode: Inode, physical: number): void {
  if (physical !== 0 && (physical < ctx.sb.firstDataBlock || physical >= ctx.sb.blocksCount)) {
    throw corrupt(pointsOutside(inodeNo(inode.number), block(physical)));
  }
}

function checkRun(ctx: ExtContext, inode: Inode, physical: number, count: number): void {
  if (physical !== 0 && physical + count > ctx.sb.blocksCount) {
    throw corrupt(mapsPastEnd(inodeNo(inode.number)));
  }
}
