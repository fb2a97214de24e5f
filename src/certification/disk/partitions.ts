/**
 * The disk's partition table, MBR or GPT, with every problem a certification check must report:
 * no readable table, CRC mismatches, partitions outside the disk, overlapping partitions.
 * Never throws for a corrupt disk: a read that fails becomes a problem.
 */
import { isVmarketError } from '../../errors.ts';
import { readGpt } from './gpt.ts';
import { hasBootSignature, mbrRecords, readMbr, SECTOR_SIZE } from './mbr.ts';
import { MBR_GPT_PROTECTIVE } from './partition-types.ts';
import type { PartitionEntry, PartitionTable, RangeReader } from './types.ts';

/** A corrupt GPT can list thousands of overlapping entries; a report needs the first few. */
const MAX_PROBLEMS = 20;

export async function readPartitionTable(disk: RangeReader): Promise<PartitionTable> {
  try {
    const table = await readTable(disk);
    if (table.problems.length > MAX_PROBLEMS) {
      const more = table.problems.length - (MAX_PROBLEMS - 1);
      table.problems = [...table.problems.slice(0, MAX_PROBLEMS - 1), `… and ${more} more problems of the same kind.`];
    }
    return table;
  } catch (error) {
    if (!isVmarketError(error)) throw error;
    return { scheme: 'none', partitions: [], problems: [`The partition table could not be read: ${error.message}`] };
  }
}

async function readTable(disk: RangeReader): Promise<PartitionTable> {
  if (disk.size < 2 * SECTOR_SIZE) {
    return { scheme: 'none', partitions: [], problems: [`The disk is ${disk.size} bytes long, too small to hold a partition table.`] };
  }
  const sector0 = await disk.read(0, SECTOR_SIZE);
  if (!hasBootSignature(sector0)) {
    const sector1 = await disk.read(SECTOR_SIZE, 8);
    if (sector1.toString('latin1') === 'EFI PART') {
      return gptTable(disk, ['Sector 0 holds no protective MBR (boot signature 0x55AA missing) in front of the GPT.']);
    }
    return { scheme: 'none', partitions: [], problems: ['The disk has no partition table: sector 0 lacks the MBR boot signature 0x55AA and there is no GPT.'] };
  }
  const records = mbrRecords(sector0);
  if (records.some((record) => record.type === MBR_GPT_PROTECTIVE)) return gptTable(disk, []);
  const badStatus = records.find((record) => record.status !== 0 && record.status !== 0x80);
  if (badStatus) {
    // Boot sectors of file systems (FAT, NTFS) also end in 0x55AA; their "entries" are code.
    return {
      scheme: 'none',
      partitions: [],
      problems: [
        `Sector 0 ends with the boot signature 0x55AA but is no valid MBR: entry ${badStatus.slot + 1} has the status byte 0x${badStatus.status.toString(16).padStart(2, '0')}.`,
      ],
    };
  }
  const mbr = await readMbr(disk, sector0);
  const problems = [...mbr.problems];
  if (mbr.partitions.length === 0) problems.push('The MBR lists no partitions.');
  const primaries = mbr.partitions.filter((entry) => !mbr.logical.includes(entry));
  problems.push(...outsideDisk(mbr.partitions, disk.size));
  problems.push(...overlaps(primaries));
  problems.push(...overlaps(mbr.logical));
  if (mbr.container) {
    const { startByte, sizeBytes } = mbr.container;
    for (const entry of mbr.logical) {
      if (entry.startByte < startByte || entry.startByte + entry.sizeBytes > startByte + sizeBytes) {
        problems.push(`Logical partition ${entry.number} (${span(entry)}) lies outside its extended partition ${mbr.container.number} (${span(mbr.container)}).`);
      }
    }
  }
  return { scheme: 'mbr', partitions: mbr.partitions, problems };
}

async function gptTable(disk: RangeReader, problems: string[]): Promise<PartitionTable> {
  const gpt = await readGpt(disk);
  problems.push(...gpt.problems);
  if (!gpt.header) problems.push('No valid GPT header was found, so the GPT partitions cannot be read.');
  problems.push(...outsideDisk(gpt.partitions, disk.size));
  problems.push(...overlaps(gpt.partitions));
  return { scheme: 'gpt', partitions: gpt.partitions, problems };
}

function outsideDisk(partitions: PartitionEntry[], diskSize: number): string[] {
  return partitions
    .filter((entry) => entry.startByte + entry.sizeBytes > diskSize)
    .map((entry) => `Partition ${entry.number} (${entry.typeName}, ${span(entry)}) ends beyond the end of the disk (${diskSize} bytes).`);
}

/** Each partition that starts before an earlier one (by start) ends. Sorting keeps this O(n log n). */
function overlaps(partitions: PartitionEntry[]): string[] {
  const sorted = [...partitions].sort((a, b) => a.startByte - b.startByte || a.number - b.number);
  const problems: string[] = [];
  let farthest: PartitionEntry | null = null;
  for (const entry of sorted) {
    if (farthest && entry.startByte < farthest.startByte + farthest.sizeBytes) {
      problems.push(`Partitions ${farthest.number} (${span(farthest)}) and ${entry.number} (${span(entry)}) overlap.`);
    }
    if (!farthest || entry.startByte + entry.sizeBytes > farthest.startByte + farthest.sizeBytes) farthest = entry;
  }
  return problems;
}

function span(entry: PartitionEntry): string {
  return `bytes ${entry.startByte}–${entry.startByte + entry.sizeBytes - 1}`;
}
