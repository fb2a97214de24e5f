/**
 * The XFS superblock (sector 0 of allocation group 0; the kernel's struct xfs_dsb in
 * xfs_format.h, big-endian): geometry, version and feature bits. v5 superblocks carry a CRC.
 * Incompatible features this reader does not know are refused by name; `needsrepair` is refused
 * (the file system is half-repaired). Read-only compatible features (finobt, rmapbt, reflink,
 * inobtcount) do not change anything read here.
 */
import type { RangeReader } from '../../disk/types.ts';
import { checkCrc } from './crc.ts';
import { corrupt, readExact, unsupported } from './errors.ts';
import {
  badSuperblockVersion, directoryV1, impossibleField, needsRepair, notXfs, superblock, xfsField, xfsIncompatibleFeatures,
} from './texts.ts';

const MAGIC = 0x58465342; // 'XFSB'
const SB_SIZE = 264;

const VERSION = { NUMBITS: 0x000f, DIRV2: 0x2000, MOREBITS: 0x8000, BORG: 0x4000 } as const;
const FEATURES2 = { FTYPE: 0x200 } as const;

export const INCOMPAT = {
  FTYPE: 0x1,
  SPINODES: 0x2,
  META_UUID: 0x4,
  BIGTIME: 0x8,
  NEEDSREPAIR: 0x10,
  NREXT64: 0x20,
  EXCHRANGE: 0x40,
  PARENT: 0x80,
} as const;
/**
 * Incompatible features whose structures this reader reads (or that change nothing it reads:
 * exchange-range only affects the log, parent pointers are extended attributes). NEEDSREPAIR is
 * known but refused.
 */
const READABLE_INCOMPAT = INCOMPAT.FTYPE | INCOMPAT.SPINODES | INCOMPAT.META_UUID | INCOMPAT.BIGTIME | INCOMPAT.NREXT64 | INCOMPAT.EXCHRANGE | INCOMPAT.PARENT;
const INCOMPAT_NAMES: Record<number, string> = {
  0x100: 'metadir', 0x200: 'zoned',
};
const RO_COMPAT_REFLINK = 0x4;

export interface XfsSuperblockInfo {
  /** 4 or 5 (CRC-checked metadata, v3 inodes). */
  version: 4 | 5;
  blockSize: number;
  blockLog: number;
  sectorSize: number;
  /** Blocks of the data device. */
  blockCount: number;
  agBlocks: number;
  agCount: number;
  agBlockLog: number;
  inodeSize: number;
  inodesPerBlockLog: number;
  rootInode: number;
  /** Directory block size in bytes (blockSize << sb_dirblklog). */
  dirBlockSize: number;
  /** Directory entries record the file type. */
  ftype: boolean;
  reflink: boolean;
  bigtime: boolean;
  nrext64: boolean;
  sparseInodes: boolean;
  /** The UUID stamped into v5 metadata: sb_meta_uuid with the meta_uuid feature, else sb_uuid. */
  metaUuid: Buffer;
  uuid: string;
  label: string;
  features: { compat: number; roCompat: number; incompat: number; logIncompat: number };
}

export async function readSuperblock(reader: RangeReader): Promise<XfsSuperblockInfo> {
  const head = await readExact(reader, 0, Math.min(reader.size, 512), superblock);
  if (head.length < SB_SIZE || head.readUInt32BE(0) !== MAGIC) throw corrupt(notXfs);
  const impossible = (field: (typeof xfsField)[keyof typeof xfsField], value?: number) => corrupt(impossibleField(field, value));
  const versionnum = head.readUInt16BE(100);
  const version = versionnum & VERSION.NUMBITS;
  if (version !== 4 && version !== 5) throw corrupt(badSuperblockVersion(version));
  const sectorSize = head.readUInt16BE(102);
  if (sectorSize < 512 || sectorSize > 32768 || (sectorSize & (sectorSize - 1)) !== 0) throw impossible(xfsField.sectorSize, sectorSize);
  const sector = await readExact(reader, 0, sectorSize, superblock);
  const features = {
    compat: version === 5 ? sector.readUInt32BE(208) : 0,
    roCompat: version === 5 ? sector.readUInt32BE(212) : 0,
    incompat: version === 5 ? sector.readUInt32BE(216) : 0,
    logIncompat: version === 5 ? sector.readUInt32BE(220) : 0,
  };
  // the CRC first: on a v5 superblock every other check is of bytes the CRC vouches for
  if (version === 5) checkCrc(sector, 224, () => superblock);
  if (version === 4 && (versionnum & VERSION.DIRV2) === 0) throw unsupported(directoryV1);
  if ((features.incompat & INCOMPAT.NEEDSREPAIR) !== 0) throw unsupported(needsRepair);
  const unknown = (features.incompat & ~READABLE_INCOMPAT) >>> 0;
  if (unknown !== 0) throw unsupported(xfsIncompatibleFeatures(featureNames(unknown)));

  const blockSize = sector.readUInt32BE(4);
  const blockLog = sector[120];
  if (blockLog < 9 || blockLog > 16 || blockSize !== 2 ** blockLog || blockSize < sectorSize) throw impossible(xfsField.blockSize, blockSize);
  const inodeSize = sector.readUInt16BE(104);
  const inodeLog = sector[122];
  if (inodeLog < 8 || inodeLog > 11 || inodeSize !== 2 ** inodeLog || inodeSize > blockSize || (version === 5 && inodeSize < 512)) throw impossible(xfsField.inodeSize, inodeSize);
  const inodesPerBlockLog = sector[123];
  if (inodesPerBlockLog !== blockLog - inodeLog || sector.readUInt16BE(106) !== blockSize / inodeSize) throw impossible(xfsField.inodesPerBlock, sector.readUInt16BE(106));
  const agBlocks = sector.readUInt32BE(84);
  const agCount = sector.readUInt32BE(88);
  const agBlockLog = sector[124];
  if (agBlocks < 16) throw impossible(xfsField.agBlocks, agBlocks);
  if (agCount === 0) throw impossible(xfsField.agCount, agCount);
  // agblklog is log2 of agblocks rounded up: inode and block numbers put the AG number above it
  if (agBlockLog > 31 || 2 ** agBlockLog < agBlocks || 2 ** (agBlockLog - 1) >= agBlocks) throw impossible(xfsField.agBlockLog, agBlockLog);
  const blockCount = Number(sector.readBigUInt64BE(8));
  if (!Number.isSafeInteger(blockCount * blockSize) || blockCount > agCount * agBlocks || blockCount <= (agCount - 1) * agBlocks) throw impossible(xfsField.blockCount, blockCount);
  const dirBlockLog = sector[192];
  const dirBlockSize = blockSize * 2 ** dirBlockLog;
  if (dirBlockSize > 65536) throw impossible(xfsField.directoryBlockSize, dirBlockSize);
  const rootInode = Number(sector.readBigUInt64BE(56));
  if (!Number.isSafeInteger(rootInode) || rootInode === 0) throw impossible(xfsField.rootInode, rootInode);

  const features2 = (versionnum & VERSION.MOREBITS) !== 0 ? sector.readUInt32BE(200) : 0;
  const metaUuid = Buffer.from(sector.subarray((features.incompat & INCOMPAT.META_UUID) !== 0 ? 248 : 32).subarray(0, 16));
  return {
    version,
    blockSize,
    blockLog,
    sectorSize,
    blockCount,
    agBlocks,
    agCount,
    agBlockLog,
    inodeSize,
    inodesPerBlockLog,
    rootInode,
    dirBlockSize,
    ftype: version === 5 ? (features.incompat & INCOMPAT.FTYPE) !== 0 : (features2 & FEATURES2.FTYPE) !== 0,
    reflink: (features.roCompat & RO_COMPAT_REFLINK) !== 0,
    bigtime: (features.incompat & INCOMPAT.BIGTIME) !== 0,
    nrext64: (features.incompat & INCOMPAT.NREXT64) !== 0,
    sparseInodes: (features.incompat & INCOMPAT.SPINODES) !== 0,
    metaUuid,
    uuid: formatUuid(sector.subarray(32, 48)),
    label: sector.toString('latin1', 108, 120).replace(/\0.*$/s, ''),
    features,
  };
}

function featureNames(bits: number): string {
  const names: string[] = [];
  for (let i = 0; i < 32; i++) {
    const bit = 2 ** i;
    if (Math.floor(bits / bit) % 2 === 1) names.push(INCOMPAT_NAMES[bit] ?? `0x${bit.toString(16)}`);
  }
  return names.join(', ');
}

function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
