/**
 * A read-only view of a guest file system inside a disk image, as the certification checks see
 * it. Paths are absolute guest paths (`/etc/ssh/sshd_config`); symlinks resolve inside the guest
 * root (absolute targets are relative to it; at most 40 hops). The ext2/3/4 reader implements it.
 */
import type { BlockClaims } from './block-claims.ts';

export type GuestFileType = 'file' | 'dir' | 'symlink' | 'chardev' | 'blockdev' | 'fifo' | 'socket' | 'unknown';

export interface GuestStat {
  type: GuestFileType;
  size: number;
  /** Permission bits and type bits as in st_mode. */
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  inode: number;
}

export interface GuestDirEntry {
  name: string;
  type: GuestFileType;
  inode: number;
}

export interface GuestWalkEntry {
  /** Absolute guest path. */
  path: string;
  stat: GuestStat;
}

export interface StreamOptions {
  /**
   * Most zeros the file's holes are streamed as (default: all of them). Past it the rest of the
   * file is streamed as its mapped data only: a sparse file may claim any size.
   */
  holeBytes?: number;
  /** The blocks other files of this file system mapped (the scan's); a file sharing one is corrupt. */
  claims?: BlockClaims;
}

export interface GuestFs {
  /** e.g. `ext4`. */
  readonly kind: string;
  /** Follows symlinks; null when the path (or a symlink target) does not exist. */
  stat(path: string): Promise<GuestStat | null>;
  /** Does not follow a final symlink; null when absent. */
  lstat(path: string): Promise<GuestStat | null>;
  /** Entries of a directory (following symlinks to it), without `.` and `..`. */
  readdir(path: string): Promise<GuestDirEntry[]>;
  readlink(path: string): Promise<string>;
  /** The canonical path after resolving every symlink; null when absent. */
  realpath(path: string): Promise<string | null>;
  /**
   * Reads at most `maxBytes` (default 1 MiB) of a file, following symlinks; null when absent.
   * Checks use it for small config files only.
   */
  readFile(path: string, maxBytes?: number): Promise<Buffer | null>;
  /**
   * Streams a regular file's whole content in chunks (holes as zeros); never buffers it all.
   * Chunks may be views of memory the reader shares between files: read them, never write to them.
   */
  stream(path: string, chunkSize?: number, options?: StreamOptions): AsyncIterable<Buffer>;
  /**
   * Optional (readers with inode numbers): streams the regular file a `walk` entry names by its
   * inode (`stat.inode`) without resolving its path again, like `stream` otherwise; `path` names
   * the file in errors. Callers fall back to `stream(path)` when a reader lacks it.
   */
  streamInode?(inode: number, path: string, chunkSize?: number, options?: StreamOptions): AsyncIterable<Buffer>;
  /** Every entry below `root` (default `/`), depth-first, symlinks not followed. */
  walk(root?: string): AsyncIterable<GuestWalkEntry>;
}
