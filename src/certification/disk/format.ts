/**
 * Which container format an image file is in, its virtual size, and why it is not a valid fixed
 * VHD. Reads only the first and last sectors (plus a VHD's dynamic header): never the contents.
 */
import type { ImageFormat } from '../types.ts';
import type { FormatInfo, RangeReader, VhdFooter } from './types.ts';
import { hasVhdCookie, parseVhdFooter, vhdChecksum, VHD_COOKIE, VHD_DISK_TYPES, VHD_DYNAMIC_COOKIE, VHD_FOOTER_SIZE } from './vhd-footer.ts';

const QCOW2_MAGIC = Buffer.from('QFI\xfb', 'latin1');
const VMDK_SPARSE_MAGIC = 'KDMV';
const VMDK_DESCRIPTOR = '# Disk DescriptorFile';
const VHDX_SIGNATURE = 'vhdxfile';
/** A VMDK text descriptor is small; read at most this much of it. */
const DESCRIPTOR_MAX = 64 * 1024;

export async function detectFormat(reader: RangeReader): Promise<FormatInfo> {
  const fileSize = reader.size;
  const head = await reader.read(0, Math.min(fileSize, VHD_FOOTER_SIZE));
  // A VMDK text descriptor is a few hundred bytes: tell it apart before the size test.
  if (startsWith(head, VMDK_DESCRIPTOR)) {
    const text = (await reader.read(0, Math.min(fileSize, DESCRIPTOR_MAX))).toString('latin1');
    return foreign(fileSize, 'vmdk', descriptorSize(text), 'a VMDK descriptor');
  }
  if (fileSize < VHD_FOOTER_SIZE) {
    return {
      format: 'unknown',
      fileSize,
      virtualSize: 0,
      footer: null,
      problems: [`The file is ${fileSize} bytes long, too small to be a disk image with a 512-byte VHD footer.`],
    };
  }
  const tail = await reader.read(fileSize - VHD_FOOTER_SIZE, VHD_FOOTER_SIZE);

  if (hasVhdCookie(tail)) return describeVhd(reader, tail, head, []);
  if (hasVhdCookie(head)) {
    const copyType = head.readUInt32BE(60);
    // Only dynamic and differencing disks carry a footer copy at offset 0; a fixed VHD's first
    // sector is the guest's, so a cookie there says nothing about a fixed disk.
    if (copyType === 3 || copyType === 4) {
      return describeVhd(reader, head, head, [
        `The file does not end with a VHD footer (cookie "${VHD_COOKIE}"); the footer copy at the start of the file was read instead.`,
      ]);
    }
  }
  return describeForeign(fileSize, head);
}

async function describeVhd(reader: RangeReader, footerBytes: Buffer, head: Buffer, problems: string[]): Promise<FormatInfo> {
  const fileSize = reader.size;
  const footer = parseVhdFooter(footerBytes);
  if (!footer.checksumValid) {
    problems.push(`The VHD footer checksum is ${hex32(footer.checksum)}, but the footer's contents give ${hex32(vhdChecksum(footerBytes))}.`);
  }
  let format: ImageFormat;
  if (footer.diskType === 2) {
    format = 'vhd-fixed';
    const expected = fileSize - VHD_FOOTER_SIZE;
    if (footer.currentSize !== expected) {
      problems.push(
        `The VHD footer's current size (${footer.currentSize} bytes) differs from the file size minus the 512-byte footer (${expected} bytes).`,
      );
    }
  } else if (footer.diskType === 3 || footer.diskType === 4) {
    format = footer.diskType === 3 ? 'vhd-dynamic' : 'vhd-differencing';
    problems.push(
      `The VHD is a ${VHD_DISK_TYPES[footer.diskType]} disk (disk type ${footer.diskType}); only fixed VHDs (disk type 2) are accepted.`,
    );
    const sparseProblem = await checkDynamicHeader(reader, footer, head);
    if (sparseProblem) problems.push(sparseProblem);
  } else {
    format = 'unknown';
    problems.push(`The VHD footer has disk type ${footer.diskType}, which is neither fixed (2), dynamic (3) nor differencing (4).`);
  }
  return { format, fileSize, virtualSize: footer.currentSize, footer, problems };
}

/** A dynamic or differencing VHD has a footer copy at offset 0 and a `cxsparse` header at dataOffset. */
async function checkDynamicHeader(reader: RangeReader, footer: VhdFooter, head: Buffer): Promise<string | null> {
  if (!hasVhdCookie(head)) return 'The copy of the VHD footer at the start of the dynamic disk is missing.';
  const offset = footer.dataOffset;
  if (offset > BigInt(reader.size - 1024)) {
    return `The dynamic VHD header offset (${offset}) lies beyond the end of the file.`;
  }
  const header = await reader.read(Number(offset), 8);
  if (header.toString('latin1') !== VHD_DYNAMIC_COOKIE) {
    return `The dynamic VHD header at byte ${offset} lacks its cookie "${VHD_DYNAMIC_COOKIE}".`;
  }
  return null;
}

function describeForeign(fileSize: number, head: Buffer): FormatInfo {
  if (head.subarray(0, 4).equals(QCOW2_MAGIC)) return foreign(fileSize, 'qcow2', safeNumber(head.readBigUInt64BE(24)), 'a qcow2 image');
  if (startsWith(head, VMDK_SPARSE_MAGIC)) {
    return foreign(fileSize, 'vmdk', safeNumber(head.readBigUInt64LE(12) * 512n), 'a sparse VMDK image');
  }
  if (startsWith(head, VHDX_SIGNATURE)) return foreign(fileSize, 'unknown', 0, 'a VHDX image');
  return foreign(fileSize, 'raw', fileSize, 'read as a raw disk');
}

function foreign(fileSize: number, format: ImageFormat, virtualSize: number, what: string): FormatInfo {
  return {
    format,
    fileSize,
    virtualSize,
    footer: null,
    problems: [`The file has no VHD footer (its last 512 bytes do not start with the cookie "${VHD_COOKIE}"): it is ${what}, not a fixed VHD.`],
  };
}

function startsWith(bytes: Buffer, magic: string): boolean {
  return bytes.length >= magic.length && bytes.toString('latin1', 0, magic.length) === magic;
}

/** Sum of the extent sizes (in 512-byte sectors) of a VMDK text descriptor. */
function descriptorSize(text: string): number {
  let sectors = 0;
  for (const match of text.matchAll(/^\s*(?:RW|RDONLY|NOACCESS)\s+(\d+)\s/gm)) sectors += Number(match[1]);
  return Number.isSafeInteger(sectors * 512) ? sectors * 512 : 0;
}

function safeNumber(value: bigint): number {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : Number.MAX_SAFE_INTEGER;
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
