/**
 * qcow2 (QEMU docs/interop/qcow2.txt), versions 2 and 3: the header and its extensions, the
 * refusals (a backing file, an external data file, encryption: nothing else is ever opened), and
 * the virtual disk through the active L1/L2 tables (internal snapshots are not read).
 */
import { fixed, type Localized, type Phrase, say } from '../../../i18n/localized.ts';
import { VmarketError } from '../../../errors.ts';
import { printable } from '../../../util/printable.ts';
import type { RangeReader } from '../types.ts';
import { MappedDisk } from './mapped-disk.ts';
import { Qcow2ClusterMap } from './qcow2-clusters.ts';
import { CompressedClusters } from './qcow2-compressed.ts';
import { imageText, type Qcow2Extensions, readQcow2Extensions } from './qcow2-extensions.ts';
import {
  checkQcow2Features,
  INCOMPAT_CORRUPT,
  INCOMPAT_DATA_FILE,
  INCOMPAT_EXTENDED_L2,
  parseQcow2Header,
  type Qcow2Header,
  QCOW2_HEADER_READ_BYTES,
} from './qcow2-header.ts';
import type { OpenedFormat } from './types.ts';

/** QEMU's QCOW_MAX_L1_SIZE: an active L1 table of more than 32 MiB is refused. */
const MAX_L1_BYTES = 32 * 1024 * 1024;
/** QEMU's limit on a backing file name (1023 bytes); a name is quoted up to this many characters. */
const MAX_BACKING_NAME_BYTES = 1023;
const MAX_QUOTED_NAME = 200;

const backingFile: Phrase<[name: string, format: string]> = {
  en: (name, format) => `The qcow2 image depends on a backing file${name}${format}, which is never opened. Convert it into a standalone image (\`qemu-img convert -O qcow2\`) and upload that.`,
  de: (name, format) => `Das qcow2-Image hängt von einer Backing-Datei${name}${format} ab, die nie geöffnet wird. Konvertieren Sie es in ein eigenständiges Image (\`qemu-img convert -O qcow2\`) und laden Sie dieses hoch.`,
};
const dataFile: Phrase<[name: string]> = {
  en: (name) => `The qcow2 image keeps its data in an external data file${name}, which is never opened. Convert it into a standalone image (\`qemu-img convert -O qcow2\`) and upload that.`,
  de: (name) => `Das qcow2-Image speichert seine Daten in einer externen Datendatei${name}, die nie geöffnet wird. Konvertieren Sie es in ein eigenständiges Image (\`qemu-img convert -O qcow2\`) und laden Sie dieses hoch.`,
};
const encrypted: Phrase<[method: string]> = {
  en: (method) => `The qcow2 image is encrypted (${method}), so its contents cannot be checked. Upload it unencrypted.`,
  de: (method) => `Das qcow2-Image ist verschlüsselt (${method}), daher lässt sich sein Inhalt nicht prüfen. Laden Sie es unverschlüsselt hoch.`,
};
const MARKED_CORRUPT = fixed(
  'QEMU has marked the qcow2 image corrupt (incompatible feature bit 1): its metadata was found inconsistent. Repair it with `qemu-img check -r all` or convert it anew.',
  'QEMU hat das qcow2-Image als beschädigt markiert (inkompatibles Feature-Bit 1): Seine Metadaten wurden als inkonsistent erkannt. Reparieren Sie es mit `qemu-img check -r all` oder konvertieren Sie es neu.',
);
const l1TooSmall: Phrase<[entries: number, needed: number, size: number]> = {
  en: (entries, needed, size) => `The qcow2 L1 table has ${entries} entries, but a ${size}-byte virtual disk needs ${needed}.`,
  de: (entries, needed, size) => `Die qcow2-L1-Tabelle hat ${entries} Einträge, ein virtueller Datenträger von ${size} Byte braucht aber ${needed}.`,
};
const l1TooLarge: Phrase<[entries: number]> = {
  en: (entries) => `The qcow2 L1 table has ${entries} entries, more than QEMU's limit of 32 MiB.`,
  de: (entries) => `Die qcow2-L1-Tabelle hat ${entries} Einträge, mehr als QEMUs Grenze von 32 MiB.`,
};
const l1Unaligned: Phrase<[offset: number]> = {
  en: (offset) => `The qcow2 L1 table starts at file byte ${offset}, which is not on a cluster boundary.`,
  de: (offset) => `Die qcow2-L1-Tabelle beginnt bei Dateibyte ${offset}, das nicht auf einer Clustergrenze liegt.`,
};
const l1Outside: Phrase<[offset: number, bytes: number, fileSize: number]> = {
  en: (offset, bytes, size) => `The qcow2 L1 table (${bytes} bytes at file byte ${offset}) lies outside the ${size}-byte file.`,
  de: (offset, bytes, size) => `Die qcow2-L1-Tabelle (${bytes} Byte ab Dateibyte ${offset}) liegt außerhalb der ${size} Byte großen Datei.`,
};

/** ` "name"` for a sentence: printable, cut to a length a report can show. */
function quoted(name: string | undefined): string {
  if (name === undefined || name === '') return '';
  const safe = printable(name);
  return ` "${safe.length > MAX_QUOTED_NAME ? `${safe.slice(0, MAX_QUOTED_NAME)}…` : safe}"`;
}

/** The backing file's name as stored (inside the first cluster and the file), or undefined when it cannot be read. */
function backingName(head: Buffer, header: Qcow2Header): string | undefined {
  const { backingFileOffset: offset } = header;
  const length = Math.min(header.backingFileSize, MAX_BACKING_NAME_BYTES);
  if (offset + length > head.length) return undefined;
  return imageText(head.subarray(offset, offset + length));
}

/** Why the image must not be read: each sentence names what it points to. */
function refusalsOf(head: Buffer, header: Qcow2Header, extensions: Qcow2Extensions): Localized[] {
  const refusals: Localized[] = [];
  if (header.backingFileOffset !== 0) {
    const format = extensions.backingFormat ? ` (${printable(extensions.backingFormat).slice(0, 32)})` : '';
    refusals.push(say(backingFile, quoted(backingName(head, header)), format));
  }
  if (header.incompatibleFeatures & INCOMPAT_DATA_FILE || extensions.dataFile !== undefined) refusals.push(say(dataFile, quoted(extensions.dataFile)));
  if (header.cryptMethod !== 0 || extensions.encryptionHeader) {
    const method = header.cryptMethod === 1 ? 'AES' : header.cryptMethod === 2 ? 'LUKS' : `method ${header.cryptMethod}`;
    refusals.push(say(encrypted, method));
  }
  return refusals;
}

/** The active L1 table's entries the virtual size needs, after the checks QEMU makes. */
async function readL1(file: RangeReader, header: Qcow2Header, extendedL2: boolean): Promise<Buffer> {
  const coverage = header.clusterSize * (header.clusterSize / (extendedL2 ? 16 : 8));
  const needed = Math.ceil(header.virtualSize / coverage);
  if (header.l1Size < needed) throw new VmarketError('IMAGE_CORRUPT', say(l1TooSmall, header.l1Size, needed, header.virtualSize));
  if (header.l1Size * 8 > MAX_L1_BYTES) throw new VmarketError('IMAGE_CORRUPT', say(l1TooLarge, header.l1Size));
  const offset = header.l1TableOffset;
  if (offset % header.clusterSize !== 0) throw new VmarketError('IMAGE_CORRUPT', say(l1Unaligned, offset));
  if (offset + header.l1Size * 8 > file.size) throw new VmarketError('IMAGE_CORRUPT', say(l1Outside, offset, header.l1Size * 8, file.size));
  // entries past `needed` address beyond the disk (QEMU keeps VM state there): never read
  return needed === 0 ? Buffer.alloc(0) : file.read(offset, needed * 8);
}

export async function openQcow2(file: RangeReader): Promise<OpenedFormat> {
  const header = parseQcow2Header(await file.read(0, Math.min(file.size, QCOW2_HEADER_READ_BYTES)));
  const head = await file.read(0, Math.min(file.size, header.clusterSize));
  const extensions = readQcow2Extensions(head, header);
  const compression = checkQcow2Features(header, (bit) => extensions.featureNames.get(`incompatible:${bit}`));
  const extendedL2 = (header.incompatibleFeatures & INCOMPAT_EXTENDED_L2) !== 0n;
  const problems: Localized[] = header.incompatibleFeatures & INCOMPAT_CORRUPT ? [MARKED_CORRUPT] : [];
  const details = {
    version: header.version,
    clusterSize: header.clusterSize,
    compression,
    extendedL2,
    snapshots: header.snapshotCount,
    ...(extensions.bitmaps !== undefined ? { bitmaps: extensions.bitmaps } : {}),
  };
  const base = { format: 'qcow2' as const, virtualSize: header.virtualSize, problems, details };

  const refusals = refusalsOf(head, header, extensions);
  if (refusals.length > 0) return { ...base, disk: null, refusals };

  const l1 = await readL1(file, header, extendedL2);
  const layout = { version: header.version, clusterBits: header.clusterBits, clusterSize: header.clusterSize, extendedL2 };
  const map = new Qcow2ClusterMap(file, layout, l1, new CompressedClusters(file, header.clusterSize, compression));
  return { ...base, disk: new MappedDisk(file, header.virtualSize, map), refusals };
}
