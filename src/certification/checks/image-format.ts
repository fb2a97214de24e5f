/** `image.format`: every disk must be a fixed VHD with a valid footer (cookie `conectix`, disk type 2, checksum). */
import type { CheckDefinition } from './types.ts';
import type { Evidence } from '../types.ts';

export const imageFormat: CheckDefinition = {
  id: 'image.format',
  title: 'Disk images are fixed VHDs',
  severity: 'error',
  remediation: 'Convert each disk to a fixed-size VHD, e.g. `qemu-img convert -f qcow2 -O vpc -o subformat=fixed,force_size=on disk.qcow2 disk.vhd`.',
  async run(context) {
    const evidence: Evidence[] = [];
    for (const { role, lun, disk } of context.disks) {
      const { info } = disk;
      const valid = info.format === 'vhd-fixed' && info.footer?.diskType === 2 && info.footer.checksumValid;
      const problems = [...info.problems];
      if (!valid && problems.length === 0) {
        problems.push(`the disk is ${info.format === 'unknown' ? 'in an unknown format' : `a ${info.format} image`}, not a fixed VHD`);
      }
      for (const problem of problems) evidence.push({ image: role, ...(lun === null ? {} : { lun }), detail: problem });
    }
    if (evidence.length === 0) return { status: 'passed', message: `${context.disks.length === 1 ? 'the disk is a fixed VHD' : `all ${context.disks.length} disks are fixed VHDs`} with a valid footer` };
    return { status: 'failed', message: `${evidence.length === 1 ? 'a disk is' : 'disks are'} not a valid fixed VHD: ${evidence.map((e) => e.detail).join('; ')}`, evidence };
  },
};
