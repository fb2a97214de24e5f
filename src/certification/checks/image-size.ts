/** `image.size`: whole MiB, 20 MiB ≤ virtual size ≤ 1023 GiB, and the file is the virtual size plus the 512-byte footer. */
import type { Evidence } from '../types.ts';
import type { CheckDefinition } from './types.ts';

const MIB = 1024 * 1024;
export const MIN_SIZE = 20 * MIB;
export const MAX_SIZE = 1023 * 1024 * MIB;

export function sizeProblems(virtualSize: number, fileSize: number, isVhd: boolean): string[] {
  const problems: string[] = [];
  if (virtualSize % MIB !== 0) problems.push(`the virtual size ${virtualSize} bytes is not a whole number of MiB`);
  if (virtualSize < MIN_SIZE) problems.push(`the virtual size ${virtualSize} bytes is under 20 MiB`);
  if (virtualSize > MAX_SIZE) problems.push(`the virtual size ${virtualSize} bytes is over 1023 GiB`);
  if (fileSize !== virtualSize + 512) {
    problems.push(isVhd ? `the file is ${fileSize} bytes, not the virtual size plus 512 (${virtualSize + 512})` : `the file is ${fileSize} bytes, not the virtual size plus a 512-byte VHD footer`);
  }
  return problems;
}

export const imageSize: CheckDefinition = {
  id: 'image.size',
  title: 'Disk sizes are whole MiB between 20 MiB and 1023 GiB',
  severity: 'error',
  remediation: 'Resize the disk to a whole number of MiB between 20 MiB and 1023 GiB (`qemu-img resize -f raw disk.raw 30G`) before converting it to a fixed VHD with `force_size=on`.',
  async run(context) {
    const evidence: Evidence[] = [];
    for (const { role, lun, disk } of context.disks) {
      const { info } = disk;
      for (const problem of sizeProblems(info.virtualSize, info.fileSize, info.format.startsWith('vhd'))) {
        evidence.push({ image: role, ...(lun === null ? {} : { lun }), detail: problem });
      }
    }
    if (evidence.length === 0) {
      return { status: 'passed', message: context.disks.map((d) => `${d.role === 'os' ? 'os' : `data lun ${d.lun}`}: ${d.disk.info.virtualSize / MIB} MiB`).join(', ') };
    }
    return { status: 'failed', message: evidence.map((e) => e.detail).join('; '), evidence };
  },
};
