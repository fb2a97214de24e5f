/**
 * Which container format an image file is in, its virtual size, and why it is not a valid fixed
 * VHD. Reads only the first and last sectors (plus a VHD's dynamic header): never the contents.
 */
import { formatNumber } from '../../i18n/format.ts';
import { fixed, type Localized, type Phrase, say } from '../../i18n/localized.ts';
import type { ImageFormat } from '../types.ts';
import type { FormatInfo, RangeReader, VhdFooter } from './types.ts';
import { hasVhdCookie, parseVhdFooter, vhdChecksum, VHD_COOKIE, VHD_DISK_TYPES, VHD_DYNAMIC_COOKIE, VHD_FOOTER_SIZE } from './vhd-footer.ts';

const QCOW2_MAGIC = Buffer.from('QFI\xfb', 'latin1');
const VMDK_SPARSE_MAGIC = 'KDMV';
const VMDK_DESCRIPTOR = '# Disk DescriptorFile';
const VHDX_SIGNATURE = 'vhdxfile';
/** A VMDK text descriptor is small; read at most this much of it. */
const DESCRIPTOR_MAX = 64 * 1024;

// The problems are sentences a publisher reads in the certification report, in every language.
const tooSmall: Phrase<[fileSize: number]> = {
  en: (size) => `The file is ${size} bytes long, too small to be a disk image with a 512-byte VHD footer.`,
  de: (size) => `Die Datei ist ${formatNumber(size, 'de')} Byte lang und damit zu klein für ein Disk-Image mit einem 512 Byte großen VHD-Footer.`,
};
const FOOTER_COPY_READ = fixed(
  `The file does not end with a VHD footer (cookie "${VHD_COOKIE}"); the footer copy at the start of the file was read instead.`,
  `Die Datei endet nicht mit einem VHD-Footer (Cookie „${VHD_COOKIE}“); stattdessen wurde die Kopie des Footers am Anfang der Datei gelesen.`,
);
const badChecksum: Phrase<[stored: string, computed: string]> = {
  en: (stored, computed) => `The VHD footer checksum is ${stored}, but the footer's contents give ${computed}.`,
  de: (stored, computed) => `Die Prüfsumme im VHD-Footer ist ${stored}, aus dem Inhalt des Footers ergibt sich aber ${computed}.`,
};
const sizeMismatch: Phrase<[currentSize: number, expected: number]> = {
  en: (current, expected) => `The VHD footer's current size (${current} bytes) differs from the file size minus the 512-byte footer (${expected} bytes).`,
  de: (current, expected) =>
    `Die aktuelle Größe im VHD-Footer (${formatNumber(current, 'de')} Byte) weicht von der Dateigröße abzüglich des 512 Byte großen Footers (${formatNumber(expected, 'de')} Byte) ab.`,
};
const GERMAN_DISK_TYPES: Record<number, string> = { 3: 'dynamische', 4: 'differenzierende' };
const notFixed: Phrase<[diskType: number]> = {
  en: (type) => `The VHD is a ${VHD_DISK_TYPES[type]} disk (disk type ${type}); only fixed VHDs (disk type 2) are accepted.`,
  de: (type) => `Die VHD ist eine ${GERMAN_DISK_TYPES[type]} VHD (Datenträgertyp ${type}); akzeptiert werden nur feste VHDs (Datenträgertyp 2).`,
};
const unknownDiskType: Phrase<[diskType: number]> = {
  en: (type) => `The VHD footer has disk type ${type}, which is neither fixed (2), dynamic (3) nor differencing (4).`,
  de: (type) => `Der VHD-Footer nennt den Datenträgertyp ${type}, der weder fest (2) noch dynamisch (3) noch differenzierend (4) ist.`,
};
const NO_FOOTER_COPY = fixed(
  'The copy of the VHD footer at the start of the dynamic disk is missing.',
  'Die Kopie des VHD-Footers am Anfang der dynamischen VHD fehlt.',
);
const headerBeyondEnd: Phrase<[offset: bigint]> = {
  en: (offset) => `The dynamic VHD header offset (${offset}) lies beyond the end of the file.`,
  de: (offset) => `Der Offset des Headers der dynamischen VHD (${offset}) liegt hinter dem Ende der Datei.`,
};
const headerWithoutCookie: Phrase<[offset: bigint]> = {
  en: (offset) => `The dynamic VHD header at byte ${offset} lacks its cookie "${VHD_DYNAMIC_COOKIE}".`,
  de: (offset) => `Dem Header der dynamischen VHD bei Byte ${offset} fehlt sein Cookie „${VHD_DYNAMIC_COOKIE}“.`,
};
/** What a file without a VHD footer is, as the end of the sentence `noFooter` says it in each language. */
type ForeignKind = 'vmdk-descriptor' | 'qcow2' | 'vmdk-sparse' | 'vhdx' | 'raw';
const FOREIGN_EN: Record<ForeignKind, string> = {
  'vmdk-descriptor': 'it is a VMDK descriptor',
  qcow2: 'it is a qcow2 image',
  'vmdk-sparse': 'it is a sparse VMDK image',
  vhdx: 'it is a VHDX image',
  raw: 'it is read as a raw disk',
};
const FOREIGN_DE: Record<ForeignKind, string> = {
  'vmdk-descriptor': ', sondern ein VMDK-Deskriptor',
  qcow2: ', sondern ein qcow2-Image',
  'vmdk-sparse': ', sondern ein Sparse-VMDK-Image',
  vhdx: ', sondern ein VHDX-Image',
  raw: ' und wird als Rohdatenträger gelesen',
};
const noFooter: Phrase<[kind: ForeignKind]> = {
  en: (kind) => `The file has no VHD footer (its last 512 bytes do not start with the cookie "${VHD_COOKIE}"): ${FOREIGN_EN[kind]}, not a fixed VHD.`,
  de: (kind) => `Die Datei hat keinen VHD-Footer (ihre letzten 512 Byte beginnen nicht mit dem Cookie „${VHD_COOKIE}“), ist also keine feste VHD${FOREIGN_DE[kind]}.`,
};

export async function detectFormat(reader: RangeReader): Promise<FormatInfo> {
  const fileSize = reader.size;
  const head = await reader.read(0, Math.min(fileSize, VHD_FOOTER_SIZE));
  // A VMDK text descriptor is a few hundred bytes: tell it apart before the size test.
  if (startsWith(head, VMDK_DESCRIPTOR)) {
    const text = (await reader.read(0, Math.min(fileSize, DESCRIPTOR_MAX))).toString('latin1');
    return foreign(fileSize, 'vmdk', descriptorSize(text), 'vmdk-descriptor');
  }
  if (fileSize < VHD_FOOTER_SIZE) {
    return {
      format: 'unknown',
      fileSize,
      virtualSize: 0,
      footer: null,
      problems: [say(tooSmall, fileSize)],
    };
  }
  const tail = await reader.read(fileSize - VHD_FOOTER_SIZE, VHD_FOOTER_SIZE);

  if (hasVhdCookie(tail)) return describeVhd(reader, tail, head, []);
  if (hasVhdCookie(head)) {
    const copyType = head.readUInt32BE(60);
    // Only dynamic and differencing disks carry a footer copy at offset 0; a fixed VHD's first
    // sector is the guest's, so a cookie there says nothing about a fixed disk.
    if (copyType === 3 || copyType === 4) {
      return describeVhd(reader, head, head, [FOOTER_COPY_READ]);
    }
  }
  return describeForeign(fileSize, head);
}

async function describeVhd(reader: RangeReader, footerBytes: Buffer, head: Buffer, problems: Localized[]): Promise<FormatInfo> {
  const fileSize = reader.size;
  const footer = parseVhdFooter(footerBytes);
  if (!footer.checksumValid) {
    problems.push(say(badChecksum, hex32(footer.checksum), hex32(vhdChecksum(footerBytes))));
  }
  let format: ImageFormat;
  if (footer.diskType === 2) {
    format = 'vhd-fixed';
    const expected = fileSize - VHD_FOOTER_SIZE;
    if (footer.currentSize !== expected) {
      problems.push(say(sizeMismatch, footer.currentSize, expected));
    }
  } else if (footer.diskType === 3 || footer.diskType === 4) {
    format = footer.diskType === 3 ? 'vhd-dynamic' : 'vhd-differencing';
    problems.push(say(notFixed, footer.diskType));
    const sparseProblem = await checkDynamicHeader(reader, footer, head);
    if (sparseProblem) problems.push(sparseProblem);
  } else {
    format = 'unknown';
    problems.push(say(unknownDiskType, footer.diskType));
  }
  return { format, fileSize, virtualSize: footer.currentSize, footer, problems };
}

/** A dynamic or differencing VHD has a footer copy at offset 0 and a `cxsparse` header at dataOffset. */
async function checkDynamicHeader(reader: RangeReader, footer: VhdFooter, head: Buffer): Promise<Localized | null> {
  if (!hasVhdCookie(head)) return NO_FOOTER_COPY;
  const offset = footer.dataOffset;
  if (offset > BigInt(reader.size - 1024)) {
    return say(headerBeyondEnd, offset);
  }
  const header = await reader.read(Number(offset), 8);
  if (header.toString('latin1') !== VHD_DYNAMIC_COOKIE) {
    return say(headerWithoutCookie, offset);
  }
  return null;
}

function describeForeign(fileSize: number, head: Buffer): FormatInfo {
  if (head.subarray(0, 4).equals(QCOW2_MAGIC)) return foreign(fileSize, 'qcow2', safeNumber(head.readBigUInt64BE(24)), 'qcow2');
  if (startsWith(head, VMDK_SPARSE_MAGIC)) {
    return foreign(fileSize, 'vmdk', safeNumber(head.readBigUInt64LE(12) * 512n), 'vmdk-sparse');
  }
  if (startsWith(head, VHDX_SIGNATURE)) return foreign(fileSize, 'unknown', 0, 'vhdx');
  return foreign(fileSize, 'raw', fileSize, 'raw');
}

function foreign(fileSize: number, format: ImageFormat, virtualSize: number, kind: ForeignKind): FormatInfo {
  return {
    format,
    fileSize,
    virtualSize,
    footer: null,
    problems: [say(noFooter, kind)],
  };
}

function startsWith(bytes: Buffer, magic: string): boolean {
  return bytes.length >= magic.length && bytes.toString('latin1', 0, magic.length) === magic;
}

const EXTENT_ACCESS = new Set(['RW', 'RDONLY', 'NOACCESS']);
/** A descriptor line is a short `key = value` or extent line; longer ones are not looked at. */
const DESCRIPTOR_LINE_MAX = 4096;

/**
 * Sum of the extent sizes (in 512-byte sectors) of a VMDK text descriptor (`RW 2048 FLAT "x" 0`).
 * Line by line with plain string operations: the descriptor is the publisher's bytes, and a
 * multiline regex with a leading `\s*` backtracked quadratically over a run of newlines
 * (64 KiB of them blocked the event loop for 8 s).
 */
function descriptorSize(text: string): number {
  let sectors = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end - start <= DESCRIPTOR_LINE_MAX) {
      const [access, size] = text.slice(start, end).trim().split(/[ \t]+/, 2);
      if (EXTENT_ACCESS.has(access) && size !== undefined && /^\d{1,20}$/.test(size)) sectors += Number(size);
    }
    start = end + 1;
  }
  return Number.isSafeInteger(sectors * 512) ? sectors * 512 : 0;
}

function safeNumber(value: bigint): number {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : Number.MAX_SAFE_INTEGER;
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
