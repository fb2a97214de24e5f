/**
 * Test double: a GuestFs over an in-memory tree, for fine-grained check semantics without
 * building an image. Symlinks resolve inside the root like the ext reader's (absolute targets
 * relative to it, at most 40 hops).
 */
import type { GuestDirEntry, GuestFs, GuestStat, GuestWalkEntry } from '../../src/certification/fs/types.ts';

export interface MemoryFile {
  path: string;
  type?: 'file' | 'dir' | 'symlink';
  content?: string | Buffer;
  target?: string;
  mode?: number;
  uid?: number;
}

interface Node {
  type: 'file' | 'dir' | 'symlink';
  content: Buffer;
  target: string;
  mode: number;
  uid: number;
  inode: number;
  children: Map<string, Node>;
}

export class MemoryFs implements GuestFs {
  readonly kind = 'memory';
  private readonly root: Node;
  private nextInode = 2;

  constructor(files: MemoryFile[]) {
    this.root = this.node('dir');
    for (const file of files) this.add(file);
  }

  private node(type: Node["type"], content: Buffer = Buffer.alloc(0), target = '', mode = 0o644, uid = 0): Node {
    return { type, content, target, mode, uid, inode: this.nextInode++, children: new Map() };
  }

  add(file: MemoryFile): void {
    const parts = file.path.split('/').filter(Boolean);
    let dir = this.root;
    for (const part of parts.slice(0, -1)) {
      let child = dir.children.get(part);
      if (!child) dir.children.set(part, (child = this.node('dir', undefined, '', 0o755)));
      dir = child;
    }
    const type = file.type ?? (file.target !== undefined ? 'symlink' : file.content === undefined ? 'dir' : 'file');
    const content = typeof file.content === 'string' ? Buffer.from(file.content) : (file.content ?? Buffer.alloc(0));
    dir.children.set(parts[parts.length - 1], this.node(type, content, file.target ?? '', file.mode ?? (type === 'dir' ? 0o755 : 0o644), file.uid ?? 0));
  }

  /** Resolves to [canonical path, node]; follows a final symlink when `follow`. */
  private resolve(path: string, follow: boolean, hops = { n: 0 }): [string, Node] | null {
    const parts = path.split('/').filter(Boolean);
    let node = this.root;
    let canonical: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (part === '.') continue;
      if (part === '..') {
        canonical = canonical.slice(0, -1);
        const back = this.resolve(`/${canonical.join('/')}`, true, hops);
        if (!back) return null;
        node = back[1];
        continue;
      }
      if (node.type !== 'dir') return null;
      const child = node.children.get(part);
      if (!child) return null;
      const last = i === parts.length - 1;
      if (child.type === 'symlink' && (!last || follow)) {
        if (++hops.n > 40) throw new Error(`too many symlinks at ${path}`);
        const base = child.target.startsWith('/') ? '' : `/${canonical.join('/')}`;
        const resolved = this.resolve(`${base}/${child.target}`, true, hops);
        if (!resolved) return null;
        [node] = [resolved[1]];
        canonical = resolved[0].split('/').filter(Boolean);
        continue;
      }
      node = child;
      canonical.push(part);
    }
    return [`/${canonical.join('/')}`, node];
  }

  private statOf(node: Node): GuestStat {
    const typeBits = node.type === 'dir' ? 0o040000 : node.type === 'symlink' ? 0o120000 : 0o100000;
    return { type: node.type, size: node.type === 'symlink' ? node.target.length : node.content.length, mode: typeBits | node.mode, uid: node.uid, gid: 0, mtime: 0, inode: node.inode };
  }

  async stat(path: string): Promise<GuestStat | null> {
    const r = this.resolve(path, true);
    return r ? this.statOf(r[1]) : null;
  }

  async lstat(path: string): Promise<GuestStat | null> {
    const r = this.resolve(path, false);
    return r ? this.statOf(r[1]) : null;
  }

  async readdir(path: string): Promise<GuestDirEntry[]> {
    const r = this.resolve(path, true);
    if (!r || r[1].type !== 'dir') throw new Error(`not a directory: ${path}`);
    return [...r[1].children].map(([name, node]) => ({ name, type: node.type, inode: node.inode }));
  }

  async readlink(path: string): Promise<string> {
    const r = this.resolve(path, false);
    if (!r || r[1].type !== 'symlink') throw new Error(`not a symlink: ${path}`);
    return r[1].target;
  }

  async realpath(path: string): Promise<string | null> {
    return this.resolve(path, true)?.[0] ?? null;
  }

  async readFile(path: string, maxBytes = 1024 * 1024): Promise<Buffer | null> {
    const r = this.resolve(path, true);
    if (!r) return null;
    if (r[1].type !== 'file') throw new Error(`not a file: ${path}`);
    return r[1].content.subarray(0, maxBytes);
  }

  async *stream(path: string, chunkSize = 65536): AsyncIterable<Buffer> {
    const r = this.resolve(path, true);
    if (!r || r[1].type !== 'file') throw new Error(`not a file: ${path}`);
    for (let at = 0; at < r[1].content.length; at += chunkSize) yield r[1].content.subarray(at, at + chunkSize);
  }

  async *walk(root = '/'): AsyncIterable<GuestWalkEntry> {
    const r = this.resolve(root, true);
    if (!r) return;
    const visit = async function* (self: MemoryFs, path: string, node: Node): AsyncIterable<GuestWalkEntry> {
      for (const [name, child] of [...node.children].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const childPath = path === '/' ? `/${name}` : `${path}/${name}`;
        yield { path: childPath, stat: self.statOf(child) };
        if (child.type === 'dir') yield* visit(self, childPath, child);
      }
    };
    yield* visit(this, r[0], r[1]);
  }
}
