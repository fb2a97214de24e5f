/**
 * `linux.package-files` (warning): the files the root's package databases own are as the packages
 * installed them. The malware pass hashes every owned file with a checksum while it reads it
 * (md5 for dpkg) and lists those that differ; config files (dpkg conffiles, rpm %config) are the
 * administrator's to change and never listed. A changed binary or library is either a local
 * patch the publisher should know about, or a compromise.
 */
import { formatNumber } from '../../i18n/format.ts';
import { fixed, type Phrase, say } from '../../i18n/localized.ts';
import type { ModifiedPackageFile } from '../malware/types.ts';
import { withRoot } from './common.ts';
import type { CheckDefinition } from './types.ts';

const unchanged: Phrase<[verified: number, databases: string[]]> = {
  en: (n, databases) => `${n} file${n === 1 ? '' : 's'} installed by packages compared with the checksums of ${databases.join(', ')}: none was changed`,
  de: (n, databases) => `${formatNumber(n, 'de')} von Paketen installierte ${n === 1 ? 'Datei' : 'Dateien'} mit den Prüfsummen aus ${databases.join(', ')} verglichen: keine wurde verändert`,
};
const changed: Phrase<[files: ModifiedPackageFile[], verified: number]> = {
  en: (files, verified) =>
    `${files.length} of ${verified} files installed by packages were changed: ${files.slice(0, 5).map((f) => `${f.path} (${f.package})`).join(', ')}${files.length > 5 ? ` and ${files.length - 5} more` : ''}`,
  de: (files, verified) =>
    `${formatNumber(files.length, 'de')} von ${formatNumber(verified, 'de')} von Paketen installierten Dateien wurden verändert: ${files.slice(0, 5).map((f) => `${f.path} (${f.package})`).join(', ')}${files.length > 5 ? ` und ${files.length - 5} weitere` : ''}`,
};
const changedDetail: Phrase<[file: ModifiedPackageFile]> = {
  en: (f) => `its ${f.algorithm} differs from the one package ${f.package} (${f.manager}) recorded`,
  de: (f) => `seine ${f.algorithm}-Prüfsumme weicht von der ab, die das Paket ${f.package} (${f.manager}) verzeichnet hat`,
};
const NO_DATABASE = fixed(
  'skipped: no package database with file checksums (dpkg) was found on the Linux root',
  'übersprungen: Auf dem Linux-Root wurde keine Paketdatenbank mit Prüfsummen der Dateien (dpkg) gefunden',
);

export const packageFiles: CheckDefinition = {
  id: 'linux.package-files',
  title: fixed('Files installed by packages are unchanged', 'Von Paketen installierte Dateien sind unverändert'),
  severity: 'warning',
  remediation: fixed(
    'Reinstall the packages whose files were changed (`apt-get install --reinstall PACKAGE`, `dnf reinstall PACKAGE`), or put local changes where they belong: configuration under /etc, local programs under /usr/local, and dpkg-divert for a replaced file.',
    'Installieren Sie die Pakete, deren Dateien verändert wurden, erneut (`apt-get install --reinstall PACKAGE`, `dnf reinstall PACKAGE`), oder legen Sie lokale Änderungen dorthin, wo sie hingehören: Konfiguration unter /etc, lokale Programme unter /usr/local und dpkg-divert für eine ersetzte Datei.',
  ),
  async run(context) {
    return withRoot(context, async () => {
      const { databases, verified, modified } = context.scan.packageFiles;
      if (databases.length === 0) return { status: 'skipped', message: NO_DATABASE };
      if (modified.length === 0) return { status: 'passed', message: say(unchanged, verified, databases) };
      return {
        status: 'warning',
        message: say(changed, modified, verified),
        evidence: modified.map((f) => ({ image: f.image, path: f.path, detail: say(changedDetail, f) })),
      };
    });
  },
};
