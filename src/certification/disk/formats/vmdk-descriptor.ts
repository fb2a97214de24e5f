/**
 * The text descriptor embedded in a single-file VMDK: `key=value` lines (createType, CID,
 * parentCID, parentFileNameHint, ddb.*) and extent lines (`RW 67584 SPARSE "disk.vmdk"`). Parsed
 * with plain string operations over a bounded text (no regular expression runs over the
 * publisher's bytes), and judged: vmarket reads only a disk that is entirely inside this file,
 * so anything that names another file (a second extent, a flat extent, a parent) is a refusal.
 */
import { fixed, type Localized, type Phrase, say } from '../../../i18n/localized.ts';
import { printable } from '../../../util/printable.ts';

export interface VmdkExtentLine {
  access: string;
  sizeSectors: number | null;
  type: string;
  fileName: string;
}

export interface VmdkDescriptor {
  createType: string | null;
  parentCid: string | null;
  parentFileNameHint: string | null;
  extents: VmdkExtentLine[];
}

/** At most this many extent lines are kept: one is allowed, the rest only need naming. */
const MAX_EXTENTS = 64;
const ACCESS_MODES = new Set(['RW', 'RDONLY', 'NOACCESS']);
/** The create types whose whole disk is one hosted sparse extent in this file. */
const SINGLE_FILE_TYPES = new Set(['monolithicSparse', 'streamOptimized']);
const NO_PARENT = 'ffffffff';

/** Parses the descriptor text (already cut at its first NUL). */
export function parseVmdkDescriptor(text: string): VmdkDescriptor {
  const descriptor: VmdkDescriptor = { createType: null, parentCid: null, parentFileNameHint: null, extents: [] };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const extent = parseExtentLine(line);
    if (extent) {
      if (descriptor.extents.length < MAX_EXTENTS) descriptor.extents.push(extent);
      continue;
    }
    const equals = line.indexOf('=');
    if (equals < 0) continue;
    const key = line.slice(0, equals).trim();
    const value = unquote(line.slice(equals + 1).trim());
    if (key === 'createType') descriptor.createType = value;
    else if (key === 'parentCID') descriptor.parentCid = value;
    else if (key === 'parentFileNameHint') descriptor.parentFileNameHint = value;
  }
  return descriptor;
}

/** `RW 67584 SPARSE "disk.vmdk" [offset]`, or null for a line that is not an extent. */
function parseExtentLine(line: string): VmdkExtentLine | null {
  const space = line.indexOf(' ');
  if (space < 0 || !ACCESS_MODES.has(line.slice(0, space))) return null;
  const quote = line.indexOf('"');
  const before = (quote < 0 ? line : line.slice(0, quote)).split(' ').filter((word) => word !== '');
  const closing = quote < 0 ? -1 : line.indexOf('"', quote + 1);
  const fileName = quote < 0 ? '' : line.slice(quote + 1, closing < 0 ? undefined : closing);
  const size = before[1] !== undefined && isSectorCount(before[1]) ? Number(before[1]) : null;
  return { access: before[0], sizeSectors: size, type: before[2] ?? '', fileName };
}

/** Decimal digits only, few enough to be a safe integer. */
function isSectorCount(word: string): boolean {
  if (word.length === 0 || word.length > 15) return false;
  for (const c of word) if (c < '0' || c > '9') return false;
  return true;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/** A name from the publisher's descriptor, safe to show and short enough for a sentence. */
function shown(name: string): string {
  const clean = printable(name);
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

const createTypeNeedsFiles: Phrase<[createType: string, fileName: string]> = {
  en: (type, file) => `The VMDK's create type is "${type}", a disk kept in other files (the descriptor names "${file}"), which are never opened. Convert it to a single-file VMDK (\`qemu-img convert -O vmdk -o subformat=streamOptimized\`) and upload that.`,
  de: (type, file) => `Der Erstellungstyp der VMDK ist „${type}“, ein Datenträger in anderen Dateien (der Deskriptor nennt „${file}“), die nie geöffnet werden. Konvertieren Sie sie in eine VMDK in einer Datei (\`qemu-img convert -O vmdk -o subformat=streamOptimized\`) und laden Sie diese hoch.`,
};
const unknownCreateType: Phrase<[createType: string]> = {
  en: (type) => `The VMDK's create type is "${type}"; only monolithicSparse and streamOptimized keep the whole disk in one file.`,
  de: (type) => `Der Erstellungstyp der VMDK ist „${type}“; nur monolithicSparse und streamOptimized halten den ganzen Datenträger in einer Datei.`,
};
const NO_DESCRIPTOR = fixed(
  'The VMDK sparse extent has no embedded descriptor: it is one piece of a disk described by another file, which is never opened. Upload a single-file VMDK (monolithicSparse or streamOptimized).',
  'Der VMDK-Sparse-Extent hat keinen eingebetteten Deskriptor: Er ist ein Teil eines Datenträgers, den eine andere Datei beschreibt, die nie geöffnet wird. Laden Sie eine VMDK in einer Datei hoch (monolithicSparse oder streamOptimized).',
);
const NO_EXTENT = fixed(
  'The VMDK descriptor names no extent, so it does not say where the disk is.',
  'Der VMDK-Deskriptor nennt keinen Extent und sagt damit nicht, wo der Datenträger liegt.',
);
const extentCount: Phrase<[count: number, names: string]> = {
  en: (count, names) => `The VMDK descriptor names ${count} extents (${names}); a single-file VMDK has exactly one, and other files are never opened.`,
  de: (count, names) => `Der VMDK-Deskriptor nennt ${count} Extents (${names}); eine VMDK in einer Datei hat genau einen, und andere Dateien werden nie geöffnet.`,
};
const extentType: Phrase<[type: string, fileName: string]> = {
  en: (type, file) => `The VMDK descriptor's extent "${file}" is of type ${type}, not SPARSE: its data is in another file, which is never opened.`,
  de: (type, file) => `Der Extent „${file}“ im VMDK-Deskriptor hat den Typ ${type}, nicht SPARSE: Seine Daten liegen in einer anderen Datei, die nie geöffnet wird.`,
};
const extentSize: Phrase<[size: string, capacity: number]> = {
  en: (size, capacity) => `The VMDK descriptor's extent has ${size} sectors, but the header's capacity is ${capacity} sectors.`,
  de: (size, capacity) => `Der Extent im VMDK-Deskriptor hat ${size} Sektoren, die Kapazität im Header beträgt aber ${capacity} Sektoren.`,
};
const deltaDisk: Phrase<[parent: string]> = {
  en: (parent) => `The VMDK is a delta disk: its data depends on a parent disk (${parent}), which is never opened. Convert it into a standalone disk (\`qemu-img convert -O vmdk\`) and upload that.`,
  de: (parent) => `Die VMDK ist eine Delta-Disk: Ihre Daten hängen von einem übergeordneten Datenträger ab (${parent}), der nie geöffnet wird. Konvertieren Sie sie in einen eigenständigen Datenträger (\`qemu-img convert -O vmdk\`) und laden Sie diesen hoch.`,
};

/**
 * Why the disk the descriptor describes cannot be read from this file alone, one sentence per
 * reason; none when it is one SPARSE extent of `capacitySectors`. `descriptor` null: none embedded.
 */
export function descriptorRefusals(descriptor: VmdkDescriptor | null, capacitySectors: number): Localized[] {
  if (!descriptor) return [NO_DESCRIPTOR];
  const refusals: Localized[] = [];
  const firstFile = shown(descriptor.extents[0]?.fileName ?? '');
  const createType = descriptor.createType ?? '';
  if (!SINGLE_FILE_TYPES.has(createType)) {
    const known = createType.startsWith('monolithicFlat') || createType.startsWith('twoGb') || createType.startsWith('vmfs') || createType.endsWith('Device') || createType === 'custom';
    refusals.push(known ? say(createTypeNeedsFiles, shown(createType), firstFile) : say(unknownCreateType, shown(createType)));
  }
  if (descriptor.extents.length === 0) refusals.push(NO_EXTENT);
  else if (descriptor.extents.length > 1) {
    refusals.push(say(extentCount, descriptor.extents.length, descriptor.extents.map((e) => `"${shown(e.fileName)}"`).join(', ').slice(0, 400)));
  }
  for (const extent of descriptor.extents) {
    if (extent.type !== 'SPARSE') refusals.push(say(extentType, shown(extent.type), shown(extent.fileName)));
  }
  const only = descriptor.extents[0];
  if (descriptor.extents.length === 1 && only.type === 'SPARSE' && only.sizeSectors !== capacitySectors) {
    refusals.push(say(extentSize, only.sizeSectors === null ? '?' : String(only.sizeSectors), capacitySectors));
  }
  const parentCid = descriptor.parentCid?.toLowerCase();
  if ((parentCid !== undefined && parentCid !== NO_PARENT) || descriptor.parentFileNameHint !== null) {
    const parent = descriptor.parentFileNameHint !== null ? `"${shown(descriptor.parentFileNameHint)}"` : `CID ${shown(descriptor.parentCid ?? '')}`;
    refusals.push(say(deltaDisk, parent));
  }
  return refusals;
}
