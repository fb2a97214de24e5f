/** `linux.os-end-of-life`: the OS release still gets security updates, by the table in src/certification/end-of-life.ts. */
import { endOfLifeOf, isPastEndOfLife } from '../end-of-life.ts';
import { fixed, type Phrase, say } from '../../i18n/localized.ts';
import { withRoot } from './common.ts';
import { osReleaseOf } from './os-release.ts';
import type { CheckDefinition } from './types.ts';

const NO_OS_RELEASE = fixed('skipped: /etc/os-release is missing (see linux.os-release)', 'übersprungen: /etc/os-release fehlt (siehe linux.os-release)');
const unknownRelease: Phrase<[name: string]> = {
  en: (name) => `skipped: no end-of-life date is known for ${name} (the table in src/certification/end-of-life.ts)`,
  de: (name) => `übersprungen: Für ${name} ist kein Ende der Unterstützung bekannt (die Tabelle in src/certification/end-of-life.ts)`,
};
const pastEnd: Phrase<[name: string, date: string, source: string]> = {
  en: (name, date, source) => `${name} reached its end of life on ${date}: it receives no more security updates (${source})`,
  de: (name, date, source) => `${name} hat am ${date} das Ende seiner Unterstützung erreicht und erhält keine Sicherheitsupdates mehr (${source})`,
};
const supported: Phrase<[name: string, date: string, source: string]> = {
  en: (name, date, source) => `${name} receives security updates until ${date} (${source})`,
  de: (name, date, source) => `${name} erhält Sicherheitsupdates bis ${date} (${source})`,
};
const endDetail: Phrase<[id: string, version: string, date: string, source: string]> = {
  en: (id, version, date, source) => `ID=${id} VERSION_ID=${version}: end of life ${date} (${source})`,
  de: (id, version, date, source) => `ID=${id} VERSION_ID=${version}: Ende der Unterstützung ${date} (${source})`,
};

export const osEndOfLife: CheckDefinition = {
  id: 'linux.os-end-of-life',
  title: fixed('The operating system release still receives security updates', 'Die Version des Betriebssystems erhält noch Sicherheitsupdates'),
  severity: 'error',
  remediation: fixed(
    'Build the image from a release that is still supported (for Debian a release within its LTS period, for Ubuntu one within standard security maintenance, for RHEL and its rebuilds one within maintenance support), and upgrade before its end-of-life date.',
    'Bauen Sie das Image aus einer noch unterstützten Version (bei Debian einer Version innerhalb ihres LTS-Zeitraums, bei Ubuntu einer innerhalb der Standard-Sicherheitswartung, bei RHEL und seinen Nachbauten einer innerhalb der Wartungsphase) und aktualisieren Sie vor dem Ende der Unterstützung.',
  ),
  run: (context) =>
    withRoot(context, async (root) => {
      const values = await osReleaseOf(context, root);
      if (!values) return { status: 'skipped', message: NO_OS_RELEASE };
      const id = values.ID ?? '';
      const version = values.VERSION_ID ?? '';
      const name = values.PRETTY_NAME || `${id} ${version}`;
      const entry = endOfLifeOf(id, version);
      if (!entry) return { status: 'skipped', message: say(unknownRelease, name) };
      const evidence = [{ image: 'os' as const, path: '/etc/os-release', detail: say(endDetail, id, version, entry.endOfLife, entry.source) }];
      if (isPastEndOfLife(entry, context.now ?? new Date())) return { status: 'failed', message: say(pastEnd, name, entry.endOfLife, entry.source), evidence };
      return { status: 'passed', message: say(supported, name, entry.endOfLife, entry.source), evidence };
    }),
};
