/**
 * A file's block mapping as runs of logical blocks: `physical` is the first disk block of the run,
 * or 0 for blocks that read as zeros (holes and unwritten extents; block 0 never holds file data).
 */
import type { RangeReader } from '../../disk/types.ts';
import type { DataReadahead } from './readahead.ts';
import type { ExtSuperblockInfo } from './superblock.ts';

export interface BlockRun {
  logical: number;
  physical: number;
  count: number;
}

/** What the mapping readers need: the bytes and the geometry. */
export interface ExtContext {
  reader: RangeReader;
  sb: ExtSuperblockInfo;
  /** Where file contents are read through (read-ahead for small files); `reader` when absent. */
  data?: DataReadahead;
}

/** Merges neighbouring runs that continue each other (both zeros, or physically contiguous). */
export async function* coalesceRuns(runs: AsyncIterable<BlockRun>): AsyncGenerator<BlockRun> {
  let current: BlockRun | null = null;
  for await (const run of runs) {
    if (run.count <= 0) continue;
    if (current !== null && current.logical + current.count === run.logical &&
      ((current.physical === 0 && run.physical === 0) ||
        (current.physical !== 0 && run.physical !== 0 && current.physical + current.count === run.physical))) {
      current.count += run.count;
      continue;
    }
    if (current !== null) yield current;
    current = { ...run };
  }
  if (current !== null) yield current;
}
