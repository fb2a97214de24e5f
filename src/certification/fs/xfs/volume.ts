/**
 * The opened XFS volume: superblock, inodes, directories, symlinks and file contents as an
 * FsVolume, so the shared GuestFs facade, path resolution and walk (../guest-fs.ts) work on it.
 * Only the data device is read: a file on the realtime device is refused, an external log is
 * never needed for reading.
 */
import type { RangeReader } from '../../disk/types.ts';
import type { StreamOptions } from '../types.ts';
import { ListingCache, type FsVolume, type RawDirEntry } from '../volume.ts';
import { DataReadahead } from '../readahead.ts';
import { streamRuns, type BlockRun, type Piece } from '../file-stream.ts';
import { directoryEntries } from './directory.ts';
import { readExact, unsupported, xfsErrors } from './errors.ts';
import { forkExtents, inodeExtents, type Extent, type MapContext } from './extents.ts';
import { XfsInodes, type XfsInode } from './inode.ts';
import { readSuperblock, type XfsSuperblockInfo } from './superblock.ts';
import { symlinkTarget } from './symlink.ts';
import { inodeData, realtimeFile } from './texts.ts';

export class XfsVolume implements FsVolume<XfsInode> {
  readonly errors = xfsErrors;
  readonly sb: XfsSuperblockInfo;
  readonly ctx: MapContext;
  readonly inodes: XfsInodes;
  readonly #data: DataReadahead;
  readonly #listings = new ListingCache();

  private constructor(reader: RangeReader, sb: XfsSuperblockInfo) {
    this.sb = sb;
    this.ctx = { reader, sb };
    this.inodes = new XfsInodes(reader, sb);
    this.#data = new DataReadahead(reader, readExact);
  }

  static async open(reader: RangeReader): Promise<XfsVolume> {
    return new XfsVolume(reader, await readSuperblock(reader));
  }

  /** Every inode slot the data device has room for (sb_icount is a lazy counter, stale after a crash). */
  get inodeCount(): number {
    return this.sb.blockCount * 2 ** this.sb.inodesPerBlockLog;
  }

  root(): Promise<XfsInode> {
    return this.inodes.get(this.sb.rootInode);
  }

  inode(number: number, cache = true): Promise<XfsInode> {
    return this.inodes.get(number, cache);
  }

  entries(dir: XfsInode): AsyncGenerator<RawDirEntry[]> {
    return directoryEntries(this.ctx, dir);
  }

  lookup(dir: XfsInode, name: string): Promise<number | null> {
    return this.#listings.lookup(dir, name, () => this.entries(dir));
  }

  symlinkTarget(link: XfsInode): Promise<string> {
    return symlinkTarget(this.ctx, link);
  }

  content(file: XfsInode, chunkSize: number, maxBytes = Number.POSITIVE_INFINITY, options: StreamOptions = {}): AsyncGenerator<Buffer> {
    const { sb } = this;
    const read = (piece: Piece): Promise<Buffer> => {
      if (piece.position === -1) return Promise.resolve(Buffer.alloc(piece.length));
      return this.#data.read(piece.position, piece.length, inodeData(file.number));
    };
    const plan = {
      inode: file.number, total: Math.min(file.size, maxBytes), chunkSize, blockSize: sb.blockSize, options, errors: xfsErrors,
      // reflink shares blocks between files (and within one) by design: not corruption
      sharedBlocks: sb.reflink,
    };
    // extents held in the inode (almost every file) are planned without async layers
    const inFork = inodeExtents(sb, file);
    const ctx = this.ctx;
    return streamRuns(plan, inFork !== null ? inFork.map(runOf) : async function* () {
      for await (const batch of forkExtents(ctx, file)) for (const extent of batch) yield runOf(extent);
    }, read);
  }

  checkReadable(path: string, file: XfsInode): void {
    if (file.realtime) throw unsupported(realtimeFile(path));
  }

  enterable(): boolean {
    return true;
  }
}

/** Unwritten (preallocated) extents read as zeros, like holes. */
function runOf(extent: Extent): BlockRun {
  return { logical: extent.offset, physical: extent.unwritten ? 0 : extent.block, count: extent.count };
}
