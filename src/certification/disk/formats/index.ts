/**
 * `openImageFormat`: which container format an image file is in, and its virtual disk through
 * that format's reader. Also the format-safety rules OpenStack Glance learned from CVE-2024-32498:
 * a file that matches two formats, holds a format inside another, points to other files, or is
 * not the format its name or the offer declares is refused (its virtual disk is not handed on),
 * with one sentence naming the problem. Never opens any file but the image itself.
 */
import { errorText, isVmarketError } from '../../../errors.ts';
import { fixed, type Localized, type Phrase, say } from '../../../i18n/localized.ts';
import { printable } from '../../../util/printable.ts';
import type { ImageFormat } from '../../types.ts';
import type { DeclaredImage, FormatInfo, RangeReader } from '../types.ts';
import { VHD_FOOTER_SIZE } from '../vhd-footer.ts';
import { openQcow2 } from './qcow2.ts';
import { SNIFF_HEAD_BYTES, sniffHead, type SniffedFormat, sniffTail } from './sniff.ts';
import type { OpenedFormat } from './types.ts';
import { openVhd } from './vhd.ts';
import { openVhdx } from './vhdx.ts';
import { openVmdk } from './vmdk.ts';

export interface OpenedImage {
  info: FormatInfo;
  /** The virtual disk; null when the image was refused or its header could not be read. */
  disk: RangeReader | null;
}

/** What each detected format is called inside a sentence ("… holds a qcow2 image"). */
const FORMAT_NAMES: Record<ImageFormat, Localized> = {
  raw: fixed('a raw disk', 'einen Rohdatenträger'),
  qcow2: fixed('a qcow2 image', 'ein qcow2-Image'),
  vmdk: fixed('a VMDK image', 'ein VMDK-Image'),
  vhdx: fixed('a VHDX image', 'ein VHDX-Image'),
  'vhd-fixed': fixed('a fixed VHD', 'eine feste VHD'),
  'vhd-dynamic': fixed('a dynamic VHD', 'eine dynamische VHD'),
  'vhd-differencing': fixed('a differencing VHD', 'eine differenzierende VHD'),
  unknown: fixed('an image of an unknown format', 'ein Image unbekannten Formats'),
};
const SNIFFED_NAMES: Record<SniffedFormat, Localized> = {
  qcow2: FORMAT_NAMES.qcow2,
  qcow1: fixed('a qcow (version 1) image', 'ein qcow-Image (Version 1)'),
  qed: fixed('a QED image', 'ein QED-Image'),
  'vmdk-sparse': FORMAT_NAMES.vmdk,
  'vmdk-cowd': fixed('a VMware ESX sparse (COWD) image', 'ein VMware-ESX-Sparse-Image (COWD)'),
  'vmdk-descriptor': fixed('a VMDK descriptor', 'einen VMDK-Deskriptor'),
  vhdx: FORMAT_NAMES.vhdx,
  vhd: fixed('a VHD', 'eine VHD'),
  vdi: fixed('a VirtualBox (VDI) image', 'ein VirtualBox-Image (VDI)'),
  luks: fixed('a LUKS-encrypted volume', 'ein LUKS-verschlüsseltes Volume'),
  parallels: fixed('a Parallels image', 'ein Parallels-Image'),
};

const EMPTY = fixed('The image file is empty.', 'Die Image-Datei ist leer.');
const unreadableHeader: Phrase<[format: Localized, reason: Localized]> = {
  en: (format, reason) => `The file is ${format.en}, but its header could not be read: ${reason.en}`,
  de: (format, reason) => `Die Datei ist ${format.de}, aber ihr Header konnte nicht gelesen werden: ${reason.de}`,
};
const notRead: Phrase<[format: Localized]> = {
  en: (format) => `The file is ${format.en}, a format vmarket does not read; convert it to qcow2 or raw (\`qemu-img convert -O qcow2\`).`,
  de: (format) => `Die Datei ist ${format.de}, ein Format, das vmarket nicht liest; konvertieren Sie sie nach qcow2 oder raw (\`qemu-img convert -O qcow2\`).`,
};
const DESCRIPTOR_ONLY = fixed(
  'The file is a VMDK descriptor: it names other files that hold the disk, and those are never opened. Upload a single-file VMDK (monolithicSparse or streamOptimized) instead.',
  'Die Datei ist ein VMDK-Deskriptor: Er nennt andere Dateien, die den Datenträger enthalten, und diese werden nie geöffnet. Laden Sie stattdessen eine VMDK in einer einzigen Datei hoch (monolithicSparse oder streamOptimized).',
);
const twoFormats: Phrase<[first: Localized]> = {
  en: (first) => `The file starts as ${first.en} but ends with a VHD footer: a file that is two formats at once is refused.`,
  de: (first) => `Die Datei beginnt als ${first.de}, endet aber mit einem VHD-Footer: Eine Datei, die zugleich zwei Formate hat, wird abgelehnt.`,
};
const nested: Phrase<[outer: Localized, inner: Localized]> = {
  en: (outer, inner) => `The file is ${outer.en} whose virtual disk is itself ${inner.en}: a format inside another is refused; upload the inner image instead.`,
  de: (outer, inner) => `Die Datei ist ${outer.de}, dessen virtueller Datenträger selbst ${inner.de} ist: Ein Format in einem anderen wird abgelehnt; laden Sie stattdessen das innere Image hoch.`,
};
const nameMismatch: Phrase<[name: string, declared: Localized, found: Localized]> = {
  en: (name, declared, found) => `The file is named ${name}, which says ${declared.en}, but it holds ${found.en}.`,
  de: (name, declared, found) => `Die Datei heißt ${name}, was ${declared.de} bedeutet, enthält aber ${found.de}.`,
};
const declaredMismatch: Phrase<[declared: Localized, found: Localized]> = {
  en: (declared, found) => `The offer declares the image as ${declared.en}, but the file holds ${found.en}.`,
  de: (declared, found) => `Das Angebot gibt das Image als ${declared.de} an, die Datei enthält aber ${found.de}.`,
};

/** Extensions that declare a format, and the formats each allows (`.vhd` is fixed or dynamic). `.img` and others declare nothing. */
const EXTENSIONS: Record<string, { says: Localized; allows: ImageFormat[] }> = {
  qcow2: { says: FORMAT_NAMES.qcow2, allows: ['qcow2'] },
  qcow: { says: FORMAT_NAMES.qcow2, allows: ['qcow2'] },
  vmdk: { says: FORMAT_NAMES.vmdk, allows: ['vmdk'] },
  vhdx: { says: FORMAT_NAMES.vhdx, allows: ['vhdx'] },
  vhd: { says: fixed('a VHD', 'eine VHD'), allows: ['vhd-fixed', 'vhd-dynamic', 'vhd-differencing'] },
  raw: { says: FORMAT_NAMES.raw, allows: ['raw'] },
};

/** The extension of the last path segment of a name (a path or an https URL), lower case. */
function extensionOf(name: string): string {
  const segment = name.split(/[?#]/, 1)[0].split(/[/\\]/).pop() ?? '';
  const dot = segment.lastIndexOf('.');
  return dot > 0 ? segment.slice(dot + 1).toLowerCase() : '';
}

export async function openImageFormat(file: RangeReader, declared: DeclaredImage = {}): Promise<OpenedImage> {
  const base = { fileSize: file.size, footer: null, details: {} };
  if (file.size === 0) return { info: { ...base, format: 'unknown', virtualSize: 0, problems: [EMPTY], refusals: [] }, disk: null };
  const head = await file.read(0, Math.min(file.size, SNIFF_HEAD_BYTES));
  const tail = file.size >= VHD_FOOTER_SIZE ? await file.read(file.size - VHD_FOOTER_SIZE, VHD_FOOTER_SIZE) : Buffer.alloc(0);
  const sniffed = sniffHead(head);
  const vhdTail = sniffTail(tail);

  let opened: OpenedFormat;
  if (sniffed && sniffed !== 'vhd' && vhdTail) {
    opened = refused('unknown', say(twoFormats, SNIFFED_NAMES[sniffed]));
  } else if (sniffed === 'vmdk-descriptor') {
    opened = refused('vmdk', DESCRIPTOR_ONLY);
  } else if (vhdTail || (sniffed === 'vhd' && isSparseVhdType(head))) {
    opened = await openWith('vhd-fixed', () => openVhd(file, head, tail));
  } else if (sniffed === 'qcow2') {
    opened = await openWith('qcow2', () => openQcow2(file));
  } else if (sniffed === 'vmdk-sparse') {
    opened = await openWith('vmdk', () => openVmdk(file));
  } else if (sniffed === 'vhdx') {
    opened = await openWith('vhdx', () => openVhdx(file));
  } else if (sniffed && sniffed !== 'vhd') {
    opened = refused('unknown', say(notRead, SNIFFED_NAMES[sniffed]));
  } else {
    opened = { format: 'raw', virtualSize: file.size, disk: file, problems: [], refusals: [] };
  }

  const refusals = [...opened.refusals, ...declaredRefusals(opened.format, declared)];
  if (opened.disk && opened.format !== 'raw') {
    const inner = await innerFormat(opened.disk).catch(() => null);
    if (inner) refusals.push(say(nested, FORMAT_NAMES[opened.format], inner));
  }
  const info: FormatInfo = {
    ...base,
    format: opened.format,
    virtualSize: opened.virtualSize,
    footer: opened.footer ?? null,
    problems: opened.problems,
    refusals,
    details: opened.details ?? {},
  };
  return { info, disk: refusals.length > 0 ? null : opened.disk };
}

/** Only dynamic and differencing disks carry a footer copy at offset 0; a fixed VHD's first sector is the guest's. */
function isSparseVhdType(head: Buffer): boolean {
  if (head.length < 64) return false;
  const type = head.readUInt32BE(60);
  return type === 3 || type === 4;
}

function refused(format: ImageFormat, why: Localized): OpenedFormat {
  return { format, virtualSize: 0, disk: null, problems: [], refusals: [why] };
}

/** Runs a reader; a header it cannot read becomes a problem naming the format. */
async function openWith(format: ImageFormat, open: () => Promise<OpenedFormat>): Promise<OpenedFormat> {
  try {
    return await open();
  } catch (error) {
    if (!isVmarketError(error)) throw error;
    return { format, virtualSize: 0, disk: null, problems: [say(unreadableHeader, FORMAT_NAMES[format], errorText(error))], refusals: [] };
  }
}

/** What the virtual disk's first or last sector announces, if anything. */
async function innerFormat(disk: RangeReader): Promise<Localized | null> {
  if (disk.size === 0) return null;
  const head = await disk.read(0, Math.min(disk.size, SNIFF_HEAD_BYTES));
  const sniffed = sniffHead(head);
  if (sniffed && (sniffed !== 'vhd' || isSparseVhdType(head))) return SNIFFED_NAMES[sniffed];
  if (disk.size >= VHD_FOOTER_SIZE && sniffTail(await disk.read(disk.size - VHD_FOOTER_SIZE, VHD_FOOTER_SIZE))) return SNIFFED_NAMES.vhd;
  return null;
}

function declaredRefusals(found: ImageFormat, declared: DeclaredImage): Localized[] {
  const refusals: Localized[] = [];
  // an unknown format has its own problem; a name cannot be said to contradict it
  if (found === 'unknown') return refusals;
  if (declared.name) {
    const extension = EXTENSIONS[extensionOf(declared.name)];
    if (extension && !extension.allows.includes(found)) refusals.push(say(nameMismatch, printable(declared.name.slice(0, 300)), extension.says, FORMAT_NAMES[found]));
  }
  if (declared.format && declared.format !== found) refusals.push(say(declaredMismatch, FORMAT_NAMES[declared.format], FORMAT_NAMES[found]));
  return refusals;
}

/** `openImageFormat` without the disk: what the report and `image.format` say of the file. */
export async function detectFormat(file: RangeReader, declared: DeclaredImage = {}): Promise<FormatInfo> {
  return (await openImageFormat(file, declared)).info;
}
