/**
 * `image.format`: every disk is in a format the operator's policy accepts (default: every format
 * vmarket reads; the `azure` profile: fixed VHD only), its container is intact, and it is safe:
 * nothing the format readers refused (other files referenced, a format inside another, content
 * that is not the declared format; see disk/formats/).
 */
import { formatNumber } from '../../i18n/format.ts';
import { fixed, join, type Localized, type Phrase, say } from '../../i18n/localized.ts';
import { acceptedFormats } from '../policy.ts';
import type { ImageFormat } from '../types.ts';
import { diskProblems } from './common.ts';
import type { CheckDefinition } from './types.ts';

const notAccepted: Phrase<[format: ImageFormat, accepted: readonly string[]]> = {
  en: (format, accepted) => `the disk is ${format === 'unknown' ? 'in an unknown format' : `a ${format} image`}, and this marketplace accepts ${accepted.join(', ')}`,
  de: (format, accepted) => `der Datenträger ist ${format === 'unknown' ? 'in einem unbekannten Format' : `ein ${format}-Image`}, und dieser Marktplatz akzeptiert ${accepted.join(', ')}`,
};
const allAccepted: Phrase<[formats: string[]]> = {
  en: (formats) => `${formats.length === 1 ? `the disk is ${formats[0]}` : `all ${formats.length} disks are accepted formats (${formats.join(', ')})`}, intact and safe`,
  de: (formats) => `${formats.length === 1 ? `der Datenträger ist ${formats[0]}` : `alle ${formatNumber(formats.length, 'de')} Datenträger haben akzeptierte Formate (${formats.join(', ')})`}, unbeschädigt und sicher`,
};
const notValid: Phrase<[problems: Localized[]]> = {
  en: (problems) => `${problems.length === 1 ? 'a disk is' : 'disks are'} not accepted: ${join(problems, '; ').en}`,
  de: (problems) => `${problems.length === 1 ? 'ein Datenträger wird' : 'Datenträger werden'} nicht akzeptiert: ${join(problems, '; ').de}`,
};

export const imageFormat: CheckDefinition = {
  id: 'image.format',
  title: fixed('Disk images are in an accepted, safe format', 'Die Disk-Images haben ein akzeptiertes, sicheres Format'),
  severity: 'error',
  remediation: fixed(
    'Upload each disk as one self-contained file in an accepted format, e.g. `qemu-img convert -O qcow2 disk.img disk.qcow2` (no backing file, no external data file, one extent), named for its format; for a fixed VHD: `qemu-img convert -O vpc -o subformat=fixed,force_size=on disk.img disk.vhd`.',
    'Laden Sie jeden Datenträger als eine eigenständige Datei in einem akzeptierten Format hoch, z. B. `qemu-img convert -O qcow2 disk.img disk.qcow2` (ohne Backing-Datei, ohne externe Datendatei, mit einem Extent), benannt nach seinem Format; für eine feste VHD: `qemu-img convert -O vpc -o subformat=fixed,force_size=on disk.img disk.vhd`.',
  ),
  async run(context) {
    const accepted = acceptedFormats(context.config);
    const evidence = diskProblems(context, ({ disk: { info } }) => {
      const found = [...info.refusals, ...info.problems];
      // an unknown format is explained by what made it unknown; the policy sentence would only repeat it
      const explained = info.format === 'unknown' && found.length > 0;
      const policy = (accepted as readonly string[]).includes(info.format) || explained ? [] : [say(notAccepted, info.format, accepted)];
      return [...info.refusals, ...policy, ...info.problems];
    });
    if (evidence.length === 0) return { status: 'passed', message: say(allAccepted, context.disks.map((d) => d.disk.info.format)) };
    return { status: 'failed', message: say(notValid, evidence.map((e) => e.detail)), evidence };
  },
};
