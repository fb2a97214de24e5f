/**
 * `image.readable`: every file of every image was read completely, within the read limits
 * (certification.limits). A file the scan could not read (a corrupt inode, overlapping extents,
 * an encrypted file) or stopped reading at a limit was not checked for malware or secrets, so the
 * image cannot pass on it: a crafted structure must fail the certification, not skip a file. An
 * encrypted (LUKS) partition or logical volume cannot be read at all and fails it too.
 */
import { formatNumber } from '../../i18n/format.ts';
import { fixed, join, type Localized, type Phrase, say } from '../../i18n/localized.ts';
import { type DiskPlace, diskPlace, placeOf } from './root.ts';
import type { CheckDefinition } from './types.ts';

/** Evidence shown per report; the message counts them all. */
const MAX_EVIDENCE = 20;

const notRead: Phrase<[limited: number, unreadable: number]> = {
  en: (limited, unreadable) =>
    `${limited} file${limited === 1 ? '' : 's'} stopped at a read limit and ${unreadable} file${unreadable === 1 ? '' : 's'} could not be read, so they were not checked`,
  de: (limited, unreadable) =>
    `${formatNumber(limited, 'de')} ${limited === 1 ? 'Datei endete' : 'Dateien endeten'} an einer Lesegrenze und ${formatNumber(unreadable, 'de')} ${unreadable === 1 ? 'Datei konnte' : 'Dateien konnten'} nicht gelesen werden; sie wurden daher nicht geprüft`,
};
const encrypted: Phrase<[place: DiskPlace, version: number | undefined]> = {
  en: (place, version) =>
    `${diskPlace.en(place)} is encrypted (LUKS${version ?? ''}); certification cannot read an encrypted disk; publish it unencrypted and let the platform encrypt the deployed disk`,
  de: (place, version) =>
    `${diskPlace.de(place)} ist verschlüsselt (LUKS${version ?? ''}); die Zertifizierung kann einen verschlüsselten Datenträger nicht lesen; veröffentlichen Sie ihn unverschlüsselt und lassen Sie die Plattform den bereitgestellten Datenträger verschlüsseln`,
};
const allRead: Phrase<[files: number]> = {
  en: (files) => `all ${files} files were read within the limits`,
  de: (files) => `alle ${formatNumber(files, 'de')} Dateien wurden innerhalb der Grenzen gelesen`,
};

export const imageReadable: CheckDefinition = {
  id: 'image.readable',
  title: fixed('Every file of every image can be read within the limits', 'Jede Datei jedes Images ist innerhalb der Grenzen lesbar'),
  severity: 'error',
  remediation: fixed(
    'Repair the file system (e2fsck -f) or rebuild the image from a clean source; files larger than the operator\'s limits (certification.limits) belong on a data disk the operator allows or outside the image.',
    'Reparieren Sie das Dateisystem (e2fsck -f) oder erstellen Sie das Image aus einer sauberen Quelle neu; Dateien über den Grenzen des Betreibers (certification.limits) gehören auf einen vom Betreiber erlaubten Datenträger oder nicht ins Image.',
  ),
  async run(context) {
    const { scan } = context;
    // An encrypted volume's files cannot be read at all: it is named first, in plain words.
    const locked = context.disks.flatMap(({ role, lun, disk }) =>
      disk.fileSystems
        .filter((f) => f.kind === 'luks')
        .map((f) => ({ image: role, ...(lun === null ? {} : { lun }), detail: say(encrypted, placeOf(f), f.luksVersion) })),
    );
    const problems: { image: 'os' | 'data'; lun?: number; path: string; reason: Localized }[] = [...scan.limits, ...scan.unreadable];
    if (locked.length === 0 && problems.length === 0) return { status: 'passed', message: say(allRead, scan.files) };
    const unread = problems.length > 0 ? [say(notRead, scan.limits.length, scan.unreadable.length)] : [];
    return {
      status: 'failed',
      message: join([...locked.map((l) => l.detail), ...unread], '; '),
      evidence: [
        ...locked,
        ...problems.slice(0, MAX_EVIDENCE).map((p) => ({ image: p.image, ...(p.lun === undefined ? {} : { lun: p.lun }), path: p.path, detail: p.reason })),
      ],
    };
  },
};
