/**
 * The contract between the disk-format layer (`disk/`), the file-system readers (`fs/ext4/`) and
 * the checks: how bytes are read from an image, what a disk's layout is, and what `openDisk`
 * (src/certification/fs/open.ts) hands to the checks. Keep it stable; extend freely.
 */
import type { ImageFormat } from '../types.ts';
import type { GuestFs } from '../fs/types.ts';
import type { Localized } from '../../i18n/localized.ts';

/**
 * Positioned reads over a byte range (a whole image, the virtual disk inside it, or one
 * partition). `read` returns exactly `length` bytes, or fewer only at the end of the range, and
 * throws a VmarketError (IMAGE_CORRUPT) for a position outside it: a reader never reads
 * outside its range.
 */
export interface RangeReader {
  readonly size: number;
  read(position: number, length: number): Promise<Buffer>;
  /** A reader over [offset, offset + length) of this one (bounds-checked). */
  slice(offset: number, length: number): RangeReader;
}

export interface VhdFooter {
  cookie: string;
  features: number;
  formatVersion: number;
  dataOffset: bigint;
  timestamp: number;
  creatorApplication: string;
  creatorHostOs: string;
  originalSize: number;
  currentSize: number;
  geometry: { cylinders: number; heads: number; sectorsPerTrack: number };
  /** 2 fixed, 3 dynamic, 4 differencing. */
  diskType: number;
  checksum: number;
  checksumValid: boolean;
  uniqueId: string;
  savedState: number;
}

export interface FormatInfo {
  format: ImageFormat;
  fileSize: number;
  /** Size of the virtual disk: the VHD footer's current size; qcow2/VMDK header sizes; raw file size. */
  virtualSize: number;
  footer: VhdFooter | null;
  /** Why the image is not a valid fixed VHD (empty when it is). One sentence each, in every language. */
  problems: Localized[];
}

export interface PartitionEntry {
  /** 1-based as Linux numbers them (MBR logical partitions from 5). */
  number: number;
  scheme: 'mbr' | 'gpt';
  /** MBR: `0x83`; GPT: the type GUID in lower case. */
  type: string;
  /** Linux data, swap, EFI system, BIOS boot, LVM, extended … (readable label). */
  typeName: string;
  startByte: number;
  sizeBytes: number;
  name?: string;
  bootable?: boolean;
}

export interface PartitionTable {
  scheme: 'mbr' | 'gpt' | 'none';
  partitions: PartitionEntry[];
  /** Unreadable table, CRC mismatches, entries outside the disk, overlaps. One sentence each, in every language. */
  problems: Localized[];
}

export type FileSystemKind = 'ext2' | 'ext3' | 'ext4' | 'xfs' | 'btrfs' | 'swap' | 'lvm' | 'luks' | 'ntfs' | 'vfat' | 'unknown';

export interface OpenedFileSystem {
  /** null when the file system fills the whole disk (no partition table). */
  partition: PartitionEntry | null;
  kind: FileSystemKind;
  /** A readable view for ext2/3/4; null for everything else or when it failed to open. */
  fs: GuestFs | null;
  label?: string;
  uuid?: string;
  /** Why `fs` is null for an ext file system (corrupt superblock …), in every language. */
  problem?: Localized;
}

export interface OpenedDisk {
  path: string;
  info: FormatInfo;
  /** The virtual disk's bytes (for a fixed VHD: the file without its 512-byte footer). */
  disk: RangeReader;
  table: PartitionTable;
  fileSystems: OpenedFileSystem[];
  close(): Promise<void>;
}

/** `openDisk` in src/certification/fs/open.ts. Never throws for a bad image: problems are in the result. */
export type OpenDisk = (path: string) => Promise<OpenedDisk>;
