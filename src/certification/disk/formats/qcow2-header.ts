/**
 * The qcow2 header (QEMU docs/interop/qcow2.txt, "Header"): the 72-byte version 2 header and the
 * version 3 header of `header_length` bytes (at least 104, with the compression type at byte 104
 * when longer). Only the fields a reader needs are kept; every one is checked against what QEMU
 * accepts, so a damaged header ends in one sentence naming the field instead of a wild read later.
 */
import { VmarketError } from '../../../errors.ts';
import { fixed, type Localized, type Phrase, say } from '../../../i18n/localized.ts';

export const QCOW2_MAGIC = 0x514649fb; // "QFI\xfb"
const V2_HEADER_LENGTH = 72;
const V3_MIN_HEADER_LENGTH = 104;
/** Byte 104 of a v3 header longer than 104 bytes. */
const COMPRESSION_TYPE_OFFSET = 104;
/** How many header bytes `parseQcow2Header` looks at (a v3 header with the compression type and its padding). */
export const QCOW2_HEADER_READ_BYTES = 112;
/** QEMU's MIN_CLUSTER_BITS and MAX_CLUSTER_BITS: 512 bytes to 2 MiB. */
const MIN_CLUSTER_BITS = 9;
const MAX_CLUSTER_BITS = 21;

/** Incompatible feature bits (qcow2.txt, bytes 72–79). */
export const INCOMPAT_DIRTY = 1n << 0n;
export const INCOMPAT_CORRUPT = 1n << 1n;
export const INCOMPAT_DATA_FILE = 1n << 2n;
export const INCOMPAT_COMPRESSION = 1n << 3n;
export const INCOMPAT_EXTENDED_L2 = 1n << 4n;
const INCOMPAT_KNOWN = INCOMPAT_DIRTY | INCOMPAT_CORRUPT | INCOMPAT_DATA_FILE | INCOMPAT_COMPRESSION | INCOMPAT_EXTENDED_L2;

export type Qcow2Compression = 'deflate' | 'zstd';

export interface Qcow2Header {
  version: 2 | 3;
  /** 0 when the image has no backing file. */
  backingFileOffset: number;
  backingFileSize: number;
  clusterBits: number;
  clusterSize: number;
  virtualSize: number;
  /** 0 none, 1 AES, 2 LUKS. */
  cryptMethod: number;
  l1Size: number;
  l1TableOffset: number;
  snapshotCount: number;
  incompatibleFeatures: bigint;
  /** Where the header extensions start: `header_length` (v3) or 72 (v2). */
  headerLength: number;
  compressionType: number;
}

const tooShort: Phrase<[size: number]> = {
  en: (size) => `The file has ${size} bytes, too few for a qcow2 header.`,
  de: (size) => `Die Datei hat nur ${size} Byte, zu wenige für einen qcow2-Header.`,
};
const BAD_MAGIC = fixed('The file does not start with the qcow2 magic "QFI\\xfb".', 'Die Datei beginnt nicht mit der qcow2-Kennung „QFI\\xfb“.');
const unsupportedVersion: Phrase<[version: number]> = {
  en: (version) => `The qcow2 header declares version ${version}; only versions 2 and 3 exist.`,
  de: (version) => `Der qcow2-Header gibt Version ${version} an; es gibt nur die Versionen 2 und 3.`,
};
const badClusterBits: Phrase<[bits: number]> = {
  en: (bits) => `The qcow2 header declares clusters of 2^${bits} bytes; QEMU allows 2^9 (512 bytes) to 2^21 (2 MiB).`,
  de: (bits) => `Der qcow2-Header gibt Cluster von 2^${bits} Byte an; QEMU erlaubt 2^9 (512 Byte) bis 2^21 (2 MiB).`,
};
const badHeaderLength: Phrase<[length: number, clusterSize: number]> = {
  en: (length, cluster) => `The qcow2 version 3 header declares a length of ${length} bytes; it must be at least 104 bytes, a multiple of 8 and fit in the first ${cluster}-byte cluster.`,
  de: (length, cluster) => `Der qcow2-Header der Version 3 gibt eine Länge von ${length} Byte an; sie muss mindestens 104 Byte betragen, ein Vielfaches von 8 sein und in den ersten ${cluster} Byte großen Cluster passen.`,
};
const fieldTooLarge: Phrase<[field: string, value: string]> = {
  en: (field, value) => `The qcow2 header field ${field} holds ${value}, more than any image can use.`,
  de: (field, value) => `Das qcow2-Header-Feld ${field} enthält ${value}, mehr als ein Image je nutzen kann.`,
};
const badRefcountOrder: Phrase<[order: number]> = {
  en: (order) => `The qcow2 header declares reference counts of 2^${order} bits; at most 2^6 (64 bits) exist.`,
  de: (order) => `Der qcow2-Header gibt Referenzzähler von 2^${order} Bit an; es gibt höchstens 2^6 (64 Bit).`,
};
const unknownIncompatible: Phrase<[bits: string]> = {
  en: (bits) => `The qcow2 header sets incompatible feature bits vmarket does not read (${bits}): the image cannot be read safely without them.`,
  de: (bits) => `Der qcow2-Header setzt inkompatible Feature-Bits, die vmarket nicht liest (${bits}): Ohne sie lässt sich das Image nicht sicher lesen.`,
};
const extendedL2SmallClusters: Phrase<[clusterSize: number]> = {
  en: (size) => `The qcow2 image uses extended L2 entries with ${size}-byte clusters; they need clusters of at least 16384 bytes.`,
  de: (size) => `Das qcow2-Image nutzt erweiterte L2-Einträge mit Clustern von ${size} Byte; diese erfordern Cluster von mindestens 16384 Byte.`,
};
const unknownCompression: Phrase<[type: number]> = {
  en: (type) => `The qcow2 header declares compression type ${type}; only deflate (0) and zstd (1) exist.`,
  de: (type) => `Der qcow2-Header gibt den Kompressionstyp ${type} an; es gibt nur deflate (0) und zstd (1).`,
};
const compressionBitMismatch: Phrase<[type: number]> = {
  en: (type) => `The qcow2 header's compression type (${type}) disagrees with its compression-type feature bit, which must be set exactly when the type is not deflate.`,
  de: (type) => `Der Kompressionstyp im qcow2-Header (${type}) passt nicht zu seinem Feature-Bit für den Kompressionstyp, das genau dann gesetzt sein muss, wenn der Typ nicht deflate ist.`,
};

function corrupt(message: Localized): VmarketError {
  return new VmarketError('IMAGE_CORRUPT', message);
}

/** A 64-bit header field as a number, or IMAGE_CORRUPT naming it when it exceeds 2^53 (no offset or size in a real image does). */
function u64Field(bytes: Buffer, offset: number, field: string): number {
  const value = bytes.readBigUInt64BE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(say(fieldTooLarge, field, `0x${value.toString(16)}`));
  return Number(value);
}

/**
 * The names a feature table gives bits, to quote: `namer(bit)` answers the name or undefined.
 * Unknown incompatible bits are refused with their numbers and, where the image names them, names.
 */
export type FeatureNamer = (bit: number) => string | undefined;

/**
 * Parses the fixed header from the file's first bytes (`QCOW2_HEADER_READ_BYTES` or the whole
 * file when it is shorter). Throws IMAGE_UNSUPPORTED for a version other than 2 or 3, and
 * IMAGE_CORRUPT for fields QEMU would reject.
 */
export function parseQcow2Header(bytes: Buffer): Qcow2Header {
  if (bytes.length < V2_HEADER_LENGTH) throw corrupt(say(tooShort, bytes.length));
  if (bytes.readUInt32BE(0) !== QCOW2_MAGIC) throw corrupt(BAD_MAGIC);
  const version = bytes.readUInt32BE(4);
  if (version !== 2 && version !== 3) throw new VmarketError('IMAGE_UNSUPPORTED', say(unsupportedVersion, version));
  const clusterBits = bytes.readUInt32BE(20);
  if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) throw corrupt(say(badClusterBits, clusterBits));
  const clusterSize = 2 ** clusterBits;

  let headerLength = V2_HEADER_LENGTH;
  let incompatibleFeatures = 0n;
  let compressionType = 0;
  if (version === 3) {
    if (bytes.length < V3_MIN_HEADER_LENGTH) throw corrupt(say(tooShort, bytes.length));
    incompatibleFeatures = bytes.readBigUInt64BE(72);
    const refcountOrder = bytes.readUInt32BE(96);
    if (refcountOrder > 6) throw corrupt(say(badRefcountOrder, refcountOrder));
    headerLength = bytes.readUInt32BE(100);
    if (headerLength < V3_MIN_HEADER_LENGTH || headerLength % 8 !== 0 || headerLength > clusterSize) throw corrupt(say(badHeaderLength, headerLength, clusterSize));
    if (headerLength > COMPRESSION_TYPE_OFFSET) {
      if (bytes.length <= COMPRESSION_TYPE_OFFSET) throw corrupt(say(tooShort, bytes.length));
      compressionType = bytes[COMPRESSION_TYPE_OFFSET];
    }
  }

  return {
    version,
    backingFileOffset: u64Field(bytes, 8, 'backing_file_offset'),
    backingFileSize: bytes.readUInt32BE(16),
    clusterBits,
    clusterSize,
    virtualSize: u64Field(bytes, 24, 'size'),
    cryptMethod: bytes.readUInt32BE(32),
    l1Size: bytes.readUInt32BE(36),
    l1TableOffset: u64Field(bytes, 40, 'l1_table_offset'),
    snapshotCount: bytes.readUInt32BE(60),
    incompatibleFeatures,
    headerLength,
    compressionType,
  };
}

/**
 * The checks that need the feature name table too: unknown incompatible bits (IMAGE_UNSUPPORTED,
 * naming them), extended L2 entries with clusters too small for 32 subclusters, and a compression
 * type QEMU would not accept. Answers the compression the clusters use.
 */
export function checkQcow2Features(header: Qcow2Header, namer: FeatureNamer): Qcow2Compression {
  const unknown = header.incompatibleFeatures & ~INCOMPAT_KNOWN;
  if (unknown !== 0n) {
    const bits: string[] = [];
    for (let bit = 0; bit < 64; bit++) {
      if ((unknown >> BigInt(bit)) & 1n) {
        const name = namer(bit);
        bits.push(name === undefined ? `${bit}` : `${bit} "${name}"`);
      }
    }
    throw new VmarketError('IMAGE_UNSUPPORTED', say(unknownIncompatible, bits.join(', ')));
  }
  if (header.incompatibleFeatures & INCOMPAT_EXTENDED_L2 && header.clusterBits < 14) throw corrupt(say(extendedL2SmallClusters, header.clusterSize));
  if (header.compressionType > 1) throw new VmarketError('IMAGE_UNSUPPORTED', say(unknownCompression, header.compressionType));
  const bitSet = (header.incompatibleFeatures & INCOMPAT_COMPRESSION) !== 0n;
  if (bitSet !== (header.compressionType !== 0)) throw corrupt(say(compressionBitMismatch, header.compressionType));
  return header.compressionType === 1 ? 'zstd' : 'deflate';
}
