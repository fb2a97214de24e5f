/**
 * The GUID partition table (UEFI spec, chapter 5): a header at LBA 1 and a backup header at the
 * disk's last sector, each with a CRC32 over itself and over its partition entry array. When the
 * primary header or its array is bad, the backup is read instead, and the problem is reported.
 */
import { crc32 } from './crc32.ts';
import { SECTOR_SIZE } from './mbr.ts';
import { formatGuid, gptTypeName } from './partition-types.ts';
import { formatNumber } from '../../i18n/format.ts';
import { type Localized, type Phrase, say } from '../../i18n/localized.ts';
import type { PartitionEntry, RangeReader } from './types.ts';

const SIGNATURE = 'EFI PART';
const MIN_HEADER_SIZE = 92;
const MIN_ENTRY_SIZE = 128;
/** 128 entries of 128 bytes is the norm (16 KiB); anything over this is corrupt. */
const MAX_ARRAY_BYTES = 4 * 1024 * 1024;
/**
 * Every partitioning tool writes 128 entries; a few let an administrator choose more. A header
 * may declare up to 2^32 entries, and each listed partition is opened and scanned: beyond this
 * the table is refused (32,768 entries on one file system made the scan 32,768 times the work).
 */
export const MAX_GPT_ENTRIES = 1024;

type Which = 'primary' | 'backup';
/** `The primary GPT header at LBA 1`: how each problem of a header begins, in every language. */
const headerAt: Phrase<[which: Which, lba: number]> = {
  en: (which, lba) => `The ${which} GPT header at LBA ${lba}`,
  de: (which, lba) => `Der ${which === 'primary' ? 'primäre ' : 'Backup-'}GPT-Header bei LBA ${lba}`,
};
const headerOutside: Phrase<[which: Which, lba: number]> = {
  en: (which, lba) => `The ${which} GPT header would be at LBA ${lba}, outside the disk.`,
  de: (which, lba) => `Der ${which === 'primary' ? 'primäre ' : 'Backup-'}GPT-Header läge bei LBA ${lba}, außerhalb des Datenträgers.`,
};
const noSignature: Phrase<[which: Which, lba: number]> = {
  en: (which, lba) => `${headerAt.en(which, lba)} lacks the signature "${SIGNATURE}".`,
  de: (which, lba) => `${headerAt.de(which, lba)} hat nicht die Signatur „${SIGNATURE}“.`,
};
const badHeaderSize: Phrase<[which: Which, lba: number, size: number]> = {
  en: (which, lba, size) => `${headerAt.en(which, lba)} has an invalid size of ${size} bytes.`,
  de: (which, lba, size) => `${headerAt.de(which, lba)} hat die ungültige Größe ${formatNumber(size, 'de')} Byte.`,
};
const badHeaderCrc: Phrase<[which: Which, lba: number, stored: string, computed: string]> = {
  en: (which, lba, stored, computed) => `${headerAt.en(which, lba)} has CRC32 ${stored}, but its contents give ${computed}.`,
  de: (which, lba, stored, computed) => `${headerAt.de(which, lba)} hat die CRC32 ${stored}, aus seinem Inhalt ergibt sich aber ${computed}.`,
};
const wrongOwnLba: Phrase<[which: Which, lba: number, recorded: number]> = {
  en: (which, lba, recorded) => `${headerAt.en(which, lba)} records its own position as LBA ${recorded}.`,
  de: (which, lba, recorded) => `${headerAt.de(which, lba)} gibt als eigene Position LBA ${recorded} an.`,
};
const badEntrySize: Phrase<[which: Which, lba: number, size: number]> = {
  en: (which, lba, size) => `${headerAt.en(which, lba)} has an invalid partition entry size of ${size} bytes.`,
  de: (which, lba, size) => `${headerAt.de(which, lba)} hat die ungültige Größe ${formatNumber(size, 'de')} Byte für Partitionseinträge.`,
};
const tooManyEntries: Phrase<[which: Which, lba: number, count: number]> = {
  en: (which, lba, count) => `${headerAt.en(which, lba)} declares ${count} partition entries, far more than any disk holds.`,
  de: (which, lba, count) => `${headerAt.de(which, lba)} gibt ${formatNumber(count, 'de')} Partitionseinträge an, weit mehr, als ein Datenträger enthält.`,
};
const entriesInUsable: Phrase<[which: Which, lba: number, entriesLba: number]> = {
  en: (which, lba, entriesLba) => `${headerAt.en(which, lba)} places its partition entries at LBA ${entriesLba}, inside the usable LBAs that partitions occupy.`,
  de: (which, lba, entriesLba) => `${headerAt.de(which, lba)} legt seine Partitionseinträge an LBA ${entriesLba}, mitten in den nutzbaren LBAs der Partitionen.`,
};
const entriesOutside: Phrase<[which: Which, lba: number, entriesLba: number]> = {
  en: (which, lba, entriesLba) => `${headerAt.en(which, lba)} places its partition entries at LBA ${entriesLba}, outside the disk.`,
  de: (which, lba, entriesLba) => `${headerAt.de(which, lba)} legt seine Partitionseinträge bei LBA ${entriesLba} ab, außerhalb des Datenträgers.`,
};
const badArrayCrc: Phrase<[which: Which, entriesLba: number, stored: string, computed: string]> = {
  en: (which, entriesLba, stored, computed) => `The partition entry array of the ${which} GPT header (LBA ${entriesLba}) has CRC32 ${stored}, but its contents give ${computed}.`,
  de: (which, entriesLba, stored, computed) =>
    `Das Array der Partitionseinträge des ${which === 'primary' ? 'primären ' : 'Backup-'}GPT-Headers (LBA ${entriesLba}) hat die CRC32 ${stored}, aus seinem Inhalt ergibt sich aber ${computed}.`,
};
const backupRead: Phrase<[lba: number]> = {
  en: (lba) => `The backup GPT header at LBA ${lba} was read instead of the primary one.`,
  de: (lba) => `Statt des primären GPT-Headers wurde der Backup-GPT-Header bei LBA ${lba} gelesen.`,
};
const endsBeforeStart: Phrase<[partition: number, first: number, last: number]> = {
  en: (n, first, last) => `GPT partition ${n} ends (LBA ${last}) before it starts (LBA ${first}).`,
  de: (n, first, last) => `Die GPT-Partition ${n} endet (LBA ${last}), bevor sie beginnt (LBA ${first}).`,
};
const outsideUsable: Phrase<[partition: number, first: number, last: number, firstUsable: number, lastUsable: number]> = {
  en: (n, first, last, firstUsable, lastUsable) => `GPT partition ${n} (LBA ${first}–${last}) lies outside the usable sectors LBA ${firstUsable}–${lastUsable}.`,
  de: (n, first, last, firstUsable, lastUsable) => `Die GPT-Partition ${n} (LBA ${first}–${last}) liegt außerhalb der nutzbaren Sektoren LBA ${firstUsable}–${lastUsable}.`,
};

export interface GptHeader {
  lba: number;
  alternateLba: number;
  firstUsableLba: number;
  lastUsableLba: number;
  diskGuid: string;
  entriesLba: number;
  entryCount: number;
  entrySize: number;
}

export interface GptTable {
  /** null when neither header could be read. */
  header: GptHeader | null;
  partitions: PartitionEntry[];
  problems: Localized[];
}

type HeaderResult = { header: GptHeader; entries: Buffer } | { error: Localized };

export async function readGpt(disk: RangeReader): Promise<GptTable> {
  const problems: Localized[] = [];
  const lastLba = Math.floor(disk.size / SECTOR_SIZE) - 1;
  const primary = await readHeader(disk, 1, 'primary');
  let chosen: { header: GptHeader; entries: Buffer };
  if ('header' in primary) {
    chosen = primary;
    const backupLba = primary.header.alternateLba;
    const backup = await readHeader(disk, backupLba, 'backup');
    if ('error' in backup) problems.push(backup.error);
  } else {
    problems.push(primary.error);
    const backup = await readHeader(disk, lastLba, 'backup');
    if ('error' in backup) {
      problems.push(backup.error);
      return { header: null, partitions: [], problems };
    }
    problems.push(say(backupRead, lastLba));
    chosen = backup;
  }
  const partitions = parseEntries(chosen.header, chosen.entries, problems);
  return { header: chosen.header, partitions, problems };
}

async function readHeader(disk: RangeReader, lba: number, which: Which): Promise<HeaderResult> {
  if (!Number.isSafeInteger(lba) || lba < 1 || (lba + 1) * SECTOR_SIZE > disk.size) {
    return { error: say(headerOutside, which, lba) };
  }
  const sector = await disk.read(lba * SECTOR_SIZE, SECTOR_SIZE);
  if (sector.toString('latin1', 0, 8) !== SIGNATURE) {
    return { error: say(noSignature, which, lba) };
  }
  const headerSize = sector.readUInt32LE(12);
  if (headerSize < MIN_HEADER_SIZE || headerSize > SECTOR_SIZE) {
    return { error: say(badHeaderSize, which, lba, headerSize) };
  }
  const stored = sector.readUInt32LE(16);
  const copy = Buffer.from(sector.subarray(0, headerSize));
  copy.writeUInt32LE(0, 16);
  const computed = crc32(copy);
  if (stored !== computed) {
    return { error: say(badHeaderCrc, which, lba, hex32(stored), hex32(computed)) };
  }
  const header: GptHeader = {
    lba,
    alternateLba: u64(sector, 32),
    firstUsableLba: u64(sector, 40),
    lastUsableLba: u64(sector, 48),
    diskGuid: formatGuid(sector.subarray(56, 72)),
    entriesLba: u64(sector, 72),
    entryCount: sector.readUInt32LE(80),
    entrySize: sector.readUInt32LE(84),
  };
  const myLba = u64(sector, 24);
  if (myLba !== lba) return { error: say(wrongOwnLba, which, lba, myLba) };
  // UEFI 5.3.2: SizeOfPartitionEntry is 128 × 2^n
  if (header.entrySize < MIN_ENTRY_SIZE || (header.entrySize & (header.entrySize - 1)) !== 0) {
    return { error: say(badEntrySize, which, lba, header.entrySize) };
  }
  const arrayBytes = header.entryCount * header.entrySize;
  if (header.entryCount > MAX_GPT_ENTRIES || arrayBytes > MAX_ARRAY_BYTES) {
    return { error: say(tooManyEntries, which, lba, header.entryCount) };
  }
  const arrayStart = header.entriesLba * SECTOR_SIZE;
  if (!Number.isSafeInteger(arrayStart) || header.entriesLba < 1 || arrayStart + arrayBytes > disk.size) {
    return { error: say(entriesOutside, which, lba, header.entriesLba) };
  }
  const arrayEndLba = header.entriesLba + Math.ceil(arrayBytes / SECTOR_SIZE) - 1;
  if (arrayBytes > 0 && header.entriesLba <= header.lastUsableLba && arrayEndLba >= header.firstUsableLba) {
    return { error: say(entriesInUsable, which, lba, header.entriesLba) };
  }
  const entries = await disk.read(arrayStart, arrayBytes);
  const storedArrayCrc = sector.readUInt32LE(88);
  const arrayCrc = crc32(entries);
  if (storedArrayCrc !== arrayCrc) {
    return { error: say(badArrayCrc, which, header.entriesLba, hex32(storedArrayCrc), hex32(arrayCrc)) };
  }
  return { header, entries };
}

function parseEntries(header: GptHeader, entries: Buffer, problems: Localized[]): PartitionEntry[] {
  const partitions: PartitionEntry[] = [];
  for (let index = 0; index < header.entryCount; index++) {
    const entry = entries.subarray(index * header.entrySize, (index + 1) * header.entrySize);
    const type = formatGuid(entry.subarray(0, 16));
    if (type === '00000000-0000-0000-0000-000000000000') continue;
    const number = index + 1;
    const firstLba = u64(entry, 32);
    const lastLba = u64(entry, 40);
    if (lastLba < firstLba) {
      problems.push(say(endsBeforeStart, number, firstLba, lastLba));
      continue;
    }
    if (firstLba < header.firstUsableLba || lastLba > header.lastUsableLba) {
      problems.push(say(outsideUsable, number, firstLba, lastLba, header.firstUsableLba, header.lastUsableLba));
    }
    const name = entry.toString('utf16le', 56, 128).replace(/\0[\s\S]*$/, '');
    const attributes = entry.readBigUInt64LE(48);
    partitions.push({
      number,
      scheme: 'gpt',
      type,
      typeName: gptTypeName(type),
      startByte: firstLba * SECTOR_SIZE,
      sizeBytes: (lastLba - firstLba + 1) * SECTOR_SIZE,
      ...(name ? { name } : {}),
      // Bit 2: legacy BIOS bootable.
      bootable: (attributes & 4n) !== 0n,
    });
  }
  return partitions;
}

/** A u64 field as a number; values beyond 2^53 only ever come from corruption and stay huge. */
function u64(bytes: Buffer, offset: number): number {
  return Number(bytes.readBigUInt64LE(offset));
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
