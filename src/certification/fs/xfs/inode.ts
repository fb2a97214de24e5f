/**
 * XFS inodes: from an inode number to its bytes (the number encodes allocation group, block in
 * the group and slot in the block: the kernel's XFS_INO_TO_AGNO/AGBNO/OFFSET) and the decoded
 * core (struct xfs_dinode in xfs_format.h, big-endian). v3 cores (v5 file systems) carry a CRC,
 * their own number and the file system's UUID; all three are checked. The attribute fork is not
 * read, only its offset (di_forkoff) bounds the data fork. Sparse inode chunks need nothing
 * here: an inode number a directory names is read where its number says; a slot of a sparse
 * chunk's hole is not an inode (bad magic) and is reported as corrupt.
 */
import type { RangeReader } from '../../disk/types.ts';
import type { GuestFileType } from '../types.ts';
import { SpanCache } from '../span-cache.ts';
import { fileTypeOfMode, type FsInode } from '../volume.ts';
import { LruCache } from '../../../util/lru.ts';
import { checkCrc, checkUuid } from './crc.ts';
import { corrupt } from './errors.ts';
import type { XfsSuperblockInfo } from './superblock.ts';
import {
  badForkFormat, badInodeVersion, badMagic, extentList, forkOffsetPastInode, hasImpossible, inodeNo, inodeNumberNowhere,
  notInUse, ofInode, outside, quantity, sizeOfInode, tooManyRecords, wrongOwner, impossiblyLarge,
} from './texts.ts';

const MAGIC = 0x494e; // 'IN'
const V2_CORE = 100;
const V3_CORE = 176;
const CRC_OFFSET = 100;

/** di_format: how the data fork holds the content. */
export const FORK = { DEV: 0, LOCAL: 1, EXTENTS: 2, BTREE: 3 } as const;
const DIFLAG_REALTIME = 0x1;
const DIFLAG2_BIGTIME = 0x8;
const DIFLAG2_NREXT64 = 0x10;
/** Bigtime timestamps count nanoseconds from the smallest 32-bit time (1901-12-13). */
const BIGTIME_EPOCH_OFFSET = 2 ** 31;

export interface XfsInode extends FsInode {
  links: number;
  /** di_format of the data fork (FORK). */
  format: number;
  /** Data extents the inode counts (di_nextents or di_big_nextents). */
  extents: number;
  realtime: boolean;
  /** The data fork's bytes (a copy: short-form directory, inline symlink, extent list or B+tree root). */
  fork: Buffer;
}

/** The formats each file type's data fork may have (the kernel's xfs_dinode_verify_fork). */
const FORMATS: Partial<Record<GuestFileType, readonly number[]>> = {
  file: [FORK.EXTENTS, FORK.BTREE],
  dir: [FORK.LOCAL, FORK.EXTENTS, FORK.BTREE],
  symlink: [FORK.LOCAL, FORK.EXTENTS, FORK.BTREE],
  chardev: [FORK.DEV],
  blockdev: [FORK.DEV],
  fifo: [FORK.DEV],
  socket: [FORK.DEV],
};

export class XfsInodes {
  readonly #sb: XfsSuperblockInfo;
  readonly #spans: SpanCache;
  readonly #inodes = new LruCache<number, XfsInode>(8192);
  readonly #inodeBits: number;

  constructor(reader: RangeReader, sb: XfsSuperblockInfo) {
    this.#sb = sb;
    this.#spans = new SpanCache(reader);
    this.#inodeBits = 2 ** (sb.agBlockLog + sb.inodesPerBlockLog);
  }

  /** The inode `number`; `cache: false` (walks) decodes it without keeping it (see ext4/inode.ts). */
  async get(number: number, cache = true): Promise<XfsInode> {
    const cached = this.#inodes.get(number);
    if (cached) return cached;
    const view = await this.#spans.bytes(this.position(number), this.#sb.inodeSize);
    if (view === null) throw corrupt(outside(inodeNo(number)));
    const inode = parseInode(number, view, this.#sb);
    if (cache) this.#inodes.set(number, inode);
    return inode;
  }

  /** Byte position of inode `number` in the file system. */
  position(number: number): number {
    const sb = this.#sb;
    if (!Number.isSafeInteger(number) || number <= 0) throw corrupt(inodeNumberNowhere(number));
    const ag = Math.floor(number / this.#inodeBits);
    const agInode = number % this.#inodeBits;
    const agBlock = Math.floor(agInode / 2 ** sb.inodesPerBlockLog);
    const slot = agInode % 2 ** sb.inodesPerBlockLog;
    const block = ag * sb.agBlocks + agBlock;
    if (ag >= sb.agCount || agBlock >= sb.agBlocks || block >= sb.blockCount) throw corrupt(inodeNumberNowhere(number));
    return block * sb.blockSize + slot * sb.inodeSize;
  }
}

export function parseInode(number: number, raw: Buffer, sb: XfsSuperblockInfo): XfsInode {
  const what = () => inodeNo(number);
  if (raw.readUInt16BE(0) !== MAGIC) throw corrupt(badMagic(what()));
  const version = raw[4];
  if (sb.version === 5 ? version !== 3 : version !== 1 && version !== 2) throw corrupt(badInodeVersion(what(), version));
  if (version === 3) {
    checkCrc(raw, CRC_OFFSET, what);
    const recorded = Number(raw.readBigUInt64BE(152));
    if (recorded !== number) throw corrupt(wrongOwner(what(), recorded));
    checkUuid(raw, 160, sb.metaUuid, what);
  }
  const mode = raw.readUInt16BE(2);
  if (mode === 0) throw corrupt(notInUse(what()));
  const type = fileTypeOfMode(mode);
  const format = raw[5];
  if (!(FORMATS[type] ?? [format]).includes(format)) throw corrupt(badForkFormat(what(), format));
  const flags2 = version === 3 ? Number(raw.readBigUInt64BE(120) & 0xffffn) : 0;
  const sizeHigh = raw.readUInt32BE(56);
  if (sizeHigh >= 0x0020_0000) throw corrupt(sizeHigh >= 0x8000_0000 ? hasImpossible(what(), quantity.size, raw.readBigInt64BE(56).toString()) : impossiblyLarge(sizeOfInode(number)));
  const size = sizeHigh * 0x1_0000_0000 + raw.readUInt32BE(60);

  const core = version === 3 ? V3_CORE : V2_CORE;
  const literal = sb.inodeSize - core;
  const forkOffset = raw[82] * 8;
  if (forkOffset >= literal) throw corrupt(forkOffsetPastInode(what(), core + forkOffset));
  const forkSize = forkOffset === 0 ? literal : forkOffset;
  const bigCounts = (flags2 & DIFLAG2_NREXT64) !== 0;
  const extents = bigCounts ? Number(raw.readBigUInt64BE(24)) : raw.readUInt32BE(76);
  if (format === FORK.EXTENTS && extents * 16 > forkSize) throw corrupt(tooManyRecords(ofInode(extentList, number), extents, Math.floor(forkSize / 16)));
  const fork = Buffer.allocUnsafe(forkSize);
  raw.copy(fork, 0, core, core + forkSize);
  return {
    number, mode, type, format, extents, fork,
    uid: raw.readUInt32BE(8),
    gid: raw.readUInt32BE(12),
    links: version === 1 ? raw.readUInt16BE(6) : raw.readUInt32BE(16),
    size,
    mtime: timestamp(raw, 40, (flags2 & DIFLAG2_BIGTIME) !== 0),
    realtime: (raw.readUInt16BE(90) & DIFLAG_REALTIME) !== 0,
  };
}

/** Seconds since the epoch of the timestamp at `offset`: signed seconds + nanoseconds, or bigtime nanoseconds. */
function timestamp(raw: Buffer, offset: number, bigtime: boolean): number {
  if (!bigtime) return raw.readInt32BE(offset);
  return Number(raw.readBigUInt64BE(offset) / 1_000_000_000n) - BIGTIME_EPOCH_OFFSET;
}
