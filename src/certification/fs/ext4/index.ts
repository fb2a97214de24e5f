/**
 * The read-only ext2/3/4 reader: `openExtFs(reader)` over the bytes of one file system.
 * Throws IMAGE_CORRUPT for a broken superblock and IMAGE_UNSUPPORTED for layouts it cannot read
 * (compression, journal devices, dirdata, unknown incompatible features).
 */
import type { RangeReader } from '../../disk/types.ts';
import type { GuestFs } from '../types.ts';
import { annotate } from './errors.ts';
import { ExtGuestFs } from './ext-fs.ts';
import type { ExtSuperblockInfo } from './superblock.ts';
import { ExtVolume } from './volume.ts';
import { superblock } from './texts.ts';

export type { ExtSuperblockInfo } from './superblock.ts';
export { MAX_SYMLINK_HOPS } from '../resolve.ts';

export async function openExtFs(reader: RangeReader): Promise<GuestFs & { superblock: ExtSuperblockInfo }> {
  let volume: ExtVolume;
  try {
    volume = await ExtVolume.open(reader);
  } catch (error) {
    throw annotate(superblock, error);
  }
  return new ExtGuestFs(volume);
}
