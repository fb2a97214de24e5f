/** `image.partitions`: a readable MBR or GPT, partitions inside the disk, no overlaps, the first one at 1 MiB or later. */
import type { PartitionTable } from '../disk/types.ts';
import type { Evidence } from '../types.ts';
import type { CheckDefinition } from './types.ts';

const MIB = 1024 * 1024;

/** Problems of one disk's table; `requireTable` for the OS disk (data disks may hold a bare file system). */
export function partitionProblems(table: PartitionTable, diskSize: number, requireTable: boolean): string[] {
  const problems = [...table.problems];
  if (table.scheme === 'none') {
    if (requireTable && problems.length === 0) problems.push('no readable MBR or GPT partition table');
    return problems;
  }
  const sorted = [...table.partitions].sort((a, b) => a.startByte - b.startByte);
  for (const p of sorted) {
    if (p.startByte < 0 || p.startByte + p.sizeBytes > diskSize) {
      const text = `partition ${p.number} (bytes ${p.startByte}..${p.startByte + p.sizeBytes}) lies outside the disk (${diskSize} bytes)`;
      if (!problems.some((q) => q.startsWith(`partition ${p.number} `) && q.includes('outside'))) problems.push(text);
    }
  }
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1], sorted[i]];
    // an MBR extended container holds its logical partitions: not an overlap
    if (a.typeName.toLowerCase().includes('extended') || b.typeName.toLowerCase().includes('extended')) continue;
    if (b.startByte < a.startByte + a.sizeBytes && !problems.some((q) => q.includes('overlap'))) {
      problems.push(`partitions ${a.number} and ${b.number} overlap`);
    }
  }
  const first = sorted[0];
  if (first && first.startByte < MIB) problems.push(`the first partition (${first.number}) starts at byte ${first.startByte}, before 1 MiB`);
  if (sorted.length === 0 && requireTable) problems.push(`the ${table.scheme.toUpperCase()} partition table holds no partition`);
  return problems;
}

export const imagePartitions: CheckDefinition = {
  id: 'image.partitions',
  title: 'Partition tables are valid and aligned',
  severity: 'error',
  remediation: 'Partition the OS disk with an MBR or GPT whose partitions lie inside the disk, do not overlap and start at 1 MiB or later (e.g. `parted -a optimal`).',
  async run(context) {
    const evidence: Evidence[] = [];
    for (const { role, lun, disk } of context.disks) {
      for (const problem of partitionProblems(disk.table, disk.disk.size, role === 'os')) {
        evidence.push({ image: role, ...(lun === null ? {} : { lun }), detail: problem });
      }
    }
    if (evidence.length === 0) {
      const os = context.disks[0].disk.table;
      return { status: 'passed', message: `the OS disk has a valid ${os.scheme.toUpperCase()} with ${os.partitions.length} partition${os.partitions.length === 1 ? '' : 's'}` };
    }
    return { status: 'failed', message: evidence.map((e) => e.detail).join('; '), evidence };
  },
};
