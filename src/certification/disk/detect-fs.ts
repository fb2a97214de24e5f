/**
 * Which file system a partition holds, by the magic numbers blkid reads: only the superblock
 * bytes are read, never the contents. ext2/3/4 are told apart by their feature flags as blkid
 * does: any feature ext3 lacks makes it ext4, a journal without those makes it ext3.
 */
import type { FileSystemKind, RangeReader } from './types.ts';

export interface DetectedFileSystem {
  kind: FileSystemKind;
  label?: string;
  uuid?: string;
  /** For LUKS: the header's version (1 or 2), so a report can say which. */
  luksVersion?: number;
}

/** Enough for every superblock below except btrfs (at 64 KiB) and big-page swap. */
const HEAD_BYTES = 8192;
const BTRFS_SUPER = 64 * 1024;
const SWAP_PAGE_SIZES = [4096, 8192, 16384, 65536];

// ext feature bits (linux/fs/ext4/ext4.h).
const EXT_COMPAT_HAS_JOURNAL = 0x4;
const EXT_INCOMPAT_JOURNAL_DEV = 0x8;
/** Incompat features ext3 knows: filetype, recover, meta_bg. */
const EXT3_INCOMPAT = 0x2 | 0x4 | 0x10;
/** Ro-compat features ext3 knows: sparse_super, large_file, btree_dir. */
const EXT3_RO_COMPAT = 0x1 | 0x2 | 0x4;

export async function detectFileSystem(part: RangeReader): Promise<DetectedFileSystem> {
  const head = await part.read(0, Math.min(part.size, HEAD_BYTES));
  const at = (offset: number, magic: string) =>
    head.length >= offset + magic.length && head.toString('latin1', offset, offset + magic.length) === magic;

  if (at(0, 'LUKS\xba\xbe')) return luks(head);
  if (at(0, 'XFSB')) return { kind: 'xfs', ...text('label', head, 108, 12), ...uuid(head, 32) };
  if (head.length >= 1024 + 128 && head.readUInt16LE(1024 + 56) === 0xef53) return ext(head.subarray(1024));
  for (let sector = 0; sector < 4; sector++) {
    if (at(sector * 512, 'LABELONE') && at(sector * 512 + 24, 'LVM2 001')) {
      return { kind: 'lvm', uuid: head.toString('latin1', sector * 512 + 32, sector * 512 + 64).replace(/\0.*$/s, '') };
    }
  }
  for (const page of SWAP_PAGE_SIZES) {
    if (page > part.size) break;
    const magic = page <= head.length ? head.subarray(page - 10, page) : await part.read(page - 10, 10);
    const word = magic.toString('latin1');
    if (word === 'SWAPSPACE2' || word === 'SWAP-SPACE') return swap(head, word === 'SWAPSPACE2');
  }
  if (at(3, 'NTFS    ')) return { kind: 'ntfs', ...(head.length >= 80 ? { uuid: Buffer.from(head.subarray(72, 80)).reverse().toString('hex').toUpperCase() } : {}) };
  const fat = vfat(head);
  if (fat) return fat;
  if (part.size >= BTRFS_SUPER + 4096) {
    const sb = await part.read(BTRFS_SUPER, 4096);
    if (sb.toString('latin1', 64, 72) === '_BHRfS_M') return { kind: 'btrfs', ...text('label', sb, 299, 256), ...uuid(sb, 32) };
  }
  return { kind: 'unknown' };
}

function ext(sb: Buffer): DetectedFileSystem {
  const compat = sb.readUInt32LE(0x5c);
  const incompat = sb.readUInt32LE(0x60);
  const roCompat = sb.readUInt32LE(0x64);
  // An external journal device is not a file system with files.
  if (incompat & EXT_INCOMPAT_JOURNAL_DEV) return { kind: 'unknown', ...uuid(sb, 0x68) };
  let kind: FileSystemKind;
  if (incompat & ~EXT3_INCOMPAT || roCompat & ~EXT3_RO_COMPAT) kind = 'ext4';
  else if (compat & EXT_COMPAT_HAS_JOURNAL) kind = 'ext3';
  else kind = 'ext2';
  return { kind, ...text('label', sb, 0x78, 16), ...uuid(sb, 0x68) };
}

function luks(head: Buffer): DetectedFileSystem {
  const version = head.length >= 8 ? head.readUInt16BE(6) : 0;
  const label = version === 2 ? text('label', head, 24, 48) : {};
  const id = head.length >= 208 ? head.toString('latin1', 168, 208).replace(/\0.*$/s, '') : '';
  return { kind: 'luks', ...label, ...(id ? { uuid: id } : {}), ...(version ? { luksVersion: version } : {}) };
}

function swap(head: Buffer, version2: boolean): DetectedFileSystem {
  // The version-1 header (SWAPSPACE2) follows the 1 KiB boot block: uuid at +12, label at +28.
  if (!version2 || head.length < 1024 + 44) return { kind: 'swap' };
  return { kind: 'swap', ...text('label', head, 1024 + 28, 16), ...uuid(head, 1024 + 12) };
}

function vfat(head: Buffer): DetectedFileSystem | null {
  if (head.length < 512 || head[510] !== 0x55 || head[511] !== 0xaa) return null;
  const fat32 = head.toString('latin1', 82, 87) === 'FAT32';
  const fat16 = head.toString('latin1', 54, 57) === 'FAT';
  if (!fat32 && !fat16) return null;
  const base = fat32 ? 64 : 36;
  const serial = head.readUInt32LE(base + 3);
  const hex = serial.toString(16).toUpperCase().padStart(8, '0');
  const label = text('label', head, base + 7, 11);
  return { kind: 'vfat', ...(label.label === 'NO NAME' ? {} : label), uuid: `${hex.slice(0, 4)}-${hex.slice(4)}` };
}

/** A NUL- or space-padded text field, omitted when empty. */
function text(key: 'label', bytes: Buffer, offset: number, length: number): { label?: string } {
  if (bytes.length < offset + length) return {};
  const value = bytes.toString('utf8', offset, offset + length).replace(/\0.*$/s, '').trimEnd();
  return value ? { [key]: value } : {};
}

/** A 16-byte UUID field as `{ uuid }`, omitted when absent or all zeros. */
function uuid(bytes: Buffer, offset: number): { uuid?: string } {
  if (bytes.length < offset + 16) return {};
  const hex = bytes.toString('hex', offset, offset + 16);
  if (/^0+$/.test(hex)) return {};
  return { uuid: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` };
}
