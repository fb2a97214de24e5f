/**
 * qcow2 header extensions (qcow2.txt, "Header extensions"): after the header, up to the backing
 * file name or the end of the first cluster, a list of (type, length, data padded to 8 bytes)
 * ending with type 0. The walk is bounded by that area, so a header cannot make it read elsewhere
 * or loop: every step advances by at least 8 bytes.
 */
import { VmarketError } from '../../../errors.ts';
import { type Phrase, say } from '../../../i18n/localized.ts';
import type { Qcow2Header } from './qcow2-header.ts';

const EXT_END = 0x00000000;
const EXT_BACKING_FORMAT = 0xe2792aca;
const EXT_FEATURE_TABLE = 0x6803f857;
const EXT_BITMAPS = 0x23852875;
const EXT_FULL_DISK_ENCRYPTION = 0x0537be77;
const EXT_DATA_FILE = 0x44415441;
/** A feature table entry: type (0 incompatible, 1 compatible, 2 autoclear), bit number, 46-byte name. */
const FEATURE_ENTRY_BYTES = 48;

export type FeatureType = 'incompatible' | 'compatible' | 'autoclear';
const FEATURE_TYPES: FeatureType[] = ['incompatible', 'compatible', 'autoclear'];

export interface Qcow2Extensions {
  /** The backing file's format, when the backing-format extension names one. */
  backingFormat?: string;
  /** The external data file's name (the data-file extension). */
  dataFile?: string;
  /** The full-disk-encryption extension is present (the LUKS header lies elsewhere in the file). */
  encryptionHeader: boolean;
  /** The number of persistent dirty bitmaps (the bitmaps extension); reading ignores them. */
  bitmaps?: number;
  /** The names the feature table gives bits, by `${type}:${bit}`. */
  featureNames: Map<string, string>;
}

const extensionTooLarge: Phrase<[type: string, offset: number, end: number]> = {
  en: (type, offset, end) => `The qcow2 header extension of type ${type} at byte ${offset} runs past the end of the header area (byte ${end}).`,
  de: (type, offset, end) => `Die qcow2-Header-Erweiterung vom Typ ${type} bei Byte ${offset} reicht über das Ende des Header-Bereichs (Byte ${end}) hinaus.`,
};
const extensionTooShort: Phrase<[type: string, offset: number, length: number]> = {
  en: (type, offset, length) => `The qcow2 header extension of type ${type} at byte ${offset} has ${length} bytes, too few for its contents.`,
  de: (type, offset, length) => `Die qcow2-Header-Erweiterung vom Typ ${type} bei Byte ${offset} hat nur ${length} Byte, zu wenige für ihren Inhalt.`,
};
const noEndMarker: Phrase<[end: number]> = {
  en: (end) => `The qcow2 header extensions do not end with an end marker before byte ${end}.`,
  de: (end) => `Die qcow2-Header-Erweiterungen enden vor Byte ${end} nicht mit einer Endemarkierung.`,
};

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

/** Text stored in the image (a NUL-padded name): bytes up to the first NUL, as UTF-8. */
export function imageText(bytes: Buffer): string {
  const nul = bytes.indexOf(0);
  return bytes.toString('utf8', 0, nul === -1 ? bytes.length : nul);
}

/**
 * Walks the extensions in `head` (the file's first bytes: its first cluster, or all of a shorter
 * file). The area ends at the backing file name when there is one (QEMU stores it after the
 * extensions), else at the end of the first cluster.
 */
export function readQcow2Extensions(head: Buffer, header: Qcow2Header): Qcow2Extensions {
  const found: Qcow2Extensions = { encryptionHeader: false, featureNames: new Map() };
  const areaEnd = header.backingFileOffset > 0 ? Math.min(header.backingFileOffset, header.clusterSize) : header.clusterSize;
  const end = Math.min(areaEnd, head.length);
  let offset = header.headerLength;
  while (offset < end) {
    if (offset + 8 > end) throw new VmarketError('IMAGE_CORRUPT', say(extensionTooLarge, 'unknown', offset, end));
    const type = head.readUInt32BE(offset);
    const length = head.readUInt32BE(offset + 4);
    const dataStart = offset + 8;
    if (type === EXT_END) return found;
    if (length > end - dataStart) throw new VmarketError('IMAGE_CORRUPT', say(extensionTooLarge, hex32(type), offset, end));
    const data = head.subarray(dataStart, dataStart + length);
    const tooShort = () => new VmarketError('IMAGE_CORRUPT', say(extensionTooShort, hex32(type), offset, length));
    switch (type) {
      case EXT_BACKING_FORMAT:
        found.backingFormat = imageText(data);
        break;
      case EXT_DATA_FILE:
        found.dataFile = imageText(data);
        break;
      case EXT_FULL_DISK_ENCRYPTION:
        found.encryptionHeader = true;
        break;
      case EXT_BITMAPS:
        if (length < 4) throw tooShort();
        found.bitmaps = data.readUInt32BE(0);
        break;
      case EXT_FEATURE_TABLE:
        for (let at = 0; at + FEATURE_ENTRY_BYTES <= length; at += FEATURE_ENTRY_BYTES) {
          const kind = FEATURE_TYPES[data[at]];
          if (kind) found.featureNames.set(`${kind}:${data[at + 1]}`, imageText(data.subarray(at + 2, at + FEATURE_ENTRY_BYTES)));
        }
        break;
      default:
        // unknown extensions are optional by definition (qcow2.txt): skipped
        break;
    }
    // the data is padded to a multiple of 8 bytes; the padding may be cut off by the area's end
    offset = dataStart + Math.ceil(length / 8) * 8;
  }
  // QEMU accepts an area that is exactly filled without an end marker; a shorter file is truncated
  if (end < areaEnd) throw new VmarketError('IMAGE_CORRUPT', say(noEndMarker, end));
  return found;
}
