/**
 * Guest path resolution. The guest root is the root of the file system: absolute symlink targets
 * start again from it and `..` at the root stays at the root, so no path leaves the image. At most
 * 40 symlinks are followed per lookup (Linux's MAXSYMLINKS), then the lookup fails like ELOOP.
 */
import { VmarketError } from '../../errors.ts';
import type { FsInode, FsVolume } from './volume.ts';
import { symlinkLoop } from './texts.ts';

export const MAX_SYMLINK_HOPS = 40;

export interface Resolved<I extends FsInode> {
  inode: I;
  /** Canonical absolute guest path (every followed symlink replaced by its target). */
  path: string;
}

/** Resolves `path`; `followFinal` follows a symlink in the last component. Null when absent. */
export async function resolvePath<I extends FsInode>(volume: FsVolume<I>, path: string, followFinal: boolean): Promise<Resolved<I> | null> {
  // Components are consumed from the end of this array, so it holds them in reverse order.
  const pending = components(path).reverse();
  const stack: Array<{ name: string; inode: I }> = [];
  const root = await volume.root();
  let hops = 0;
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (name === '.') continue;
    if (name === '..') {
      stack.pop();
      continue;
    }
    const dir = stack.length > 0 ? stack[stack.length - 1].inode : root;
    if (dir.type !== 'dir') return null;
    const number = await volume.lookup(dir, name);
    if (number === null) return null;
    const child = await volume.inode(number);
    if (child.type === 'symlink' && (pending.length > 0 || followFinal)) {
      hops += 1;
      if (hops > MAX_SYMLINK_HOPS) {
        throw new VmarketError('FILE_UNREADABLE', symlinkLoop(MAX_SYMLINK_HOPS, path), {
          details: [{ path, message: 'ELOOP: too many levels of symbolic links' }],
        });
      }
      const target = await volume.symlinkTarget(child);
      if (target.startsWith('/')) stack.length = 0;
      for (const part of components(target).reverse()) pending.push(part);
      continue;
    }
    stack.push({ name, inode: child });
  }
  return {
    inode: stack.length > 0 ? stack[stack.length - 1].inode : root,
    path: `/${stack.map((s) => s.name).join('/')}`,
  };
}

function components(path: string): string[] {
  return path.split('/').filter((part) => part !== '');
}
