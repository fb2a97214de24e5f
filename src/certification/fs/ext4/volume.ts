/**
 * The opened ext volume: superblock, group descriptors, the inode table and name lookup with a
 * bounded cache of directory listings. The shared GuestFs facade, path resolution and the walk
 * (../guest-fs.ts) are built on it.
 */
import type { RangeReader } from '../../disk/types.ts';
import type { StreamOptions } from '../types.ts';
import { ListingCache, type FsVolume, type RawDirEntry } from '../volume.ts';
import { DataReadahead } from '../readahead.ts';
import { directoryEntries } from './directory.ts';
import { extErrors, unsupported } from './errors.ts';
import { streamInode } from './file-data.ts';
import { GroupDescriptors } from './group-descriptors.ts';
import { INODE_FLAGS, InodeTable, ROOT_INODE, type Inode } from './inode.ts';
import { readExact } from './read.ts';
import type { ExtContext } from './runs.ts';
import { readSuperblock, type ExtSuperblockInfo } from './superblock.ts';
import { symlinkTarget } from './symlink.ts';
import { directoryInode, encryptedDirectory, encryptedFile } from './texts.ts';

export class ExtVolume implements FsVolume<Inode> {
  readonly errors = extErrors;
  readonly ctx: ExtContext;
  readonly sb: ExtSuperblockInfo;
  readonly inodes: InodeTable;
  readonly #listings = new ListingCache();

  private constructor(reader: RangeReader, sb: ExtSuperblockInfo) {
    this.sb = sb;
    this.ctx = { reader, sb, data: new DataReadahead(reader, readExact) };
    this.inodes = new InodeTable(reader, sb, new GroupDescriptors(reader, sb));
  }

  static async open(reader: RangeReader): Promise<ExtVolume> {
    return new ExtVolume(reader, await readSuperblock(reader));
  }

  get inodeCount(): number {
    return this.sb.inodesCount;
  }

  root(): Promise<Inode> {
    return this.inodes.get(ROOT_INODE);
  }

  inode(number: number, cache = true): Promise<Inode> {
    return this.inodes.get(number, cache);
  }

  entries(dir: Inode): AsyncGenerator<RawDirEntry[]> {
    if ((dir.flags & INODE_FLAGS.ENCRYPT) !== 0) {
      throw unsupported(encryptedDirectory(directoryInode(dir.number)));
    }
    return directoryEntries(this.ctx, dir);
  }

  lookup(dir: Inode, name: string): Promise<number | null> {
    return this.#listings.lookup(dir, name, () => this.entries(dir));
  }

  symlinkTarget(link: Inode): Promise<string> {
    return symlinkTarget(this.ctx, link);
  }

  content(file: Inode, chunkSize: number, maxBytes?: number, options?: StreamOptions): AsyncGenerator<Buffer> {
    return streamInode(this.ctx, file, chunkSize, maxBytes, options);
  }

  checkReadable(path: string, file: Inode): void {
    if ((file.flags & INODE_FLAGS.ENCRYPT) !== 0) throw unsupported(encryptedFile(path));
  }

  enterable(dir: Inode): boolean {
    return (dir.flags & INODE_FLAGS.ENCRYPT) === 0;
  }
}
