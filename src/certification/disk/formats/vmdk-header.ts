/**
 * The header of a VMDK hosted sparse extent (VMware "Virtual Disk Format 1.1", "SparseExtentHeader";
 * QEMU block/vmdk.c): 512 little-endian bytes at the start of the file. A streamOptimized disk
 * written in one pass (VMware's ovftool) does not know its grain directory's place when it writes
 * the header, so it says GD_AT_END there and writes the real header again at the end of the file,
 * as the "footer": [footer marker][footer header][end-of-stream marker], 512 bytes each.
 */
import { VmarketError } from '../../../errors.ts';
import { fixed, type Phrase, say } from '../../../i18n/localized.ts';
import type { RangeReader } from '../types.ts';

export const SECTOR = 512;
export const VMDK_MAGIC = 'KDMV';
/** The only grain table size any writer uses; QEMU refuses others for writing and the spec fixes it. */
export const GTES_PER_GT = 512;
/** 2 MiB: QEMU writes 64 KiB grains, VMware up to 1 MiB; larger would make each inflated grain a large allocation. */
export const MAX_GRAIN_BYTES = 2 * 1024 * 1024;
/** Descriptors are a few hundred bytes; VMware reserves 10 KiB. */
export const MAX_DESCRIPTOR_BYTES = 64 * 1024;
/** VMware's limit for a sparse extent is 2 TiB; QEMU's is larger, but 64 TiB keeps every sector count a safe integer. */
const MAX_CAPACITY_SECTORS = (64 * 1024 ** 4) / SECTOR;
const GD_AT_END = 0xffffffffffffffffn;

const FLAG_NEWLINE_TEST = 1 << 0;
const FLAG_ZEROED_GRAINS = 1 << 2;
const FLAG_MARKERS = 1 << 17;
const COMPRESSION_NONE = 0;
const COMPRESSION_DEFLATE = 1;
const MARKER_EOS = 0;
const MARKER_FOOTER = 3;

export interface VmdkHeader {
  version: number;
  flags: number;
  capacitySectors: number;
  grainSectors: number;
  descriptorOffset: number;
  descriptorSize: number;
  gdOffsetSectors: number;
  /** Bit 2: a grain table entry of 1 is a grain of zeros. */
  zeroedGrains: boolean;
  /** Every allocated grain is deflated (compressAlgorithm 1; flag bit 16 says the same). */
  compressed: boolean;
  /** Grains start with a marker {lba u64, size u32} (bit 17). */
  markers: boolean;
  /** The header was read from the footer at the end of the file (gdOffset was GD_AT_END). */
  fromFooter: boolean;
}

const corrupt = (what: string, de: string) => new VmarketError('IMAGE_CORRUPT', fixed(what, de));
const badVersion: Phrase<[version: number]> = {
  en: (version) => `The VMDK header has version ${version}; versions 1 to 3 are read.`,
  de: (version) => `Der VMDK-Header hat die Version ${version}; gelesen werden die Versionen 1 bis 3.`,
};
const badGrainSize: Phrase<[sectors: string]> = {
  en: (sectors) => `The VMDK grain size of ${sectors} sectors is not a power of two between 1 sector and 2 MiB.`,
  de: (sectors) => `Die VMDK-Grain-Größe von ${sectors} Sektoren ist keine Zweierpotenz zwischen 1 Sektor und 2 MiB.`,
};
const badCapacity: Phrase<[sectors: string]> = {
  en: (sectors) => `The VMDK capacity of ${sectors} sectors is zero or larger than 64 TiB.`,
  de: (sectors) => `Die VMDK-Kapazität von ${sectors} Sektoren ist null oder größer als 64 TiB.`,
};
const badGtes: Phrase<[count: number]> = {
  en: (count) => `The VMDK header declares ${count} entries per grain table; the format has ${GTES_PER_GT}.`,
  de: (count) => `Der VMDK-Header gibt ${count} Einträge je Grain-Tabelle an; das Format hat ${GTES_PER_GT}.`,
};
const badCompression: Phrase<[algorithm: number]> = {
  en: (algorithm) => `The VMDK header names compression algorithm ${algorithm}; only none (0) and deflate (1) exist.`,
  de: (algorithm) => `Der VMDK-Header nennt den Kompressionsalgorithmus ${algorithm}; es gibt nur keinen (0) und Deflate (1).`,
};
const badDescriptor: Phrase<[offset: string, size: string]> = {
  en: (offset, size) => `The VMDK header places the embedded descriptor at sector ${offset} with ${size} sectors, outside the file or larger than 64 KiB.`,
  de: (offset, size) => `Der VMDK-Header legt den eingebetteten Deskriptor auf Sektor ${offset} mit ${size} Sektoren, außerhalb der Datei oder größer als 64 KiB.`,
};
const badGdOffset: Phrase<[offset: string]> = {
  en: (offset) => `The VMDK header places the grain directory at sector ${offset}, outside the file.`,
  de: (offset) => `Der VMDK-Header legt das Grain-Verzeichnis auf Sektor ${offset}, außerhalb der Datei.`,
};
const TEXT_MODE = fixed(
  'The VMDK header\'s line-ending test bytes are changed: the file was transferred as text (FTP ASCII mode, a line-ending conversion) and its data is damaged.',
  'Die Testbytes für Zeilenenden im VMDK-Header sind verändert: Die Datei wurde als Text übertragen (FTP-ASCII-Modus, eine Zeilenende-Umwandlung), und ihre Daten sind beschädigt.',
);
const NO_FOOTER = fixed(
  'The VMDK header says its grain directory is described at the end of the file, but the file does not end with a footer marker, a header and an end-of-stream marker.',
  'Der VMDK-Header verweist für das Grain-Verzeichnis auf das Ende der Datei, die Datei endet aber nicht mit Footer-Marker, Header und End-of-Stream-Marker.',
);

/** Reads the header at the start of `file`, or the footer's when the start one says GD_AT_END. */
export async function readVmdkHeader(file: RangeReader): Promise<VmdkHeader> {
  if (file.size < SECTOR) throw corrupt('The VMDK file is shorter than its 512-byte header.', 'Die VMDK-Datei ist kürzer als ihr 512 Byte großer Header.');
  const head = await file.read(0, SECTOR);
  if (head.readBigUInt64LE(56) !== GD_AT_END) return decodeHeader(head, file, false);
  if (file.size < 4 * SECTOR) throw new VmarketError('IMAGE_CORRUPT', NO_FOOTER);
  const end = await file.read(file.size - 3 * SECTOR, 3 * SECTOR);
  const [marker, footer, eos] = [0, 1, 2].map((i) => end.subarray(i * SECTOR, (i + 1) * SECTOR));
  const isMarker = (m: Buffer, type: number) => m.readUInt32LE(8) === 0 && m.readUInt32LE(12) === type;
  if (!isMarker(marker, MARKER_FOOTER) || !isMarker(eos, MARKER_EOS) || eos.readBigUInt64LE(0) !== 0n || footer.toString('latin1', 0, 4) !== VMDK_MAGIC) {
    throw new VmarketError('IMAGE_CORRUPT', NO_FOOTER);
  }
  if (footer.readBigUInt64LE(56) === GD_AT_END) throw new VmarketError('IMAGE_CORRUPT', NO_FOOTER);
  return decodeHeader(footer, file, true);
}

function decodeHeader(bytes: Buffer, file: RangeReader, fromFooter: boolean): VmdkHeader {
  const version = bytes.readUInt32LE(4);
  if (version < 1 || version > 3) throw new VmarketError('IMAGE_UNSUPPORTED', say(badVersion, version));
  const flags = bytes.readUInt32LE(8);
  // the spec's guard against text-mode transfers: '\n', ' ', '\r', '\n' as written
  if ((flags & FLAG_NEWLINE_TEST) !== 0 && bytes.toString('latin1', 73, 77) !== '\n \r\n') throw new VmarketError('IMAGE_CORRUPT', TEXT_MODE);
  const capacity = bytes.readBigUInt64LE(12);
  const grain = bytes.readBigUInt64LE(20);
  const descriptorOffset = bytes.readBigUInt64LE(28);
  const descriptorSize = bytes.readBigUInt64LE(36);
  const gtes = bytes.readUInt32LE(44);
  const gdOffset = bytes.readBigUInt64LE(56);
  const algorithm = bytes.readUInt16LE(77);

  if (grain < 1n || grain * BigInt(SECTOR) > BigInt(MAX_GRAIN_BYTES) || (grain & (grain - 1n)) !== 0n) {
    throw new VmarketError('IMAGE_CORRUPT', say(badGrainSize, grain.toString()));
  }
  if (capacity < 1n || capacity > BigInt(MAX_CAPACITY_SECTORS)) throw new VmarketError('IMAGE_CORRUPT', say(badCapacity, capacity.toString()));
  if (gtes !== GTES_PER_GT) throw new VmarketError('IMAGE_CORRUPT', say(badGtes, gtes));
  if (algorithm !== COMPRESSION_NONE && algorithm !== COMPRESSION_DEFLATE) throw new VmarketError('IMAGE_UNSUPPORTED', say(badCompression, algorithm));
  const fileSectors = BigInt(Math.ceil(file.size / SECTOR));
  // an offset of 0 means no embedded descriptor (the extent of a multi-file disk)
  const descriptorFits = descriptorOffset === 0n || (descriptorOffset + descriptorSize <= fileSectors && descriptorSize * BigInt(SECTOR) <= BigInt(MAX_DESCRIPTOR_BYTES));
  if (!descriptorFits) throw new VmarketError('IMAGE_CORRUPT', say(badDescriptor, descriptorOffset.toString(), descriptorSize.toString()));
  if (gdOffset < 1n || gdOffset >= fileSectors) throw new VmarketError('IMAGE_CORRUPT', say(badGdOffset, gdOffset.toString()));

  return {
    version,
    flags,
    capacitySectors: Number(capacity),
    grainSectors: Number(grain),
    descriptorOffset: Number(descriptorOffset),
    descriptorSize: descriptorOffset === 0n ? 0 : Number(descriptorSize),
    gdOffsetSectors: Number(gdOffset),
    zeroedGrains: (flags & FLAG_ZEROED_GRAINS) !== 0,
    // QEMU inflates by the algorithm field alone, whatever flag bit 16 says; so does this reader
    compressed: algorithm === COMPRESSION_DEFLATE,
    markers: (flags & FLAG_MARKERS) !== 0,
    fromFooter,
  };
}
