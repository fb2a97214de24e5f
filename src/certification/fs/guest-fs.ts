/**
 * The GuestFs view (types.ts) of any file system a reader opens as an FsVolume (volume.ts).
 * Errors name the guest path: IMAGE_CORRUPT for broken structures, IMAGE_UNSUPPORTED for what
 * cannot be read (encrypted files, realtime files), FILE_UNREADABLE for wrong use (reading a
 * directory, a symlink loop) and NOT_FOUND when readdir/readlink/stream are given a path that
 * does not exist.
 */
import { VmarketError } from '../../errors.ts';
import type { GuestDirEntry, GuestFs, GuestStat, GuestWalkEntry, StreamOptions } from './types.ts';
import { resolvePath, type Resolved } from './resolve.ts';
import { statOf, walkTree } from './walk.ts';
import type { FsInode, FsVolume } from './volume.ts';
import { doesNotExist, notDirectory, notRegular, notSymlink } from './texts.ts';

/** Default chunk of `stream` and most bytes of `readFile`. */
export const DEFAULT_CHUNK = 1024 * 1024;

export class VolumeGuestFs<I extends FsInode> implements GuestFs {
  readonly kind: string;
  readonly #volume: FsVolume<I>;

  constructor(kind: string, volume: FsVolume<I>) {
    this.kind = kind;
    this.#volume = volume;
  }

  async stat(path: string): Promise<GuestStat | null> {
    const found = await this.#resolve(path, true);
    return found === null ? null : statOf(found.inode);
  }

  async lstat(path: string): Promise<GuestStat | null> {
    const found = await this.#resolve(path, false);
    return found === null ? null : statOf(found.inode);
  }

  async readdir(path: string): Promise<GuestDirEntry[]> {
    const dir = await this.#existing(path, true);
    if (dir.type !== 'dir') throw new VmarketError('FILE_UNREADABLE', notDirectory(path));
    return this.#volume.errors.withPath(path, async () => {
      const result: GuestDirEntry[] = [];
      for await (const batch of this.#volume.entries(dir)) {
        for (const entry of batch) {
          const type = entry.type === 'unknown' ? (await this.#volume.inode(entry.inode)).type : entry.type;
          result.push({ name: entry.name, type, inode: entry.inode });
        }
      }
      return result;
    });
  }

  async readlink(path: string): Promise<string> {
    const link = await this.#existing(path, false);
    if (link.type !== 'symlink') throw new VmarketError('FILE_UNREADABLE', notSymlink(path));
    return this.#volume.errors.withPath(path, () => this.#volume.symlinkTarget(link));
  }

  async realpath(path: string): Promise<string | null> {
    return (await this.#resolve(path, true))?.path ?? null;
  }

  async readFile(path: string, maxBytes = DEFAULT_CHUNK): Promise<Buffer | null> {
    const found = await this.#resolve(path, true);
    if (found === null) return null;
    const file = found.inode;
    this.#checkReadable(path, file);
    return this.#volume.errors.withPath(path, async () => {
      const parts: Buffer[] = [];
      for await (const chunk of this.#volume.content(file, Math.max(1, Math.min(maxBytes, DEFAULT_CHUNK)), maxBytes)) {
        parts.push(chunk);
      }
      return Buffer.concat(parts);
    });
  }

  async *stream(path: string, chunkSize = DEFAULT_CHUNK, options: StreamOptions = {}): AsyncIterable<Buffer> {
    const file = await this.#existing(path, true);
    this.#checkReadable(path, file);
    const chunks = this.#volume.content(file, chunkSize, undefined, options);
    while (true) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (error) {
        throw this.#volume.errors.annotate(path, error);
      }
      if (next.done) return;
      yield next.value;
    }
  }

  async *streamInode(number: number, path: string, chunkSize = DEFAULT_CHUNK, options: StreamOptions = {}): AsyncIterable<Buffer> {
    let file: I;
    try {
      file = await this.#volume.inode(number, false);
    } catch (error) {
      throw this.#volume.errors.annotate(path, error);
    }
    this.#checkReadable(path, file);
    try {
      yield* this.#volume.content(file, chunkSize, undefined, options);
    } catch (error) {
      throw this.#volume.errors.annotate(path, error);
    }
  }

  async *walk(root = '/'): AsyncIterable<GuestWalkEntry> {
    const dir = await this.#existing(root, true);
    if (dir.type !== 'dir') throw new VmarketError('FILE_UNREADABLE', notDirectory(root));
    const rootPath = root === '/' ? '/' : `/${root.split('/').filter((p) => p !== '').join('/')}`;
    yield* walkTree(this.#volume, dir, rootPath);
  }

  #resolve(path: string, followFinal: boolean): Promise<Resolved<I> | null> {
    return this.#volume.errors.withPath(path, () => resolvePath(this.#volume, path, followFinal));
  }

  async #existing(path: string, followFinal: boolean): Promise<I> {
    const found = await this.#resolve(path, followFinal);
    if (found === null) throw new VmarketError('NOT_FOUND', doesNotExist(path));
    return found.inode;
  }

  #checkReadable(path: string, file: I): void {
    if (file.type !== 'file') throw new VmarketError('FILE_UNREADABLE', notRegular(path, file.type));
    this.#volume.checkReadable(path, file);
  }
}
