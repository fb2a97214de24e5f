/**
 * Depth-first walk of a directory tree with each entry's lstat. Symlinks are not followed; a
 * directory inode is descended at most once (hard-linked or corrupt directory cycles end there),
 * directories the reader cannot enter (encrypted) are listed but not entered, and the depth is bounded.
 */
import type { GuestStat, GuestWalkEntry } from './types.ts';
import type { FsInode, FsVolume, RawDirEntry } from './volume.ts';
import { treeTooDeep, treeTooLarge } from './texts.ts';

/** Far deeper than any real tree (PATH_MAX allows 2048 one-letter levels). */
export const MAX_WALK_DEPTH = 4096;
/**
 * A real tree has about one entry per inode (hard links add a few). Crafted directories that
 * share one block list each other: N directories, N² entries. Past this many entries per inode
 * (plus a constant) the walk stops as corrupt.
 */
export const ENTRIES_PER_INODE = 4;
const ENTRIES_SLACK = 1024;

interface Frame {
  path: string;
  batches: AsyncGenerator<RawDirEntry[]>;
  batch: RawDirEntry[];
  index: number;
}

export function statOf(inode: FsInode): GuestStat {
  return { type: inode.type, size: inode.size, mode: inode.mode, uid: inode.uid, gid: inode.gid, mtime: inode.mtime, inode: inode.number };
}

export async function* walkTree<I extends FsInode>(volume: FsVolume<I>, root: I, rootPath: string): AsyncGenerator<GuestWalkEntry> {
  const { annotate, corrupt, unsupported } = volume.errors;
  const seen = new Set<number>([root.number]);
  const base = rootPath === '/' ? '' : rootPath;
  const frames: Frame[] = [{ path: base, batches: volume.entries(root), batch: [], index: 0 }];
  const maxEntries = ENTRIES_PER_INODE * volume.inodeCount + ENTRIES_SLACK;
  let entries = 0;
  while (frames.length > 0) {
    const frame = frames[frames.length - 1];
    if (frame.index >= frame.batch.length) {
      let next: IteratorResult<RawDirEntry[]>;
      try {
        next = await frame.batches.next();
      } catch (error) {
        throw annotate(frame.path === '' ? '/' : frame.path, error);
      }
      if (next.done) frames.pop();
      else {
        frame.batch = next.value;
        frame.index = 0;
      }
      continue;
    }
    const entry = frame.batch[frame.index++];
    const path = `${frame.path}/${entry.name}`;
    if (++entries > maxEntries) throw corrupt(treeTooLarge(rootPath, maxEntries, volume.inodeCount));
    let inode: I;
    try {
      inode = await volume.inode(entry.inode, false);
    } catch (error) {
      throw annotate(path, error);
    }
    yield { path, stat: statOf(inode) };
    if (inode.type !== 'dir' || seen.has(inode.number)) continue;
    seen.add(inode.number);
    if (!volume.enterable(inode)) continue;
    if (frames.length >= MAX_WALK_DEPTH) {
      throw unsupported(treeTooDeep(path, MAX_WALK_DEPTH));
    }
    let batches: AsyncGenerator<RawDirEntry[]>;
    try {
      batches = volume.entries(inode);
    } catch (error) {
      throw annotate(path, error);
    }
    frames.push({ path, batches, batch: [], index: 0 });
  }
}
