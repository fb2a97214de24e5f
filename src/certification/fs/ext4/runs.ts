/**
 * A file's block mapping as runs of logical blocks (../file-stream.ts), and what the ext mapping
 * readers need to produce them.
 */
import type { RangeReader } from '../../disk/types.ts';
import type { DataReadahead } from '../readahead.ts';
import type { ExtSuperblockInfo } from './superblock.ts';

export { coalesceRuns, type BlockRun } from '../file-stream.ts';

/** What the mapping readers need: the bytes and the geometry. */
export interface ExtContext {
  reader: RangeReader;
  sb: ExtSuperblockInfo;
  /** Where file contents are read through (read-ahead for small files); `reader` when absent. */
  data?: DataReadahead;
}
