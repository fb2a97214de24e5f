/**
 * The ext2/3/4 superblock: geometry, feature flags and the decision whether this reader can read
 * the file system at all. Layout from the kernel's `struct ext4_super_block`.
 */
import type { RangeReader } from '../../disk/types.ts';
import { corrupt, unsupported } from './errors.ts';
import { join64, readExact } from './read.ts';
import { badSuperblockMagic, blockCount, blockSizeRange, blockSizeTooLarge, descriptorsDoNotFit, field, impossibleField, incompatibleFeatures, superblock, superblockTooSmall } from './texts.ts';

export const SUPERBLOCK_OFFSET = 1024;
export const EXT_MAGIC = 0xef53;

export const COMPAT = { HAS_JOURNAL: 0x4, RESIZE_INODE: 0x10, DIR_INDEX: 0x20, SPARSE_SUPER2: 0x200 } as const;
export const INCOMPAT = {
  COMPRESSION: 0x1,
  FILETYPE: 0x2,
  RECOVER: 0x4,
  JOURNAL_DEV: 0x8,
  META_BG: 0x10,
  EXTENTS: 0x40,
  BIT64: 0x80,
  MMP: 0x100,
  FLEX_BG: 0x200,
  EA_INODE: 0x400,
  DIRDATA: 0x1000,
  CSUM_SEED: 0x2000,
  LARGEDIR: 0x4000,
  INLINE_DATA: 0x8000,
  ENCRYPT: 0x10000,
  CASEFOLD: 0x20000,
} as const;
export const RO_COMPAT = {
  SPARSE_SUPER: 0x1,
  LARGE_FILE: 0x2,
  HUGE_FILE: 0x8,
  GDT_CSUM: 0x10,
  DIR_NLINK: 0x20,
  EXTRA_ISIZE: 0x40,
  BIGALLOC: 0x200,
  METADATA_CSUM: 0x400,
} as const;

/** Incompatible features whose layout this reader understands. */
const KNOWN_INCOMPAT =
  INCOMPAT.FILETYPE | INCOMPAT.RECOVER | INCOMPAT.META_BG | INCOMPAT.EXTENTS | INCOMPAT.BIT64 | INCOMPAT.MMP |
  INCOMPAT.FLEX_BG | INCOMPAT.EA_INODE | INCOMPAT.CSUM_SEED | INCOMPAT.LARGEDIR | INCOMPAT.INLINE_DATA |
  INCOMPAT.ENCRYPT | INCOMPAT.CASEFOLD;

const FEATURE_NAMES: Array<[keyof ExtFeatureMasks, number, string]> = [
  ['compat', 0x1, 'dir_prealloc'], ['compat', 0x2, 'imagic_inodes'], ['compat', 0x4, 'has_journal'],
  ['compat', 0x8, 'ext_attr'], ['compat', 0x10, 'resize_inode'], ['compat', 0x20, 'dir_index'],
  ['compat', 0x200, 'sparse_super2'], ['compat', 0x400, 'fast_commit'], ['compat', 0x1000, 'orphan_file'],
  ['incompat', 0x1, 'compression'], ['incompat', 0x2, 'filetype'], ['incompat', 0x4, 'needs_recovery'],
  ['incompat', 0x8, 'journal_dev'], ['incompat', 0x10, 'meta_bg'], ['incompat', 0x40, 'extent'],
  ['incompat', 0x80, '64bit'], ['incompat', 0x100, 'mmp'], ['incompat', 0x200, 'flex_bg'],
  ['incompat', 0x400, 'ea_inode'], ['incompat', 0x1000, 'dirdata'], ['incompat', 0x2000, 'metadata_csum_seed'],
  ['incompat', 0x4000, 'large_dir'], ['incompat', 0x8000, 'inline_data'], ['incompat', 0x10000, 'encrypt'],
  ['incompat', 0x20000, 'casefold'],
  ['roCompat', 0x1, 'sparse_super'], ['roCompat', 0x2, 'large_file'], ['roCompat', 0x8, 'huge_file'],
  ['roCompat', 0x10, 'uninit_bg'], ['roCompat', 0x20, 'dir_nlink'], ['roCompat', 0x40, 'extra_isize'],
  ['roCompat', 0x100, 'quota'], ['roCompat', 0x200, 'bigalloc'], ['roCompat', 0x400, 'metadata_csum'],
  ['roCompat', 0x1000, 'read-only'], ['roCompat', 0x2000, 'project'], ['roCompat', 0x8000, 'verity'],
];

interface ExtFeatureMasks {
  compat: number;
  incompat: number;
  roCompat: number;
}

export interface ExtSuperblockInfo {
  /** ext4 when any ext4-only feature is on, ext3 with a journal, else ext2 (as blkid decides). */
  kind: 'ext2' | 'ext3' | 'ext4';
  blockSize: number;
  blocksCount: number;
  inodesCount: number;
  blocksPerGroup: number;
  inodesPerGroup: number;
  groupCount: number;
  firstDataBlock: number;
  inodeSize: number;
  /** Size of one group descriptor: 32, or `s_desc_size` with the 64bit feature. */
  descSize: number;
  firstMetaBg: number;
  revLevel: number;
  features: ExtFeatureMasks;
  /** Readable names of every feature flag that is set. */
  featureNames: string[];
  uuid: string;
  label: string;
  /** Things the reader reads anyway but a caller may want to show (dirty journal, encryption …). */
  warnings: string[];
}

export async function readSuperblock(reader: RangeReader): Promise<ExtSuperblockInfo> {
  if (reader.size < SUPERBLOCK_OFFSET + 1024) throw corrupt(superblockTooSmall);
  const sb = await readExact(reader, SUPERBLOCK_OFFSET, 1024, superblock);
  return parseSuperblock(sb, reader.size);
}

export function parseSuperblock(sb: Buffer, fsBytes: number): ExtSuperblockInfo {
  if (sb.readUInt16LE(0x38) !== EXT_MAGIC) throw corrupt(badSuperblockMagic);
  const revLevel = sb.readUInt32LE(0x4c);
  const features: ExtFeatureMasks = revLevel >= 1
    ? { compat: sb.readUInt32LE(0x5c), incompat: sb.readUInt32LE(0x60), roCompat: sb.readUInt32LE(0x64) }
    : { compat: 0, incompat: 0, roCompat: 0 };
  const logBlock = sb.readUInt32LE(0x18);
  if (logBlock > 6) throw corrupt(blockSizeRange(10 + logBlock));
  const blockSize = 1024 << logBlock;
  const is64 = (features.incompat & INCOMPAT.BIT64) !== 0;
  const blocksCount = join64(sb.readUInt32LE(0x4), is64 ? sb.readUInt32LE(0x150) : 0, blockCount);
  const inodesCount = sb.readUInt32LE(0x0);
  const firstDataBlock = sb.readUInt32LE(0x14);
  const blocksPerGroup = sb.readUInt32LE(0x20);
  const inodesPerGroup = sb.readUInt32LE(0x28);
  const inodeSize = revLevel >= 1 ? sb.readUInt16LE(0x58) : 128;
  const descSize = is64 ? sb.readUInt16LE(0xfe) : 32;
  const firstMetaBg = sb.readUInt32LE(0x104);
  const logCluster = (features.roCompat & RO_COMPAT.BIGALLOC) !== 0 ? sb.readUInt32LE(0x1c) : logBlock;

  const unknown = features.incompat & ~KNOWN_INCOMPAT;
  if (unknown !== 0) {
    const names = FEATURE_NAMES.filter(([k, bit]) => k === 'incompat' && (unknown & bit) !== 0).map(([, , n]) => n);
    const label = names.length > 0 ? names.join(', ') : `0x${unknown.toString(16)}`;
    // compression, journal_dev, dirdata and unknown bits change where data or names live: reading
    // on would give wrong answers, so the file system is refused rather than misread.
    throw unsupported(incompatibleFeatures(label));
  }
  if (blockSize > fsBytes) throw corrupt(blockSizeTooLarge);
  if (blocksCount === 0 || blocksCount <= firstDataBlock) throw corrupt(impossibleField(field.blockCount, blocksCount));
  if (firstDataBlock > (blockSize === 1024 ? 1 : 0)) throw corrupt(impossibleField(field.firstDataBlock, firstDataBlock));
  if (logCluster < logBlock || logCluster - logBlock > 16) throw corrupt(impossibleField(field.clusterSize));
  const maxBlocksPerGroup = 8 * blockSize * 2 ** (logCluster - logBlock);
  if (blocksPerGroup === 0 || blocksPerGroup > maxBlocksPerGroup) throw corrupt(impossibleField(field.blocksPerGroup, blocksPerGroup));
  if (inodesPerGroup === 0 || inodesPerGroup > 8 * blockSize) throw corrupt(impossibleField(field.inodesPerGroup, inodesPerGroup));
  if (inodeSize < 128 || inodeSize > blockSize || (inodeSize & (inodeSize - 1)) !== 0) throw corrupt(impossibleField(field.inodeSize, inodeSize));
  if (descSize < 32 || descSize > 1024 || (descSize & (descSize - 1)) !== 0 || (is64 && descSize < 64)) {
    throw corrupt(impossibleField(field.descriptorSize, descSize));
  }
  const groupCount = Math.ceil((blocksCount - firstDataBlock) / blocksPerGroup);
  if (inodesCount === 0 || inodesCount > groupCount * inodesPerGroup) throw corrupt(impossibleField(field.inodeCount, inodesCount));
  if (groupCount * descSize > blocksCount * blockSize) throw corrupt(descriptorsDoNotFit);

  const warnings: string[] = [];
  if (blocksCount * blockSize > fsBytes) {
    warnings.push(`the file system claims ${blocksCount * blockSize} bytes but its partition holds ${fsBytes}; blocks past the end read as errors`);
  }
  if (features.incompat & INCOMPAT.RECOVER) {
    warnings.push('the journal needs recovery; recent changes still in the journal are not visible');
  }
  if (features.incompat & INCOMPAT.ENCRYPT) {
    // Unencrypted files read normally; encrypted ones have ciphertext names and contents, so the
    // reader refuses their contents and does not descend into encrypted directories.
    warnings.push('the file system uses encryption; encrypted directories and files cannot be inspected');
  }
  if (features.incompat & INCOMPAT.CASEFOLD) {
    // Case folding only changes how the kernel compares names; entries are stored as written, so
    // reading is safe, but lookups here stay case-sensitive.
    warnings.push('the file system uses case-insensitive directories; lookups here are case-sensitive');
  }

  const featureNames = FEATURE_NAMES.filter(([k, bit]) => (features[k] & bit) !== 0).map(([, , n]) => n);
  const ext3Incompat = INCOMPAT.FILETYPE | INCOMPAT.RECOVER | INCOMPAT.META_BG;
  const ext3RoCompat = RO_COMPAT.SPARSE_SUPER | RO_COMPAT.LARGE_FILE | 0x4;
  const kind = (features.incompat & ~ext3Incompat) !== 0 || (features.roCompat & ~ext3RoCompat) !== 0
    ? 'ext4'
    : (features.compat & COMPAT.HAS_JOURNAL) !== 0 ? 'ext3' : 'ext2';
  const uuidHex = sb.subarray(0x68, 0x78).toString('hex');
  const uuid = `${uuidHex.slice(0, 8)}-${uuidHex.slice(8, 12)}-${uuidHex.slice(12, 16)}-${uuidHex.slice(16, 20)}-${uuidHex.slice(20)}`;
  const rawLabel = sb.subarray(0x78, 0x88);
  const nul = rawLabel.indexOf(0);
  const label = rawLabel.subarray(0, nul === -1 ? 16 : nul).toString('utf8');

  return {
    kind, blockSize, blocksCount, inodesCount, blocksPerGroup, inodesPerGroup, groupCount, firstDataBlock,
    inodeSize, descSize, firstMetaBg, revLevel, features, featureNames, uuid, label, warnings,
  };
}
