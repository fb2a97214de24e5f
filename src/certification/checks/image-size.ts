/**
 * `image.size`. The `azure` profile: whole MiB, 20 MiB ≤ virtual size ≤ 1023 GiB, and the file is
 * the virtual size plus the 512-byte footer. The `standard` profile: a virtual disk of whole
 * 512-byte sectors between 1 MiB and 64 TiB (and a fixed VHD's file is its disk plus the footer).
 */
import { formatNumber } from '../../i18n/format.ts';
import { fixed, join, type Localized, type Phrase, say } from '../../i18n/localized.ts';
import { diskProblems } from './common.ts';
import type { CheckDefinition } from './types.ts';
import { dataLun } from './wording.ts';

const MIB = 1024 * 1024;
export const MIN_SIZE = 20 * MIB;
export const MAX_SIZE = 1023 * 1024 * MIB;
export const STANDARD_MIN_SIZE = MIB;
export const STANDARD_MAX_SIZE = 64 * 1024 * 1024 * MIB;
const SECTOR = 512;

const bytes = (n: number) => formatNumber(n, 'de');
const notWholeMib: Phrase<[size: number]> = {
  en: (size) => `the virtual size ${size} bytes is not a whole number of MiB`,
  de: (size) => `die virtuelle Größe von ${bytes(size)} Byte ist keine ganze Zahl von MiB`,
};
const underMinimum: Phrase<[size: number]> = {
  en: (size) => `the virtual size ${size} bytes is under 20 MiB`,
  de: (size) => `die virtuelle Größe von ${bytes(size)} Byte liegt unter 20 MiB`,
};
const overMaximum: Phrase<[size: number]> = {
  en: (size) => `the virtual size ${size} bytes is over 1023 GiB`,
  de: (size) => `die virtuelle Größe von ${bytes(size)} Byte liegt über 1023 GiB`,
};
const vhdFileSize: Phrase<[fileSize: number, expected: number]> = {
  en: (fileSize, expected) => `the file is ${fileSize} bytes, not the virtual size plus 512 (${expected})`,
  de: (fileSize, expected) => `die Datei ist ${bytes(fileSize)} Byte groß statt der virtuellen Größe plus 512 (${bytes(expected)})`,
};
const otherFileSize: Phrase<[fileSize: number]> = {
  en: (fileSize) => `the file is ${fileSize} bytes, not the virtual size plus a 512-byte VHD footer`,
  de: (fileSize) => `die Datei ist ${bytes(fileSize)} Byte groß statt der virtuellen Größe plus einem 512 Byte großen VHD-Footer`,
};
const notWholeSectors: Phrase<[size: number]> = {
  en: (size) => `the virtual size ${size} bytes is not a whole number of 512-byte sectors`,
  de: (size) => `die virtuelle Größe von ${bytes(size)} Byte ist keine ganze Zahl von 512-Byte-Sektoren`,
};
const underStandardMinimum: Phrase<[size: number]> = {
  en: (size) => `the virtual size ${size} bytes is under 1 MiB`,
  de: (size) => `die virtuelle Größe von ${bytes(size)} Byte liegt unter 1 MiB`,
};
const overStandardMaximum: Phrase<[size: number]> = {
  en: (size) => `the virtual size ${size} bytes is over 64 TiB`,
  de: (size) => `die virtuelle Größe von ${bytes(size)} Byte liegt über 64 TiB`,
};
const diskSize: Phrase<[lun: number | null, mib: number]> = {
  en: (lun, mib) => `${lun === null ? 'os' : dataLun.en(lun)}: ${mib} MiB`,
  de: (lun, mib) => `${lun === null ? 'Betriebssystemdatenträger' : dataLun.de(lun)}: ${formatNumber(mib, 'de')} MiB`,
};

export function sizeProblems(virtualSize: number, fileSize: number, isVhd: boolean): Localized[] {
  const problems: Localized[] = [];
  if (virtualSize % MIB !== 0) problems.push(say(notWholeMib, virtualSize));
  if (virtualSize < MIN_SIZE) problems.push(say(underMinimum, virtualSize));
  if (virtualSize > MAX_SIZE) problems.push(say(overMaximum, virtualSize));
  if (fileSize !== virtualSize + 512) problems.push(isVhd ? say(vhdFileSize, fileSize, virtualSize + 512) : say(otherFileSize, fileSize));
  return problems;
}

/** The `standard` profile's rules, for any format. */
export function standardSizeProblems(virtualSize: number, fileSize: number, format: string): Localized[] {
  const problems: Localized[] = [];
  if (virtualSize % SECTOR !== 0) problems.push(say(notWholeSectors, virtualSize));
  if (virtualSize < STANDARD_MIN_SIZE) problems.push(say(underStandardMinimum, virtualSize));
  if (virtualSize > STANDARD_MAX_SIZE) problems.push(say(overStandardMaximum, virtualSize));
  if (format === 'vhd-fixed' && fileSize !== virtualSize + 512) problems.push(say(vhdFileSize, fileSize, virtualSize + 512));
  return problems;
}

export const imageSize: CheckDefinition = {
  id: 'image.size',
  title: fixed('Disk sizes fit the marketplace\'s rules', 'Die Disk-Größen entsprechen den Regeln des Marktplatzes'),
  severity: 'error',
  remediation: fixed(
    'Resize the disk (`qemu-img resize disk.qcow2 30G`): to whole 512-byte sectors between 1 MiB and 64 TiB, or, where the marketplace applies Azure\'s rules, to a whole number of MiB between 20 MiB and 1023 GiB before converting it to a fixed VHD with `force_size=on`.',
    'Ändern Sie die Größe des Datenträgers (`qemu-img resize disk.qcow2 30G`): auf ganze 512-Byte-Sektoren zwischen 1 MiB und 64 TiB oder, wo der Marktplatz die Regeln von Azure anwendet, auf eine ganze Zahl von MiB zwischen 20 MiB und 1023 GiB, bevor Sie ihn mit `force_size=on` in eine feste VHD konvertieren.',
  ),
  async run(context) {
    const azure = context.config.profile === 'azure';
    const evidence = diskProblems(context, ({ disk: { info } }) =>
      azure ? sizeProblems(info.virtualSize, info.fileSize, info.format.startsWith('vhd')) : standardSizeProblems(info.virtualSize, info.fileSize, info.format),
    );
    if (evidence.length === 0) {
      return { status: 'passed', message: join(context.disks.map((d) => say(diskSize, d.role === 'os' ? null : d.lun, Math.round((d.disk.info.virtualSize / MIB) * 100) / 100)), ', ') };
    }
    return { status: 'failed', message: join(evidence.map((e) => e.detail), '; '), evidence };
  },
};
