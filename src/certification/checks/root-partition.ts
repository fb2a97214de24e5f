/** `linux.root-partition`: exactly one file system on the OS disk is the Linux root (mounted at `/`). */
import { formatList } from '../../i18n/format.ts';
import { fixed, type Localized, type Phrase, say } from '../../i18n/localized.ts';
import { describeFileSystem, onFileSystem } from './root.ts';
import type { CheckDefinition } from './types.ts';

const rootIs: Phrase<[fileSystem: Localized]> = {
  en: (fs) => `the root file system is ${fs.en}`,
  de: (fs) => `das Root-Dateisystem ist ${fs.de}`,
};
const noRoot: Phrase<[found: Localized]> = {
  en: (found) => `no file system on the OS disk is a Linux root: ${found.en}`,
  de: (found) => `kein Dateisystem auf dem Betriebssystemdatenträger ist ein Linux-Root: ${found.de}`,
};
const severalRoots: Phrase<[candidates: Localized[]]> = {
  en: (list) => `${list.length} file systems on the OS disk look like a Linux root: ${list.map((c) => c.en).join(', ')}`,
  de: (list) => `${list.length} Dateisysteme auf dem Betriebssystemdatenträger sehen wie ein Linux-Root aus: ${formatList(list.map((c) => c.de), 'de')}`,
};
const rootCandidate: Phrase<[on: Localized]> = {
  en: (on) => `root candidate ${on.en}`,
  de: (on) => `Root-Kandidat ${on.de}`,
};

export const rootPartition: CheckDefinition = {
  id: 'linux.root-partition',
  title: fixed('Exactly one root file system on the OS disk', 'Genau ein Root-Dateisystem auf dem Betriebssystemdatenträger'),
  severity: 'error',
  remediation: fixed(
    'Keep one ext4 root file system (with /etc/os-release) on the OS disk; remove leftover copies of other systems and move data to data disks.',
    'Behalten Sie genau ein ext4-Root-Dateisystem (mit /etc/os-release) auf dem Betriebssystemdatenträger; entfernen Sie übrig gebliebene Kopien anderer Systeme und verschieben Sie Daten auf Datenträger für Daten.',
  ),
  async run(context) {
    const { candidates, foundDescription } = context.rootSearch;
    if (candidates.length === 1) return { status: 'passed', message: say(rootIs, describeFileSystem(candidates[0])) };
    if (candidates.length === 0) {
      return { status: 'failed', message: say(noRoot, foundDescription), evidence: [{ image: 'os', detail: foundDescription }] };
    }
    return {
      status: 'failed',
      message: say(severalRoots, candidates.map(describeFileSystem)),
      evidence: candidates.map((c) => ({ image: 'os' as const, path: '/etc/os-release', detail: say(rootCandidate, onFileSystem(c)) })),
    };
  },
};
