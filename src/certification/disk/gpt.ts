/**
 * The GUID partition table (UEFI spec, chapter 5): a header at LBA 1 and a backup header at the
 * disk's last sector, each with a CRC32 over itself and over its partition entry array. When the
 * primary header or its array is bad, the backup is read instead, and the problem is reported.
 */
import { crc32 } from './crc32.ts';
import { SECTOR_SIZE } from './mbr.ts';
import { formatGuid, gptTypeName } from './partition-types.ts';
import type { PartitionEntry, RangeReader } from './types.ts';

const SIGNATURE = 'EFI PART';
const MIN_HEADER_SIZE = 92;
const MIN_ENTRY_SIZE = 128;
/** 128 entries of 128 bytes is the norm (16 KiB); anything over this is corrupt. */
const MAX_ARRAY_BYTES = 4 * 1024 * 1024;

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
  problems: string[];
}

type HeaderResult = { header: GptHeader; entries: Buffer } | { error: string };

export async function readGpt(disk: RangeReader): Promise<GptTable> {
  const problems: string[] = [];
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
    problems.push(`The backup GPT header at LBA ${lastLba} was read instead of the primary one.`);
    chosen = backup;
  }
  const partitions = parseEntries(chosen.header, chosen.entries, problems);
  return { header: chosen.header, partitions, problems };
}

async function readHeader(disk: RangeReader, lba: number, which: 'primary' | 'backup'): Promise<HeaderResult> {
  const name = `The ${which} GPT header`;
  if (!Number.isSafeInteger(lba) || lba < 1 || (lba + 1) * SECTOR_SIZE > disk.size) {
    return { error: `${name} would be at LBA ${lba}, outside the disk.` };
  }
  const sector = await disk.read(lba * SECTOR_SIZE, SECTOR_SIZE);
  if (sector.toString('latin1', 0, 8) !== SIGNATURE) {
    return { error: `${name} at LBA ${lba} lacks the signature "${SIGNATURE}".` };
  }
  const headerSize = sector.readUInt32LE(12);
  if (headerSize < MIN_HEADER_SIZE || headerSize > SECTOR_SIZE) {
    return { error: `${name} at LBA ${lba} has an invalid size of ${headerSize} bytes.` };
  }
  const stored = sector.readUInt32LE(16);
  const copy = Buffer.from(sector.subarray(0, headerSize));
  copy.writeUInt32LE(0, 16);
  const computed = crc32(copy);
  if (stored !== computed) {
    return { error: `${name} at LBA ${lba} has CRC32 ${hex32(stored)}, but its contents give ${hex32(computed)}.` };
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
  if (myLba !== lba) return { error: `${name} at LBA ${lba} records its own position as LBA ${myLba}.` };
  if (header.entrySize < MIN_ENTRY_SIZE || header.entrySize % 8 !== 0) {
    return { error: `${name} at LBA ${lba} has an invalid partition entry size of ${header.entrySize} bytes.` };
  }
  const arrayBytes = header.entryCount * header.entrySize;
  if (arrayBytes > MAX_ARRAY_BYTES) {
    return { error: `${name} at LBA ${lba} declares ${header.entryCount} partition entries, far more than any disk holds.` };
  }
  const arrayStart = header.entriesLba * SECTOR_SIZE;
  if (!Number.isSafeInteger(arrayStart) || header.entriesLba < 1 || arrayStart + arrayBytes > disk.size) {
    return { error: `${name} at LBA ${lba} places its partition entries at LBA ${header.entriesLba}, outside the disk.` };
  }
  const entries = await disk.read(arrayStart, arrayBytes);
  const storedArrayCrc = sector.readUInt32LE(88);
  const arrayCrc = crc32(entries);
  if (storedArrayCrc !== arrayCrc) {
    return {
      error: `The partition entry array of the ${which} GPT header (LBA ${header.entriesLba}) has CRC32 ${hex32(storedArrayCrc)}, but its contents give ${hex32(arrayCrc)}.`,
    };
  }
  return { header, entries };
}

function parseEntries(header: GptHeader, entries: Buffer, problems: string[]): PartitionEntry[] {
  const partitions: PartitionEntry[] = [];
  for (let index = 0; index < header.entryCount; index++) {
    const entry = entries.subarray(index * header.entrySize, (index + 1) * header.entrySize);
    const type = formatGuid(entry.subarray(0, 16));
    if (type === '00000000-0000-0000-0000-000000000000') continue;
    const number = index + 1;
    const firstLba = u64(entry, 32);
    const lastLba = u64(entry, 40);
    if (lastLba < firstLba) {
      problems.push(`GPT partition ${number} ends (LBA ${lastLba}) before it starts (LBA ${firstLba}).`);
      continue;
    }
    if (firstLba < header.firstUsableLba || lastLba > header.lastUsableLba) {
      problems.push(
        `GPT partition ${number} (LBA ${firstLba}–${lastLba}) lies outside the usable sectors LBA ${header.firstUsableLba}–${header.lastUsableLba}.`,
      );
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
