/** Readable names of MBR partition type bytes and GPT partition type GUIDs. */

/** MBR types that hold a chain of logical partitions. */
export const MBR_EXTENDED_TYPES = new Set([0x05, 0x0f, 0x85]);
export const MBR_GPT_PROTECTIVE = 0xee;

const MBR_NAMES: Record<number, string> = {
  0x01: 'FAT12',
  0x04: 'FAT16 <32M',
  0x05: 'extended',
  0x06: 'FAT16',
  0x07: 'NTFS/exFAT',
  0x0b: 'FAT32',
  0x0c: 'FAT32 (LBA)',
  0x0e: 'FAT16 (LBA)',
  0x0f: 'extended (LBA)',
  0x27: 'Windows recovery',
  0x42: 'Windows dynamic',
  0x82: 'Linux swap',
  0x83: 'Linux',
  0x85: 'Linux extended',
  0x8e: 'Linux LVM',
  0xa5: 'FreeBSD',
  0xa6: 'OpenBSD',
  0xa8: 'Darwin UFS',
  0xaf: 'HFS/HFS+',
  0xee: 'GPT protective',
  0xef: 'EFI system',
  0xfd: 'Linux RAID',
};

const GPT_NAMES: Record<string, string> = {
  'c12a7328-f81f-11d2-ba4b-00a0c93ec93b': 'EFI system',
  '21686148-6449-6e6f-744e-656564454649': 'BIOS boot',
  '0fc63daf-8483-4772-8e79-3d69d8477de4': 'Linux filesystem',
  '0657fd6d-a4ab-43c4-84e5-0933c84b4f4f': 'Linux swap',
  'e6d6d379-f507-44c2-a23c-238f2a3df928': 'Linux LVM',
  'a19d880f-05fc-4d3b-a006-743f0f84911e': 'Linux RAID',
  '44479540-f297-41b2-9af7-d131d5f0458a': 'Linux root (x86)',
  '4f68bce3-e8cd-4db1-96e7-fbcaf984b709': 'Linux root (x86-64)',
  'b921b045-1df0-41c3-af44-4c6f280d3fae': 'Linux root (ARM64)',
  'bc13c2ff-59e6-4262-a352-b275fd6f7172': 'Linux extended boot',
  '933ac7e1-2eb4-4f13-b844-0e14e2aef915': 'Linux home',
  '3b8f8425-20e0-4f3b-907f-1a25a76f98e8': 'Linux server data',
  '8da63339-0007-60c0-c436-083ac8230908': 'Linux reserved',
  'ca7d7ccb-63ed-4c53-861c-1742536059cc': 'Linux LUKS',
  '7ffec5c9-2d00-49b7-8941-3ea10a5586b7': 'Linux dm-crypt',
  'ebd0a0a2-b9e5-4433-87c0-68b6b72699c7': 'Microsoft basic data',
  'e3c9e316-0b5c-4db8-817d-f92df00215ae': 'Microsoft reserved',
  'de94bba4-06d1-4d40-a16a-bfd50179d6ac': 'Windows recovery',
  '024dee41-33e7-11d3-9d69-0008c781f39f': 'MBR partition scheme',
  '6a898cc3-1dd2-11b2-99a6-080020736631': 'ZFS',
  '516e7cba-6ecf-11d6-8ff8-00022d09712b': 'FreeBSD',
  '48465300-0000-11aa-aa11-00306543ecac': 'Apple HFS+',
};

export function mbrTypeName(type: number): string {
  return MBR_NAMES[type] ?? `unknown (0x${type.toString(16).padStart(2, '0')})`;
}

export function gptTypeName(guid: string): string {
  return GPT_NAMES[guid] ?? 'unknown';
}

/** `0x83` as PartitionEntry.type spells MBR types. */
export function mbrTypeString(type: number): string {
  return `0x${type.toString(16).padStart(2, '0')}`;
}

/** A GPT GUID as text: the first three fields are little-endian on disk, the rest bytes in order. */
export function formatGuid(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, 16);
  const hex = (from: number, to: number) => b.subarray(from, to).toString('hex');
  const le = (from: number, to: number) => Buffer.from(b.subarray(from, to)).reverse().toString('hex');
  return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${hex(8, 10)}-${hex(10, 16)}`;
}

/** The inverse of formatGuid (for writers and tests). */
export function parseGuid(text: string): Buffer {
  const hex = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new TypeError(`Not a GUID: ${text}`);
  const bytes = Buffer.from(hex, 'hex');
  bytes.subarray(0, 4).reverse();
  bytes.subarray(4, 6).reverse();
  bytes.subarray(6, 8).reverse();
  return bytes;
}
