/** `image.partitions`: a readable MBR or GPT, partitions inside the disk, no overlaps, the first one at 1 MiB or later; LVM volume groups readable whole, with only linear and striped logical volumes. */
import { formatNumber } from '../../i18n/format.ts';
import { fixed, join, type Localized, type Phrase, say } from '../../i18n/localized.ts';
import type { OpenedDisk, PartitionTable, VolumeGroupLayout } from '../disk/types.ts';
import { diskProblems } from './common.ts';
import { diskPlace, onDiskPlace, placeOf } from './root.ts';
import type { CheckDefinition } from './types.ts';

const MIB = 1024 * 1024;

const NO_TABLE = fixed('no readable MBR or GPT partition table', 'keine lesbare MBR- oder GPT-Partitionstabelle');
const outsideDisk: Phrase<[partition: number, start: number, end: number, diskSize: number]> = {
  en: (n, start, end, size) => `partition ${n} (bytes ${start}..${end}) lies outside the disk (${size} bytes)`,
  de: (n, start, end, size) => `Partition ${n} (Byte ${start}..${end}) liegt außerhalb des Datenträgers (${formatNumber(size, 'de')} Byte)`,
};
const overlap: Phrase<[a: number, b: number]> = {
  en: (a, b) => `partitions ${a} and ${b} overlap`,
  de: (a, b) => `die Partitionen ${a} und ${b} überlappen sich`,
};
const startsEarly: Phrase<[partition: number, start: number]> = {
  en: (n, start) => `the first partition (${n}) starts at byte ${start}, before 1 MiB`,
  de: (n, start) => `die erste Partition (${n}) beginnt bei Byte ${start}, vor 1 MiB`,
};
const emptyTable: Phrase<[scheme: string]> = {
  en: (scheme) => `the ${scheme} partition table holds no partition`,
  de: (scheme) => `die ${scheme}-Partitionstabelle enthält keine Partition`,
};
const validTable: Phrase<[scheme: string, partitions: number]> = {
  en: (scheme, n) => `the OS disk has a valid ${scheme} with ${n} partition${n === 1 ? '' : 's'}`,
  de: (scheme, n) => `der Betriebssystemdatenträger hat eine gültige ${scheme}-Partitionstabelle mit ${formatNumber(n, 'de')} ${n === 1 ? 'Partition' : 'Partitionen'}`,
};

const pvUnreadable: Phrase<[place: Localized, problem: Localized]> = {
  en: (place, problem) => `the LVM physical volume ${place.en} could not be read: ${problem.en}`,
  de: (place, problem) => `das physische LVM-Volume ${place.de} konnte nicht gelesen werden: ${problem.de}`,
};
const groupSummary: Phrase<[vg: string, pvs: Localized, lvs: string[]]> = {
  en: (vg, pvs, lvs) => `volume group ${vg} (${pvs.en}) with logical volume${lvs.length === 1 ? '' : 's'} ${lvs.join(', ') || 'none'}`,
  de: (vg, pvs, lvs) => `Volume-Gruppe ${vg} (${pvs.de}) mit ${lvs.length === 1 ? 'dem logischen Volume' : 'den logischen Volumes'} ${lvs.join(', ') || 'keine'}`,
};

/** The LVM problems of one disk: physical volumes whose label or metadata is broken, and each volume group's. */
export function volumeProblems(disk: Pick<OpenedDisk, 'fileSystems' | 'volumeGroups'>): Localized[] {
  const problems: Localized[] = [];
  for (const f of disk.fileSystems) if (f.kind === 'lvm' && f.problem) problems.push(say(pvUnreadable, say(onDiskPlace, placeOf(f)), f.problem));
  for (const vg of disk.volumeGroups) problems.push(...vg.problems);
  return problems;
}

/** `volume group rhel (partition 2, partition 3) with logical volumes root, swap`, for the passing message. */
function describeGroup(vg: VolumeGroupLayout): Localized {
  const pvs = join(vg.pvs.map((pv) => say(diskPlace, pv.partition ?? null)), ', ');
  return say(groupSummary, vg.name, pvs, vg.lvs.map((lv) => lv.name));
}

/** Problems of one disk's table; `requireTable` for the OS disk (data disks may hold a bare file system). */
export function partitionProblems(table: PartitionTable, diskSize: number, requireTable: boolean): Localized[] {
  const problems = [...table.problems];
  if (table.scheme === 'none') {
    if (requireTable && problems.length === 0) problems.push(NO_TABLE);
    return problems;
  }
  const sorted = [...table.partitions].sort((a, b) => a.startByte - b.startByte);
  for (const p of sorted) {
    if (p.startByte < 0 || p.startByte + p.sizeBytes > diskSize) {
      // the reader may have said so already ("Partition 3 (…) ends beyond the end of the disk")
      const said = new RegExp(`^partition ${p.number} .*\\b(outside|beyond)\\b`, 'i');
      if (!problems.some((q) => said.test(q.en))) problems.push(say(outsideDisk, p.number, p.startByte, p.startByte + p.sizeBytes, diskSize));
    }
  }
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1], sorted[i]];
    // an MBR extended container holds its logical partitions: not an overlap
    if (a.typeName.toLowerCase().includes('extended') || b.typeName.toLowerCase().includes('extended')) continue;
    if (b.startByte < a.startByte + a.sizeBytes && !problems.some((q) => q.en.includes('overlap'))) problems.push(say(overlap, a.number, b.number));
  }
  const first = sorted[0];
  if (first && first.startByte < MIB) problems.push(say(startsEarly, first.number, first.startByte));
  if (sorted.length === 0 && requireTable) problems.push(say(emptyTable, table.scheme.toUpperCase()));
  return problems;
}

export const imagePartitions: CheckDefinition = {
  id: 'image.partitions',
  title: fixed('Partition tables are valid and aligned', 'Die Partitionstabellen sind gültig und ausgerichtet'),
  severity: 'error',
  remediation: fixed(
    'Partition the OS disk with an MBR or GPT whose partitions lie inside the disk, do not overlap and start at 1 MiB or later (e.g. `parted -a optimal`).',
    'Partitionieren Sie den Betriebssystemdatenträger mit einer MBR- oder GPT-Partitionstabelle, deren Partitionen innerhalb des Datenträgers liegen, sich nicht überlappen und bei 1 MiB oder später beginnen (z. B. mit `parted -a optimal`).',
  ),
  async run(context) {
    const evidence = diskProblems(context, ({ role, disk }) => [...partitionProblems(disk.table, disk.disk.size, role === 'os'), ...volumeProblems(disk)]);
    if (evidence.length === 0) {
      const os = context.disks[0].disk;
      const table = say(validTable, os.table.scheme.toUpperCase(), os.table.partitions.length);
      return { status: 'passed', message: join([table, ...os.volumeGroups.map(describeGroup)], '; ') };
    }
    return { status: 'failed', message: join(evidence.map((e) => e.detail), '; '), evidence };
  },
};
