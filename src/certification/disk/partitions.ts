/**
 * The disk's partition table, MBR or GPT, with every problem a certification check must report:
 * no readable table, CRC mismatches, partitions outside the disk, overlapping partitions.
 * Never throws for a corrupt disk: a read that fails becomes a problem.
 */
import { errorText, isVmarketError } from '../../errors.ts';
import { formatNumber } from '../../i18n/format.ts';
import { fixed, type Localized, type Phrase, say } from '../../i18n/localized.ts';
import { readGpt } from './gpt.ts';
import { hasBootSignature, mbrRecords, readMbr, SECTOR_SIZE } from './mbr.ts';
import { MBR_GPT_PROTECTIVE } from './partition-types.ts';
import type { PartitionEntry, PartitionTable, RangeReader } from './types.ts';

/** A corrupt GPT can list thousands of overlapping entries; a report needs the first few. */
const MAX_PROBLEMS = 20;

/** Where a partition lies, first to last byte. */
const span: Phrase<[entry: PartitionEntry]> = {
  en: (entry) => `bytes ${entry.startByte}–${entry.startByte + entry.sizeBytes - 1}`,
  de: (entry) => `Byte ${entry.startByte}–${entry.startByte + entry.sizeBytes - 1}`,
};
const moreProblems: Phrase<[more: number]> = {
  en: (more) => `… and ${more} more problems of the same kind.`,
  de: (more) => `… und ${formatNumber(more, 'de')} weitere Probleme derselben Art.`,
};
const unreadable: Phrase<[reason: Localized]> = {
  en: (reason) => `The partition table could not be read: ${reason.en}`,
  de: (reason) => `Die Partitionstabelle konnte nicht gelesen werden: ${reason.de}`,
};
const tooSmall: Phrase<[diskSize: number]> = {
  en: (size) => `The disk is ${size} bytes long, too small to hold a partition table.`,
  de: (size) => `Der Datenträger ist ${formatNumber(size, 'de')} Byte lang und damit zu klein für eine Partitionstabelle.`,
};
const NO_PROTECTIVE_MBR = fixed(
  'Sector 0 holds no protective MBR (boot signature 0x55AA missing) in front of the GPT.',
  'Sektor 0 enthält vor der GPT keinen schützenden MBR (die Bootsignatur 0x55AA fehlt).',
);
const NO_TABLE = fixed(
  'The disk has no partition table: sector 0 lacks the MBR boot signature 0x55AA and there is no GPT.',
  'Der Datenträger hat keine Partitionstabelle: In Sektor 0 fehlt die MBR-Bootsignatur 0x55AA, und es gibt keine GPT.',
);
const notAnMbr: Phrase<[entry: number, status: string]> = {
  en: (entry, status) => `Sector 0 ends with the boot signature 0x55AA but is no valid MBR: entry ${entry} has the status byte ${status}.`,
  de: (entry, status) => `Sektor 0 endet mit der Bootsignatur 0x55AA, ist aber kein gültiger MBR: Eintrag ${entry} hat das Statusbyte ${status}.`,
};
const EMPTY_MBR = fixed('The MBR lists no partitions.', 'Der MBR enthält keine Partitionen.');
const logicalOutside: Phrase<[logical: PartitionEntry, container: PartitionEntry]> = {
  en: (logical, container) => `Logical partition ${logical.number} (${span.en(logical)}) lies outside its extended partition ${container.number} (${span.en(container)}).`,
  de: (logical, container) => `Die logische Partition ${logical.number} (${span.de(logical)}) liegt außerhalb ihrer erweiterten Partition ${container.number} (${span.de(container)}).`,
};
const NO_GPT_HEADER = fixed(
  'No valid GPT header was found, so the GPT partitions cannot be read.',
  'Es wurde kein gültiger GPT-Header gefunden, daher können die GPT-Partitionen nicht gelesen werden.',
);
const beyondDisk: Phrase<[entry: PartitionEntry, diskSize: number]> = {
  en: (entry, size) => `Partition ${entry.number} (${entry.typeName}, ${span.en(entry)}) ends beyond the end of the disk (${size} bytes).`,
  de: (entry, size) => `Die Partition ${entry.number} (${entry.typeName}, ${span.de(entry)}) endet hinter dem Ende des Datenträgers (${formatNumber(size, 'de')} Byte).`,
};
const overlap: Phrase<[a: PartitionEntry, b: PartitionEntry]> = {
  en: (a, b) => `Partitions ${a.number} (${span.en(a)}) and ${b.number} (${span.en(b)}) overlap.`,
  de: (a, b) => `Die Partitionen ${a.number} (${span.de(a)}) und ${b.number} (${span.de(b)}) überlappen sich.`,
};

export async function readPartitionTable(disk: RangeReader): Promise<PartitionTable> {
  try {
    const table = await readTable(disk);
    if (table.problems.length > MAX_PROBLEMS) {
      const more = table.problems.length - (MAX_PROBLEMS - 1);
      table.problems = [...table.problems.slice(0, MAX_PROBLEMS - 1), say(moreProblems, more)];
    }
    return table;
  } catch (error) {
    if (!isVmarketError(error)) throw error;
    return { scheme: 'none', partitions: [], problems: [say(unreadable, errorText(error))] };
  }
}

async function readTable(disk: RangeReader): Promise<PartitionTable> {
  if (disk.size < 2 * SECTOR_SIZE) {
    return { scheme: 'none', partitions: [], problems: [say(tooSmall, disk.size)] };
  }
  const sector0 = await disk.read(0, SECTOR_SIZE);
  if (!hasBootSignature(sector0)) {
    const sector1 = await disk.read(SECTOR_SIZE, 8);
    if (sector1.toString('latin1') === 'EFI PART') {
      return gptTable(disk, [NO_PROTECTIVE_MBR]);
    }
    return { scheme: 'none', partitions: [], problems: [NO_TABLE] };
  }
  const records = mbrRecords(sector0);
  if (records.some((record) => record.type === MBR_GPT_PROTECTIVE)) return gptTable(disk, []);
  const badStatus = records.find((record) => record.status !== 0 && record.status !== 0x80);
  if (badStatus) {
    // Boot sectors of file systems (FAT, NTFS) also end in 0x55AA; their "entries" are code.
    return {
      scheme: 'none',
      partitions: [],
      problems: [say(notAnMbr, badStatus.slot + 1, `0x${badStatus.status.toString(16).padStart(2, '0')}`)],
    };
  }
  const mbr = await readMbr(disk, sector0);
  const problems = [...mbr.problems];
  if (mbr.partitions.length === 0) problems.push(EMPTY_MBR);
  const primaries = mbr.partitions.filter((entry) => !mbr.logical.includes(entry));
  problems.push(...outsideDisk(mbr.partitions, disk.size));
  problems.push(...overlaps(primaries));
  problems.push(...overlaps(mbr.logical));
  if (mbr.container) {
    const { startByte, sizeBytes } = mbr.container;
    for (const entry of mbr.logical) {
      if (entry.startByte < startByte || entry.startByte + entry.sizeBytes > startByte + sizeBytes) {
        problems.push(say(logicalOutside, entry, mbr.container));
      }
    }
  }
  return { scheme: 'mbr', partitions: mbr.partitions, problems };
}

async function gptTable(disk: RangeReader, problems: Localized[]): Promise<PartitionTable> {
  const gpt = await readGpt(disk);
  problems.push(...gpt.problems);
  if (!gpt.header) problems.push(NO_GPT_HEADER);
  problems.push(...outsideDisk(gpt.partitions, disk.size));
  problems.push(...overlaps(gpt.partitions));
  return { scheme: 'gpt', partitions: gpt.partitions, problems };
}

function outsideDisk(partitions: PartitionEntry[], diskSize: number): Localized[] {
  return partitions.filter((entry) => entry.startByte + entry.sizeBytes > diskSize).map((entry) => say(beyondDisk, entry, diskSize));
}

/** Each partition that starts before an earlier one (by start) ends. Sorting keeps this O(n log n). */
function overlaps(partitions: PartitionEntry[]): Localized[] {
  const sorted = [...partitions].sort((a, b) => a.startByte - b.startByte || a.number - b.number);
  const problems: Localized[] = [];
  let farthest: PartitionEntry | null = null;
  for (const entry of sorted) {
    if (farthest && entry.startByte < farthest.startByte + farthest.sizeBytes) {
      problems.push(say(overlap, farthest, entry));
    }
    if (!farthest || entry.startByte + entry.sizeBytes > farthest.startByte + farthest.sizeBytes) farthest = entry;
  }
  return problems;
}
