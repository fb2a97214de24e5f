/** `linux.os-release`: /etc/os-release exists and its ID/VERSION_ID are on the operator's supported list. */
import { DEFAULT_SUPPORTED_OS } from '../../config/defaults.ts';
import { readText } from './guest-files.ts';
import type { CheckContext, CheckDefinition } from './types.ts';
import type { GuestFs } from '../fs/types.ts';
import { fixed, type Localized, type Phrase, say } from '../../i18n/localized.ts';
import { MISSING } from './wording.ts';

const noReadableRoot: Phrase<[found: Localized]> = {
  en: (found) => `no readable Linux root file system with /etc/os-release: ${found.en}`,
  de: (found) => `kein lesbares Linux-Root-Dateisystem mit /etc/os-release: ${found.de}`,
};
const OS_RELEASE_MISSING = fixed('/etc/os-release is missing', '/etc/os-release fehlt');
const distributionUnsupported: Phrase<[name: string, id: string, supported: string[]]> = {
  en: (name, id, supported) => `${name}: the distribution "${id}" is not supported (supported: ${supported.join(', ')})`,
  de: (name, id, supported) => `${name}: Die Distribution „${id}“ wird nicht unterstützt (unterstützt: ${supported.join(', ')})`,
};
const versionUnsupported: Phrase<[name: string, id: string, version: string, supported: string[]]> = {
  en: (name, id, version, supported) => `${name}: version "${version}" of ${id} is not supported (supported: ${supported.join(', ')})`,
  de: (name, id, version, supported) => `${name}: Version „${version}“ von ${id} wird nicht unterstützt (unterstützt: ${supported.join(', ')})`,
};

/** KEY=value pairs of an os-release file (values unquoted). */
export function parseOsRelease(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const match = /^\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(raw);
    if (!match) continue;
    let value = match[2].trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) value = value.slice(1, -1);
    values[match[1]] = value.replace(/\\(.)/g, '$1');
  }
  return values;
}

/** The root's /etc/os-release as KEY=value pairs, read once per certification; null when it is missing. */
export function osReleaseOf(context: CheckContext, root: GuestFs): Promise<Record<string, string> | null> {
  return context.memo('os-release', async () => {
    const text = await readText(root, '/etc/os-release');
    return text === null ? null : parseOsRelease(text);
  });
}

/** A listed version matches exactly, or — when it has no dot (`9`, `15`) — on the major version (`9.4`, `15.5`). */
export function versionSupported(version: string, supported: string[]): boolean {
  return supported.some((v) => v === version || (!v.includes('.') && version.split('.')[0] === v));
}

export const osRelease: CheckDefinition = {
  id: 'linux.os-release',
  title: fixed('The operating system is a supported Linux distribution', 'Das Betriebssystem ist eine unterstützte Linux-Distribution'),
  severity: 'error',
  remediation: fixed(
    'Use a supported distribution and version (the operator\'s list), with an ext2/3/4 root file system that vmarket can read, and keep /etc/os-release in place.',
    'Verwenden Sie eine unterstützte Distribution und Version (laut der Liste des Betreibers) mit einem ext2/3/4-Root-Dateisystem, das vmarket lesen kann, und lassen Sie /etc/os-release an seinem Platz.',
  ),
  async run(context) {
    const { root, foundDescription } = context.rootSearch;
    if (!root) {
      return { status: 'failed', message: say(noReadableRoot, foundDescription), evidence: [{ image: 'os', detail: foundDescription }] };
    }
    const text = await readText(root, '/etc/os-release');
    if (text === null) return { status: 'failed', message: OS_RELEASE_MISSING, evidence: [{ image: 'os', path: '/etc/os-release', detail: MISSING }] };
    const values = parseOsRelease(text);
    const id = values.ID ?? '';
    const version = values.VERSION_ID ?? '';
    const supported = context.config.supportedOs ?? DEFAULT_SUPPORTED_OS;
    const entry = supported.find((s) => s.id === id);
    const name = values.PRETTY_NAME || `${id} ${version}`;
    const evidence = [{ image: 'os' as const, path: '/etc/os-release', detail: `ID=${id} VERSION_ID=${version}` }];
    if (!entry) return { status: 'failed', message: say(distributionUnsupported, name, id, supported.map((s) => s.id)), evidence };
    if (!versionSupported(version, entry.versions)) {
      return { status: 'failed', message: say(versionUnsupported, name, id, version, entry.versions), evidence };
    }
    return { status: 'passed', message: `${name} (ID=${id}, VERSION_ID=${version})`, evidence };
  },
};
