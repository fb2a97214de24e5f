/**
 * What a file-system reader provides so the shared GuestFs facade (guest-fs.ts), path resolution
 * (resolve.ts) and the walk (walk.ts) work on it: inodes by number, directory entries, symlink
 * targets and file contents. ext2/3/4 and XFS each implement it over their own structures.
 */
import type { FsErrors } from './errors.ts';
import type { GuestFileType, StreamOptions } from './types.ts';
import { LruCache } from '../../util/lru.ts';

/** The decoded fields of an inode every reader has. */
export interface FsInode {
  number: number;
  type: GuestFileType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
}

export interface RawDirEntry {
  name: string;
  inode: number;
  /** From the entry's file type byte; `unknown` when the file system does not record it. */
  type: GuestFileType;
}

export interface FsVolume<I extends FsInode> {
  readonly errors: FsErrors;
  /** How many inodes the file system can hold: bounds a walk of crafted directories that list each other. */
  readonly inodeCount: number;
  root(): Promise<I>;
  /** `cache: false` (walks) decodes the inode without keeping it. */
  inode(number: number, cache?: boolean): Promise<I>;
  /** Entries of a directory inode in batches (without `.` and `..`). */
  entries(dir: I): AsyncGenerator<RawDirEntry[]>;
  /** The inode number `name` refers to in `dir`, or null. */
  lookup(dir: I, name: string): Promise<number | null>;
  symlinkTarget(link: I): Promise<string>;
  /** The first `maxBytes` (default all) of a regular file's content in chunks of `chunkSize`. */
  content(file: I, chunkSize: number, maxBytes?: number, options?: StreamOptions): AsyncGenerator<Buffer>;
  /** Throws (IMAGE_UNSUPPORTED) when the regular file's content cannot be read (encrypted, on a realtime device). */
  checkReadable(path: string, file: I): void;
  /** False for a directory the walk lists but does not enter (an encrypted one). */
  enterable(dir: I): boolean;
}

/** Listings of directories up to this size are cached as name maps. */
const CACHEABLE_DIR_BYTES = 4 * 1024 * 1024;
/** Total entries kept in cached listings. */
const CACHED_ENTRIES = 200_000;

/**
 * Name lookup through a bounded cache of directory listings, so resolving many paths under /etc
 * reads each directory once. Larger directories are searched without being kept.
 */
export class ListingCache {
  readonly #listings = new LruCache<number, Map<string, RawDirEntry>>(CACHED_ENTRIES);

  async lookup(dir: FsInode, name: string, entries: () => AsyncGenerator<RawDirEntry[]>): Promise<number | null> {
    const cached = this.#listings.get(dir.number);
    if (cached) return cached.get(name)?.inode ?? null;
    if (dir.size <= CACHEABLE_DIR_BYTES) {
      const map = new Map<string, RawDirEntry>();
      for await (const batch of entries()) for (const entry of batch) if (!map.has(entry.name)) map.set(entry.name, entry);
      this.#listings.set(dir.number, map, Math.max(1, map.size));
      return map.get(name)?.inode ?? null;
    }
    for await (const batch of entries()) for (const entry of batch) if (entry.name === name) return entry.inode;
    return null;
  }
}

/** The file type of an st_mode. */
export function fileTypeOfMode(mode: number): GuestFileType {
  switch (mode & 0xf000) {
    case 0x8000: return 'file';
    case 0x4000: return 'dir';
    case 0xa000: return 'symlink';
    case 0x2000: return 'chardev';
    case 0x6000: return 'blockdev';
    case 0x1000: return 'fifo';
    case 0xc000: return 'socket';
    default: return 'unknown';
  }
}
