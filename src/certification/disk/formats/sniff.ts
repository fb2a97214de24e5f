/**
 * What container format a run of bytes starts with, by its magic numbers alone: used on the image
 * file (which reader opens it) and on the first and last sectors of every virtual disk (a format
 * inside another is refused, as OpenStack Glance learned in CVE-2024-32498). Formats vmarket does
 * not read are named too, so that a VDI or QED file is refused as what it is instead of being
 * read as a raw disk.
 */
import { VHD_COOKIE } from '../vhd-footer.ts';

export type SniffedFormat =
  | 'qcow2'
  | 'qcow1'
  | 'qed'
  | 'vmdk-sparse'
  | 'vmdk-cowd'
  | 'vmdk-descriptor'
  | 'vhdx'
  | 'vhd'
  | 'vdi'
  | 'luks'
  | 'parallels';

/** How many bytes of the start `sniffHead` needs. */
export const SNIFF_HEAD_BYTES = 512;

function startsWith(bytes: Buffer, magic: string, offset = 0): boolean {
  return bytes.length >= offset + magic.length && bytes.toString('latin1', offset, offset + magic.length) === magic;
}

/** The format the first bytes of a file (or virtual disk) announce, or null for none. */
export function sniffHead(head: Buffer): SniffedFormat | null {
  if (startsWith(head, 'QFI\xfb')) return head.length >= 8 && head.readUInt32BE(4) === 1 ? 'qcow1' : 'qcow2';
  if (startsWith(head, 'QED\0')) return 'qed';
  if (startsWith(head, 'KDMV')) return 'vmdk-sparse';
  if (startsWith(head, 'COWD')) return 'vmdk-cowd';
  if (startsWith(head, '# Disk DescriptorFile')) return 'vmdk-descriptor';
  if (startsWith(head, 'vhdxfile')) return 'vhdx';
  // a dynamic or differencing VHD starts with a copy of its footer
  if (startsWith(head, VHD_COOKIE)) return 'vhd';
  if (head.length >= 68 && head.readUInt32LE(64) === 0xbeda107f) return 'vdi';
  if (startsWith(head, 'LUKS\xba\xbe')) return 'luks';
  if (startsWith(head, 'WithoutFreeSpace') || startsWith(head, 'WithouFreSpacExt')) return 'parallels';
  return null;
}

/** True when the last 512 bytes are a VHD footer (a fixed VHD ends with one). */
export function sniffTail(tail: Buffer): boolean {
  return startsWith(tail, VHD_COOKIE);
}
