/** `linux.os-release`: /etc/os-release exists and its ID/VERSION_ID are on the operator's supported list. */
import { DEFAULT_SUPPORTED_OS } from '../../config/defaults.ts';
import { readText } from './guest-files.ts';
import type { CheckDefinition } from './types.ts';

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

/** A listed version matches exactly, or — when it has no dot (`9`, `15`) — on the major version (`9.4`, `15.5`). */
export function versionSupported(version: string, supported: string[]): boolean {
  return supported.some((v) => v === version || (!v.includes('.') && version.split('.')[0] === v));
}

export const osRelease: CheckDefinition = {
  id: 'linux.os-release',
  title: 'The operating system is a supported Linux distribution',
  severity: 'error',
  remediation: 'Use a supported distribution and version (the operator\'s list), with an ext2/3/4 root file system that vmarket can read, and keep /etc/os-release in place.',
  async run(context) {
    const { root, foundDescription } = context.rootSearch;
    if (!root) {
      return { status: 'failed', message: `no readable Linux root file system with /etc/os-release: ${foundDescription}`, evidence: [{ image: 'os', detail: foundDescription }] };
    }
    const text = await readText(root, '/etc/os-release');
    if (text === null) return { status: 'failed', message: '/etc/os-release is missing', evidence: [{ image: 'os', path: '/etc/os-release', detail: 'missing' }] };
    const values = parseOsRelease(text);
    const id = values.ID ?? '';
    const version = values.VERSION_ID ?? '';
    const supported = context.config.supportedOs ?? DEFAULT_SUPPORTED_OS;
    const entry = supported.find((s) => s.id === id);
    const name = values.PRETTY_NAME || `${id} ${version}`;
    const evidence = [{ image: 'os' as const, path: '/etc/os-release', detail: `ID=${id} VERSION_ID=${version}` }];
    if (!entry) return { status: 'failed', message: `${name}: the distribution "${id}" is not supported (supported: ${supported.map((s) => s.id).join(', ')})`, evidence };
    if (!versionSupported(version, entry.versions)) {
      return { status: 'failed', message: `${name}: version "${version}" of ${id} is not supported (supported: ${entry.versions.join(', ')})`, evidence };
    }
    return { status: 'passed', message: `${name} (ID=${id}, VERSION_ID=${version})`, evidence };
  },
};
