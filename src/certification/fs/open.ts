/**
 * `openDisk`: from an image file to what the checks read: its format and virtual disk (through
 * that format's reader, disk/formats/), the partition table and each partition's file system
 * (ext2/3/4 and XFS opened for reading). A refused image (unsafe, or not what it is declared to be) has
 * no virtual disk: nothing inside it is read.
 */
import { errorText, isVmarketError } from '../../errors.ts';
import { type Localized, type Phrase, say, verbatim } from '../../i18n/localized.ts';
import { detectFileSystem } from '../disk/detect-fs.ts';
import { openFileReader } from '../disk/file-reader.ts';
import { openImageFormat } from '../disk/formats/index.ts';
import { MBR_EXTENDED_TYPES } from '../disk/partition-types.ts';
import { readPartitionTable } from '../disk/partitions.ts';
import { bufferReader } from '../disk/buffer-reader.ts';
import { readVolumeGroups } from '../disk/lvm/volume-groups.ts';
import type { DeclaredImage, FormatInfo, LogicalVolumePlace, OpenDisk, OpenedDisk, OpenedFileSystem, PartitionEntry, PartitionTable, RangeReader, VolumeGroupLayout } from '../disk/types.ts';
import { openExtFs } from './ext4/index.ts';
import { openXfs } from './xfs/index.ts';

const EXT_KINDS = new Set(['ext2', 'ext3', 'ext4']);

const formatUnreadable: Phrase<[reason: Localized]> = {
  en: (reason) => `The image format could not be read: ${reason.en}`,
  de: (reason) => `Das Format des Images konnte nicht gelesen werden: ${reason.de}`,
};
const fileSystemUnidentified: Phrase<[reason: Localized]> = {
  en: (reason) => `The file system could not be identified: ${reason.en}`,
  de: (reason) => `Das Dateisystem konnte nicht bestimmt werden: ${reason.de}`,
};

export const openDisk: OpenDisk = async (path, declared) => {
  const file = await openFileReader(path);
  try {
    return { path, ...(await readDisk(file.reader, declared)), close: file.close };
  } catch (error) {
    await file.close();
    throw error;
  }
};

export type DiskContents = Pick<OpenedDisk, 'info' | 'disk' | 'diskReadable' | 'table' | 'fileSystems' | 'volumeGroups'>;

/**
 * Everything `openDisk` reads, over any reader of the whole image file (a file, or bytes in
 * memory). Never throws for a corrupt image: what is wrong is in `info.problems`,
 * `table.problems` and each file system's `problem`.
 */
export async function readDisk(image: RangeReader, declared: DeclaredImage = {}): Promise<DiskContents> {
  const { info, disk } = await readFormat(image, declared);
  if (!disk) return { info, disk: bufferReader(Buffer.alloc(0)), diskReadable: false, table: { scheme: 'none', partitions: [], problems: [] }, fileSystems: [], volumeGroups: [] };
  const table = await readPartitionTable(disk);
  const { fileSystems, volumeGroups } = await openLogicalVolumes(await openFileSystems(disk, table));
  return { info, disk, diskReadable: true, table, fileSystems, volumeGroups };
}

async function readFormat(reader: RangeReader, declared: DeclaredImage): Promise<{ info: FormatInfo; disk: RangeReader | null }> {
  try {
    return await openImageFormat(reader, declared);
  } catch (error) {
    if (!isVmarketError(error)) throw error;
    const info: FormatInfo = { format: 'unknown', fileSize: reader.size, virtualSize: 0, footer: null, problems: [say(formatUnreadable, errorText(error))], refusals: [], details: {} };
    return { info, disk: null };
  }
}

/** A file system with the bytes it was opened from (the LVM layer reads its physical volumes' again). */
interface OpenedRange {
  entry: OpenedFileSystem;
  reader: RangeReader;
}

async function openFileSystems(disk: RangeReader, table: PartitionTable): Promise<OpenedRange[]> {
  if (table.scheme === 'none') {
    const whole = await openFileSystem(disk, null);
    return whole.kind === 'unknown' ? [] : [{ entry: whole, reader: disk }];
  }
  const opened: OpenedRange[] = [];
  const ranges: { start: number; end: number }[] = [];
  for (const partition of table.partitions) {
    if (partition.scheme === 'mbr' && MBR_EXTENDED_TYPES.has(Number(partition.type))) continue;
    // A partition that starts beyond the disk has no bytes to read (the table lists the problem).
    if (partition.startByte >= disk.size) continue;
    const length = Math.min(partition.sizeBytes, disk.size - partition.startByte);
    // Each byte of the disk is opened (and scanned) at most once: a table listing one file system
    // under thousands of overlapping entries multiplied the work by their number. The overlap is
    // the table's problem (image.partitions fails); only the first of the partitions is read.
    const range = { start: partition.startByte, end: partition.startByte + length };
    if (ranges.some((r) => range.start < r.end && r.start < range.end)) continue;
    ranges.push(range);
    const reader = disk.slice(partition.startByte, length);
    opened.push({ entry: await openFileSystem(reader, partition), reader });
  }
  return opened;
}

/**
 * The partitions that are LVM physical volumes become their volume groups: each logical volume
 * that can be read is opened like a partition and listed after the partitions. A PV whose label
 * or metadata is broken keeps the reason as its `problem`.
 */
async function openLogicalVolumes(opened: OpenedRange[]): Promise<{ fileSystems: OpenedFileSystem[]; volumeGroups: VolumeGroupLayout[] }> {
  const fileSystems = opened.map((o) => o.entry);
  const pvs = opened.filter((o) => o.entry.kind === 'lvm');
  if (pvs.length === 0) return { fileSystems, volumeGroups: [] };
  const found = await readVolumeGroups(pvs.map((pv) => ({ reader: pv.reader, partition: pv.entry.partition })));
  for (const [i, pv] of pvs.entries()) {
    const problem = found.pvProblems[i];
    if (problem) pv.entry.problem = problem;
  }
  for (const volume of found.volumes) {
    const place: LogicalVolumePlace = { group: volume.group, name: volume.name, pvPartitions: volume.pvPartitions };
    fileSystems.push(await openFileSystem(volume.reader, null, place));
  }
  return { fileSystems, volumeGroups: found.groups };
}

async function openFileSystem(part: RangeReader, partition: PartitionEntry | null, volume?: LogicalVolumePlace): Promise<OpenedFileSystem> {
  let detected;
  try {
    detected = await detectFileSystem(part);
  } catch (error) {
    if (!isVmarketError(error)) throw error;
    return { partition, kind: 'unknown', fs: null, problem: say(fileSystemUnidentified, errorText(error)), ...(volume ? { volume } : {}) };
  }
  const base = { partition, ...detected, ...(volume ? { volume } : {}) };
  const open = EXT_KINDS.has(detected.kind) ? openExtFs : detected.kind === 'xfs' ? openXfs : null;
  if (open === null) return { ...base, fs: null };
  try {
    return { ...base, fs: await open(part) };
  } catch (error) {
    // the readers name the broken structure (inode, block, extent) in every language (fs/texts.ts)
    return { ...base, fs: null, problem: isVmarketError(error) ? errorText(error) : verbatim(error instanceof Error ? error.message : String(error)) };
  }
}
