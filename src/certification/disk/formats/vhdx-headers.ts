/**
 * The VHDX header section ([MS-VHDX] 2.2): the file type identifier at 0, two headers at 64 KiB
 * and 128 KiB (the valid one with the higher sequence number is active, so a write torn between
 * them leaves the older one usable), and two copies of the region table at 192 KiB and 256 KiB
 * that say where the BAT and the metadata region lie. Every structure carries a CRC-32C over
 * itself with its checksum field as zero.
 */
import { VmarketError } from '../../../errors.ts';
import { type Localized, type Phrase, say } from '../../../i18n/localized.ts';
import { crc32cWithoutField } from '../crc32c.ts';
import { formatGuid } from '../partition-types.ts';
import type { RangeReader } from '../types.ts';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const FILE_IDENTIFIER = 'vhdxfile';
/** The header section: identifier, two headers, two region tables; nothing else may lie in it. */
export const HEADER_SECTION_BYTES = MiB;

const HEADER_OFFSETS = [64 * KiB, 128 * KiB] as const;
const HEADER_BYTES = 4 * KiB;
const REGION_TABLE_OFFSETS = [192 * KiB, 256 * KiB] as const;
const REGION_TABLE_BYTES = 64 * KiB;
const REGION_ENTRY_BYTES = 32;
/** What fits into the 64 KiB table after its 16-byte header; the spec's own limit. */
export const MAX_REGION_ENTRIES = 2047;

export const BAT_REGION = '2dc27766-f623-4200-9d64-115e9bfd4a08';
export const METADATA_REGION = '8b7ca206-4790-4b9a-b8fe-575f050f886e';
const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

export interface VhdxHeader {
  /** 64 KiB or 128 KiB: which copy is active. */
  at: number;
  sequenceNumber: bigint;
  /** null when all zeros: no log entries wait to be replayed. */
  logGuid: string | null;
  logOffset: number;
  logLength: number;
}

export interface VhdxRegion {
  guid: string;
  fileOffset: number;
  length: number;
  required: boolean;
}

const tooShort: Phrase<[size: number]> = {
  en: (size) => `The ${size}-byte file is too short for the VHDX header section (1 MiB).`,
  de: (size) => `Die ${size} Byte große Datei ist zu kurz für den VHDX-Headerbereich (1 MiB).`,
};
const noIdentifier: Phrase = {
  en: () => `The file does not start with the VHDX file type identifier "${FILE_IDENTIFIER}".`,
  de: () => `Die Datei beginnt nicht mit der VHDX-Dateitypkennung „${FILE_IDENTIFIER}“.`,
};
const headerAt: Phrase<[at: number]> = {
  en: (at) => `The VHDX header at ${at / KiB} KiB`,
  de: (at) => `Der VHDX-Header bei ${at / KiB} KiB`,
};
const headerNoSignature: Phrase<[at: number]> = {
  en: (at) => `${headerAt.en(at)} lacks the signature "head".`,
  de: (at) => `${headerAt.de(at)} hat nicht die Signatur „head“.`,
};
const headerBadCrc: Phrase<[at: number, stored: string, computed: string]> = {
  en: (at, stored, computed) => `${headerAt.en(at)} has CRC-32C ${stored}, but its contents give ${computed}.`,
  de: (at, stored, computed) => `${headerAt.de(at)} hat die CRC-32C ${stored}, aus seinem Inhalt ergibt sich aber ${computed}.`,
};
const headerBadVersion: Phrase<[at: number, version: number]> = {
  en: (at, version) => `${headerAt.en(at)} has format version ${version}; only version 1 exists.`,
  de: (at, version) => `${headerAt.de(at)} hat die Formatversion ${version}; es gibt nur Version 1.`,
};
const otherHeaderRead: Phrase<[bad: Localized, at: number]> = {
  en: (bad, at) => `${bad.en} The header at ${at / KiB} KiB was read instead.`,
  de: (bad, at) => `${bad.de} Stattdessen wurde der Header bei ${at / KiB} KiB gelesen.`,
};
const noValidHeader: Phrase<[first: Localized, second: Localized]> = {
  en: (first, second) => `Neither VHDX header is valid. ${first.en} ${second.en}`,
  de: (first, second) => `Keiner der beiden VHDX-Header ist gültig. ${first.de} ${second.de}`,
};
const sameSequence: Phrase<[sequence: bigint]> = {
  en: (sequence) => `Both VHDX headers have sequence number ${sequence} but differ, so neither can be told to be the current one.`,
  de: (sequence) => `Beide VHDX-Header haben die Sequenznummer ${sequence}, unterscheiden sich aber, sodass keiner als der aktuelle erkennbar ist.`,
};
const tableAt: Phrase<[at: number]> = {
  en: (at) => `The VHDX region table at ${at / KiB} KiB`,
  de: (at) => `Die VHDX-Regionstabelle bei ${at / KiB} KiB`,
};
const tableNoSignature: Phrase<[at: number]> = {
  en: (at) => `${tableAt.en(at)} lacks the signature "regi".`,
  de: (at) => `${tableAt.de(at)} hat nicht die Signatur „regi“.`,
};
const tableBadCrc: Phrase<[at: number, stored: string, computed: string]> = {
  en: (at, stored, computed) => `${tableAt.en(at)} has CRC-32C ${stored}, but its contents give ${computed}.`,
  de: (at, stored, computed) => `${tableAt.de(at)} hat die CRC-32C ${stored}, aus ihrem Inhalt ergibt sich aber ${computed}.`,
};
const tableTooManyEntries: Phrase<[at: number, count: number]> = {
  en: (at, count) => `${tableAt.en(at)} declares ${count} entries; at most ${MAX_REGION_ENTRIES} fit.`,
  de: (at, count) => `${tableAt.de(at)} gibt ${count} Einträge an; höchstens ${MAX_REGION_ENTRIES} passen hinein.`,
};
const otherTableRead: Phrase<[bad: Localized, at: number]> = {
  en: (bad, at) => `${bad.en} The region table at ${at / KiB} KiB was read instead.`,
  de: (bad, at) => `${bad.de} Stattdessen wurde die Regionstabelle bei ${at / KiB} KiB gelesen.`,
};
const noValidTable: Phrase<[first: Localized, second: Localized]> = {
  en: (first, second) => `Neither VHDX region table is valid. ${first.en} ${second.en}`,
  de: (first, second) => `Keine der beiden VHDX-Regionstabellen ist gültig. ${first.de} ${second.de}`,
};
const regionMisplaced: Phrase<[guid: string, offset: number, length: number, fileSize: number]> = {
  en: (guid, offset, length, size) =>
    `The VHDX region ${guid} (${length} bytes at byte ${offset}) does not start and end on MiB boundaries after the 1 MiB header section, inside the ${size}-byte file.`,
  de: (guid, offset, length, size) =>
    `Die VHDX-Region ${guid} (${length} Byte ab Byte ${offset}) beginnt und endet nicht auf MiB-Grenzen hinter dem 1 MiB großen Headerbereich innerhalb der ${size} Byte großen Datei.`,
};
const regionsOverlap: Phrase<[first: string, second: string]> = {
  en: (first, second) => `The VHDX regions ${first} and ${second} overlap.`,
  de: (first, second) => `Die VHDX-Regionen ${first} und ${second} überlappen sich.`,
};
const regionTwice: Phrase<[guid: string]> = {
  en: (guid) => `The VHDX region table lists the region ${guid} twice.`,
  de: (guid) => `Die VHDX-Regionstabelle führt die Region ${guid} zweimal auf.`,
};
const unknownRequiredRegion: Phrase<[guid: string]> = {
  en: (guid) => `The VHDX file has a region ${guid} that vmarket does not know and that is marked as required to read the disk.`,
  de: (guid) => `Die VHDX-Datei hat eine Region ${guid}, die vmarket nicht kennt und die als zum Lesen des Datenträgers erforderlich markiert ist.`,
};
const regionMissing: Phrase<[name: Localized]> = {
  en: (name) => `The VHDX region table has no entry for the ${name.en}.`,
  de: (name) => `Die VHDX-Regionstabelle hat keinen Eintrag für ${name.de}.`,
};
const BAT_NAME: Localized = { en: 'block allocation table (BAT)', de: 'die Blockbelegungstabelle (BAT)' };
const METADATA_NAME: Localized = { en: 'metadata region', de: 'den Metadatenbereich' };

export function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

/** The header section must be there and start with the identifier; answers the creator it names (UTF-16, e.g. "QEMU v7.2.0"). */
export async function readFileIdentifier(file: RangeReader): Promise<string> {
  if (file.size < HEADER_SECTION_BYTES) throw new VmarketError('IMAGE_CORRUPT', say(tooShort, file.size));
  const identifier = await file.read(0, 8 + 512);
  if (identifier.toString('latin1', 0, 8) !== FILE_IDENTIFIER) throw new VmarketError('IMAGE_CORRUPT', say(noIdentifier));
  const creator = identifier.toString('utf16le', 8).split('\0', 1)[0];
  return /^[\p{L}\p{N}\p{P}\p{Zs}\p{S}]{1,128}$/u.test(creator) ? creator : '';
}

/** One header, or why it is not valid. */
function parseHeader(bytes: Buffer, at: number): VhdxHeader | Localized {
  if (bytes.toString('latin1', 0, 4) !== 'head') return say(headerNoSignature, at);
  const stored = bytes.readUInt32LE(4);
  const computed = crc32cWithoutField(bytes, 4);
  if (stored !== computed) return say(headerBadCrc, at, hex32(stored), hex32(computed));
  const version = bytes.readUInt16LE(66);
  if (version !== 1) return say(headerBadVersion, at, version);
  const logGuid = formatGuid(bytes.subarray(48, 64));
  return {
    at,
    sequenceNumber: bytes.readBigUInt64LE(8),
    logGuid: logGuid === ZERO_GUID ? null : logGuid,
    logLength: bytes.readUInt32LE(68),
    logOffset: Number(bytes.readBigUInt64LE(72)),
  };
}

function isHeader(value: VhdxHeader | Localized): value is VhdxHeader {
  return 'at' in value;
}

/** The active header: the valid one, or of two valid ones the one with the higher sequence number. */
export async function readActiveHeader(file: RangeReader, problems: Localized[]): Promise<VhdxHeader> {
  const raw = await Promise.all(HEADER_OFFSETS.map((at) => file.read(at, HEADER_BYTES)));
  const [first, second] = raw.map((bytes, i) => parseHeader(bytes, HEADER_OFFSETS[i]));
  if (isHeader(first) && isHeader(second)) {
    if (first.sequenceNumber > second.sequenceNumber) return first;
    if (second.sequenceNumber > first.sequenceNumber) return second;
    // Some tools (Disk2VHD) write two identical headers; only differing ones are ambiguous.
    if (raw[0].equals(raw[1])) return first;
    throw new VmarketError('IMAGE_CORRUPT', say(sameSequence, first.sequenceNumber));
  }
  if (isHeader(first)) {
    problems.push(say(otherHeaderRead, second as Localized, first.at));
    return first;
  }
  if (isHeader(second)) {
    problems.push(say(otherHeaderRead, first, second.at));
    return second;
  }
  throw new VmarketError('IMAGE_CORRUPT', say(noValidHeader, first, second as Localized));
}

/** One region table's entries, or why it is not valid. */
function parseRegionTable(bytes: Buffer, at: number): VhdxRegion[] | Localized {
  if (bytes.toString('latin1', 0, 4) !== 'regi') return say(tableNoSignature, at);
  const stored = bytes.readUInt32LE(4);
  const computed = crc32cWithoutField(bytes, 4);
  if (stored !== computed) return say(tableBadCrc, at, hex32(stored), hex32(computed));
  const count = bytes.readUInt32LE(8);
  if (count > MAX_REGION_ENTRIES) return say(tableTooManyEntries, at, count);
  const regions: VhdxRegion[] = [];
  for (let i = 0; i < count; i++) {
    const entry = bytes.subarray(16 + i * REGION_ENTRY_BYTES, 16 + (i + 1) * REGION_ENTRY_BYTES);
    regions.push({
      guid: formatGuid(entry.subarray(0, 16)),
      fileOffset: Number(entry.readBigUInt64LE(16)),
      length: entry.readUInt32LE(24),
      required: (entry.readUInt32LE(28) & 1) === 1,
    });
  }
  return regions;
}

/**
 * The BAT and metadata regions from the first valid region table (the two copies are written
 * identical; the second is there for a torn write). Each region must be a whole number of MiB,
 * after the header section, inside the file, and apart from the others.
 */
export async function readRegions(file: RangeReader, problems: Localized[]): Promise<{ bat: VhdxRegion; metadata: VhdxRegion; all: VhdxRegion[] }> {
  const [first, second] = await Promise.all(REGION_TABLE_OFFSETS.map(async (at) => parseRegionTable(await file.read(at, REGION_TABLE_BYTES), at)));
  let regions: VhdxRegion[];
  if (Array.isArray(first)) regions = first;
  else if (Array.isArray(second)) {
    problems.push(say(otherTableRead, first, REGION_TABLE_OFFSETS[1]));
    regions = second;
  } else throw new VmarketError('IMAGE_CORRUPT', say(noValidTable, first, second));

  const seen = new Set<string>();
  for (const region of regions) {
    if (seen.has(region.guid)) throw new VmarketError('IMAGE_CORRUPT', say(regionTwice, region.guid));
    seen.add(region.guid);
    const known = region.guid === BAT_REGION || region.guid === METADATA_REGION;
    if (!known && region.required) throw new VmarketError('IMAGE_UNSUPPORTED', say(unknownRequiredRegion, region.guid));
    const aligned = region.fileOffset % MiB === 0 && region.length % MiB === 0 && region.length > 0;
    if (!aligned || region.fileOffset < HEADER_SECTION_BYTES || region.fileOffset + region.length > file.size) {
      throw new VmarketError('IMAGE_CORRUPT', say(regionMisplaced, region.guid, region.fileOffset, region.length, file.size));
    }
  }
  const sorted = [...regions].sort((a, b) => a.fileOffset - b.fileOffset);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i - 1].fileOffset + sorted[i - 1].length > sorted[i].fileOffset) {
      throw new VmarketError('IMAGE_CORRUPT', say(regionsOverlap, sorted[i - 1].guid, sorted[i].guid));
    }
  }
  const bat = regions.find((region) => region.guid === BAT_REGION);
  const metadata = regions.find((region) => region.guid === METADATA_REGION);
  if (!bat) throw new VmarketError('IMAGE_CORRUPT', say(regionMissing, BAT_NAME));
  if (!metadata) throw new VmarketError('IMAGE_CORRUPT', say(regionMissing, METADATA_NAME));
  return { bat, metadata, all: regions };
}
