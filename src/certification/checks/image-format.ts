/** `image.format`: every disk must be a fixed VHD with a valid footer (cookie `conectix`, disk type 2, checksum). */
import { formatNumber } from '../../i18n/format.ts';
import { fixed, join, type Localized, type Phrase, say } from '../../i18n/localized.ts';
import type { ImageFormat } from '../types.ts';
import { diskProblems } from './common.ts';
import type { CheckDefinition } from './types.ts';

const notFixedVhd: Phrase<[format: ImageFormat]> = {
  en: (format) => `the disk is ${format === 'unknown' ? 'in an unknown format' : `a ${format} image`}, not a fixed VHD`,
  de: (format) => `der Datenträger ist ${format === 'unknown' ? 'in einem unbekannten Format' : `ein ${format}-Image`}, keine feste VHD`,
};
const allFixed: Phrase<[disks: number]> = {
  en: (n) => `${n === 1 ? 'the disk is a fixed VHD' : `all ${n} disks are fixed VHDs`} with a valid footer`,
  de: (n) => `${n === 1 ? 'der Datenträger ist eine feste VHD' : `alle ${formatNumber(n, 'de')} Datenträger sind feste VHDs`} mit gültigem Footer`,
};
const notValid: Phrase<[problems: Localized[]]> = {
  en: (problems) => `${problems.length === 1 ? 'a disk is' : 'disks are'} not a valid fixed VHD: ${join(problems, '; ').en}`,
  de: (problems) => `${problems.length === 1 ? 'ein Datenträger ist keine gültige feste VHD' : 'Datenträger sind keine gültigen festen VHDs'}: ${join(problems, '; ').de}`,
};

export const imageFormat: CheckDefinition = {
  id: 'image.format',
  title: fixed('Disk images are fixed VHDs', 'Die Disk-Images sind feste VHDs'),
  severity: 'error',
  remediation: fixed(
    'Convert each disk to a fixed-size VHD, e.g. `qemu-img convert -f qcow2 -O vpc -o subformat=fixed,force_size=on disk.qcow2 disk.vhd`.',
    'Konvertieren Sie jeden Datenträger in eine VHD fester Größe, z. B. mit `qemu-img convert -f qcow2 -O vpc -o subformat=fixed,force_size=on disk.qcow2 disk.vhd`.',
  ),
  async run(context) {
    const evidence = diskProblems(context, ({ disk: { info } }) => {
      const valid = info.format === 'vhd-fixed' && info.footer?.diskType === 2 && info.footer.checksumValid;
      return info.problems.length === 0 && !valid ? [say(notFixedVhd, info.format)] : [...info.problems];
    });
    if (evidence.length === 0) return { status: 'passed', message: say(allFixed, context.disks.length) };
    return { status: 'failed', message: say(notValid, evidence.map((e) => e.detail)), evidence };
  },
};
