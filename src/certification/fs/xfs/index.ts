/**
 * The read-only XFS reader: `openXfs(reader)` over the bytes of one file system's data device.
 * Throws IMAGE_CORRUPT for a broken superblock and IMAGE_UNSUPPORTED for what it cannot read
 * (unknown incompatible features, needsrepair, version 1 directories).
 */
import type { RangeReader } from '../../disk/types.ts';
import { VolumeGuestFs } from '../guest-fs.ts';
import type { GuestFs } from '../types.ts';
import { annotate } from './errors.ts';
import type { XfsInode } from './inode.ts';
import type { XfsSuperblockInfo } from './superblock.ts';
import { superblock } from './texts.ts';
import { XfsVolume } from './volume.ts';

export type { XfsSuperblockInfo } from './superblock.ts';

export class XfsGuestFs extends VolumeGuestFs<XfsInode> {
  readonly superblock: XfsSuperblockInfo;

  constructor(volume: XfsVolume) {
    super('xfs', volume);
    this.superblock = volume.sb;
  }
}

export async function openXfs(reader: RangeReader): Promise<GuestFs & { superblock: XfsSuperblockInfo }> {
  let volume: XfsVolume;
  try {
    volume = await XfsVolume.open(reader);
  } catch (error) {
    throw annotate(superblock, error);
  }
  return new XfsGuestFs(volume);
}
