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
  /** Size of the virtual disk: the VHD footer's current size; qcow2/VMDK/VHDX header sizes; raw file size. */
  virtualSize: number;
  footer: VhdFooter | null;
  /** Structural damage of the container (bad checksum, sizes that do not add up, an unreadable header). One sentence each, in every language. */
  problems: Localized[];
  /**
   * Why the image is unsafe and its virtual disk was not read: it points to other files, is
   * encrypted, needs a log replay, holds a format inside another, or is not the format its name
   * or the offer declares (src/certification/disk/formats/). One sentence each, in every language.
   */
  refusals: Localized[];
  /** Facts the reader found (qcow2 version and compression, VMDK create type, VHDX block size). */
  details: Record<string, string | number | boolean>;
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
  /** Why `fs` is null for an ext file system (corrupt superblock …), or why an LVM physical volume could not be read, in every language. */
  problem?: Localized;
  /** For an encrypted (LUKS) volume: its header's version. */
  luksVersion?: number;
  /** Set when the file system is in an LVM logical volume (then `partition` is null). */
  volume?: LogicalVolumePlace;
}

/** Where a file system in a logical volume is: `rhel/root` on the PVs of partitions 2 and 3. */
export interface LogicalVolumePlace {
  group: string;
  name: string;
  /** The partitions holding the volume's extents ([] when its PV is the whole disk). */
  pvPartitions: number[];
}

/** An LVM2 volume group found on a disk, as its newest metadata describes it (src/certification/disk/lvm/). */
export interface VolumeGroupLayout {
  name: string;
  /** 32 characters without dashes. */
  uuid: string;
  seqno: number;
  /** Bytes. */
  extentSize: number;
  pvs: PhysicalVolumeLayout[];
  /** The visible logical volumes (sub-volumes of RAID, thin pools and snapshots are not listed). */
  lvs: LogicalVolumeLayout[];
  /** PVs not on this disk, volumes outside their PVs, overlapping volumes: one sentence each, in every language. */
  problems: Localized[];
}

export interface PhysicalVolumeLayout {
  /** The metadata's name for it (`pv0`). */
  key: string;
  uuid: string;
  /** Where it was found: a partition number, null for the whole disk; absent when it is not on this disk. */
  partition?: number | null;
}

export interface LogicalVolumeLayout {
  name: string;
  uuid: string;
  sizeBytes: number;
  segments: { startExtent: number; extentCount: number; type: string; stripes: number; stripeSize: number }[];
  /** Why it is not read (a thin pool, RAID, a snapshot, outside its PV …), in every language; absent when it was opened. */
  refused?: Localized;
}

export interface OpenedDisk {
  path: string;
  info: FormatInfo;
  /** The virtual disk's bytes, read through the format's reader (for a fixed VHD: the file without its 512-byte footer); an empty reader when the image was refused or its header is unreadable. */
  disk: RangeReader;
  /** False when the image was refused or its container is unreadable (`disk` is then empty). */
  diskReadable: boolean;
  table: PartitionTable;
  /** Every file system: partitions (or the whole disk) first, then the logical volumes of `volumeGroups`. */
  fileSystems: OpenedFileSystem[];
  /** The LVM2 volume groups on the disk's physical volumes. */
  volumeGroups: VolumeGroupLayout[];
  close(): Promise<void>;
}

/** What the supplier says the image is: its name (an offer's source, a command-line path) and an explicitly declared format. */
export interface DeclaredImage {
  /** Its extension declares a format (`.qcow2`, `.vmdk`, `.vhd`, `.vhdx`, `.raw`); `.img` and others declare none. */
  name?: string;
  format?: ImageFormat;
}

/** `openDisk` in src/certification/fs/open.ts. Never throws for a bad image: problems are in the result. */
export type OpenDisk = (path: string, declared?: DeclaredImage) => Promise<OpenedDisk>;
