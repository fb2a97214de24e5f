/**
 * The MBR partition table: four primary entries in sector 0 and, inside an extended partition, a
 * chain of extended boot records (EBRs) with one logical partition each. The chain is followed
 * with a visited set and a bound, so a corrupt or looping chain ends with a problem, not a hang.
 */
import { type Localized, type Phrase, say } from '../../i18n/localized.ts';
import type { PartitionEntry, RangeReader } from './types.ts';
import { MBR_EXTENDED_TYPES, mbrTypeName, mbrTypeString } from './partition-types.ts';

export const SECTOR_SIZE = 512;
const ENTRIES_OFFSET = 446;
/** Linux's limit on partitions is far below this; a longer chain is corrupt. */
const MAX_LOGICAL = 128;

const zeroSize: Phrase<[partition: number, typeName: string]> = {
  en: (n, type) => `MBR partition ${n} (${type}) has a size of zero sectors.`,
  de: (n, type) => `Die MBR-Partition ${n} (${type}) hat eine Größe von null Sektoren.`,
};
const severalExtended: Phrase<[first: number, other: number]> = {
  en: (first, other) => `The MBR holds more than one extended partition (${first} and ${other}); only the first is read.`,
  de: (first, other) => `Der MBR enthält mehr als eine erweiterte Partition (${first} und ${other}); nur die erste wird gelesen.`,
};
const chainTooLong: Phrase<[limit: number]> = {
  en: (limit) => `The extended partition's chain holds more than ${limit} logical partitions; the rest are ignored.`,
  de: (limit) => `Die Kette der erweiterten Partition enthält mehr als ${limit} logische Partitionen; die übrigen werden ignoriert.`,
};
const chainLoops: Phrase<[sector: number]> = {
  en: (sector) => `The extended partition's chain of logical partitions loops back to sector ${sector}.`,
  de: (sector) => `Die Kette der logischen Partitionen in der erweiterten Partition führt zurück zu Sektor ${sector}.`,
};
const ebrBeyondEnd: Phrase<[sector: number]> = {
  en: (sector) => `The logical partition table at sector ${sector} lies beyond the end of the disk.`,
  de: (sector) => `Die logische Partitionstabelle bei Sektor ${sector} liegt hinter dem Ende des Datenträgers.`,
};
const ebrWithoutSignature: Phrase<[sector: number]> = {
  en: (sector) => `The logical partition table at sector ${sector} lacks the boot signature 0x55AA.`,
  de: (sector) => `Der logischen Partitionstabelle bei Sektor ${sector} fehlt die Bootsignatur 0x55AA.`,
};

export interface MbrRecord {
  /** 0-based slot in the sector. */
  slot: number;
  status: number;
  type: number;
  startLba: number;
  sectors: number;
}

export function hasBootSignature(sector: Buffer): boolean {
  return sector.length >= 512 && sector[510] === 0x55 && sector[511] === 0xaa;
}

export function mbrRecords(sector: Buffer): MbrRecord[] {
  const records: MbrRecord[] = [];
  for (let slot = 0; slot < 4; slot++) {
    const at = ENTRIES_OFFSET + slot * 16;
    records.push({
      slot,
      status: sector[at],
      type: sector[at + 4],
      startLba: sector.readUInt32LE(at + 8),
      sectors: sector.readUInt32LE(at + 12),
    });
  }
  return records;
}

export interface MbrTable {
  partitions: PartitionEntry[];
  /** Numbers of the logical partitions and of their container (checked apart for overlaps). */
  container: PartitionEntry | null;
  logical: PartitionEntry[];
  problems: Localized[];
}

/** Reads the primary entries of `sector0` (already read, with a boot signature) and the logical chain. */
export async function readMbr(disk: RangeReader, sector0: Buffer): Promise<MbrTable> {
  const problems: Localized[] = [];
  const partitions: PartitionEntry[] = [];
  let container: PartitionEntry | null = null;
  let containerLba = 0;
  for (const record of mbrRecords(sector0)) {
    if (record.type === 0) continue;
    const number = record.slot + 1;
    if (record.sectors === 0) {
      problems.push(say(zeroSize, number, mbrTypeName(record.type)));
      continue;
    }
    const entry = toEntry(number, record, record.startLba);
    partitions.push(entry);
    if (MBR_EXTENDED_TYPES.has(record.type)) {
      if (container) {
        problems.push(say(severalExtended, container.number, number));
      } else {
        container = entry;
        containerLba = record.startLba;
      }
    }
  }
  const logical = container ? await readLogicalChain(disk, containerLba, problems) : [];
  partitions.push(...logical);
  return { partitions, container, logical, problems };
}

async function readLogicalChain(disk: RangeReader, containerLba: number, problems: Localized[]): Promise<PartitionEntry[]> {
  const logical: PartitionEntry[] = [];
  const visited = new Set<number>();
  let ebrLba = containerLba;
  for (let count = 0; ; count++) {
    if (count === MAX_LOGICAL) {
      problems.push(say(chainTooLong, MAX_LOGICAL));
      break;
    }
    if (visited.has(ebrLba)) {
      problems.push(say(chainLoops, ebrLba));
      break;
    }
    visited.add(ebrLba);
    if ((ebrLba + 1) * SECTOR_SIZE > disk.size) {
      problems.push(say(ebrBeyondEnd, ebrLba));
      break;
    }
    const sector = await disk.read(ebrLba * SECTOR_SIZE, SECTOR_SIZE);
    if (!hasBootSignature(sector)) {
      problems.push(say(ebrWithoutSignature, ebrLba));
      break;
    }
    const [first, next] = mbrRecords(sector);
    if (first.type !== 0 && first.sectors > 0) {
      // A logical partition starts relative to its own EBR.
      logical.push(toEntry(5 + logical.length, first, ebrLba + first.startLba));
    }
    // The next EBR is addressed relative to the start of the extended partition.
    if (!MBR_EXTENDED_TYPES.has(next.type) || next.startLba === 0) break;
    ebrLba = containerLba + next.startLba;
  }
  return logical;
}

function toEntry(number: number, record: MbrRecord, startLba: number): PartitionEntry {
  return {
    number,
    scheme: 'mbr',
    type: mbrTypeString(record.type),
    typeName: mbrTypeName(record.type),
    startByte: startLba * SECTOR_SIZE,
    sizeBytes: record.sectors * SECTOR_SIZE,
    bootable: record.status === 0x80,
  };
}
