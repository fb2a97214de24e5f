/**
 * The GuestFs view of an ext2/3/4 file system: the shared facade (../guest-fs.ts) over the ext
 * volume, with its superblock.
 */
import { VolumeGuestFs } from '../guest-fs.ts';
import type { Inode } from './inode.ts';
import type { ExtSuperblockInfo } from './superblock.ts';
import type { ExtVolume } from './volume.ts';

export class ExtGuestFs extends VolumeGuestFs<Inode> {
  readonly superblock: ExtSuperblockInfo;

  constructor(volume: ExtVolume) {
    super(volume.sb.kind, volume);
    this.superblock = volume.sb;
  }
}
