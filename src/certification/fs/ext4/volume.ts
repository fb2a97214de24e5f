/**
 * The opened ext volume: superblock, group descriptors, the inode table and name lookup with a
 * bounded cache of directory listings (so resolving many paths under /etc reads each directory
 * once). The GuestFs facade, path resolution and the walk are built on it.
 */
import type { RangeReader } from '../../disk/types.ts';
import { directoryEntries, type RawDirEntry } from './directory.ts';
import { unsupported } from './errors.ts';
import { GroupDescriptors } from './group-descriptors.ts';
import { INODE_FLAGS, InodeTable, type Inode } from './inode.ts';
import type { ExtContext } from './runs.ts';
import { readSuperblock, type ExtSuperblockInfo } from './superblock.ts';
import { LruCache } from '../../../util/lru.ts';
import { DataReadahead } from './readahead.ts';
import { directoryInode, encryptedDirectory } from './texts.ts';

/** Listings of directories up to this size are cached as name maps. */
const CACHEABLE_DIR_BYTES = 4 * 1024 * 1024;
/** Total entries kept in cached listings. */
const CACHED_ENTRIES = 200_000;

export class ExtVolume {
  readonly ctx: ExtContext;
  readonly sb: ExtSuperblockInfo;
  readonly inodes: InodeTable;
  readonly #listings = new LruCache<number, Map<string, RawDirEntry>>(CACHED_ENTRIES);

  private constructor(reader: RangeReader, sb: ExtSuperblockInfo) {
    this.sb = sb;
    this.ctx = { reader, sb, data: new DataReadahead(reader) };
    this.inodes = new InodeTable(reader, sb, new GroupDescriptors(reader, sb));
  }

  static async open(reader: RangeReader): Promise<ExtVolume> {
    return new ExtVolume(reader, await readSuperblock(reader));
  }

  /** Entries of a directory inode in batches (without `.` and `..`). */
  entries(dir: Inode): AsyncGenerator<RawDirEntry[]> {
    if ((dir.flags & INODE_FLAGS.ENCRYPT) !== 0) {
      throw unsupported(encryptedDirectory(directoryInode(dir.number)));
    }
    return directoryEntries(this.ctx, dir);
  }

  /** The inode number `name` refers to in `dir`, or null. */
  async lookup(dir: Inode, name: string): Promise<number | null> {
    const cached = this.#listings.get(dir.number);
    if (cached) return cached.get(name)?.inode ?? null;
    if (dir.size <= CACHEABLE_DIR_BYTES) {
      const map = new Map<string, RawDirEntry>();
      for await (const batch of this.entries(dir)) for (const entry of batch) if (!map.has(entry.name)) map.set(entry.name, entry);
      this.#listings.set(dir.number, map, Math.max(1, map.size));
      return map.get(name)?.inode ?? null;
    }
    for await (const batch of this.entries(dir)) for (const entry of batch) if (entry.name === name) return entry.inode;
    return null;
  }
}
