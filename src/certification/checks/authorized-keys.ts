/**
 * `linux.authorized-keys`: no `authorized_keys`/`authorized_keys2` file holds a key — anywhere on
 * any file system (the malware pass notes every such file by name) plus the locations sshd's
 * AuthorizedKeysFile names for each account.
 */
import type { GuestFs } from '../fs/types.ts';
import { formatNumber } from '../../i18n/format.ts';
import { fixed, type Phrase, say } from '../../i18n/localized.ts';
import type { ImageRole } from '../types.ts';
import { sshdConfigOf } from './common.ts';
import { numberedLines, readPasswd, readText } from './guest-files.ts';
import type { CheckDefinition, FoundEvidence } from './types.ts';

const keyOfType: Phrase<[type: string, comment: string]> = {
  en: (type, comment) => `${type} key${comment ? ` (${comment})` : ''}`,
  de: (type, comment) => `${type}-Schlüssel${comment ? ` (${comment})` : ''}`,
};
const keysIn: Phrase<[count: number, paths: string[]]> = {
  en: (n, paths) => `${n} authorized key${n === 1 ? '' : 's'} in ${paths.join(', ')}`,
  de: (n, paths) => `${formatNumber(n, 'de')} ${n === 1 ? 'autorisierter' : 'autorisierte'} Schlüssel in ${paths.join(', ')}`,
};
const filesWithoutKeys: Phrase<[count: number]> = {
  en: (n) => `${n} authorized_keys file${n === 1 ? '' : 's'} found, none holds a key`,
  de: (n) => `${formatNumber(n, 'de')} authorized_keys-${n === 1 ? 'Datei' : 'Dateien'} gefunden, keine enthält einen Schlüssel`,
};
const NO_FILE = fixed('no authorized_keys file', 'keine authorized_keys-Datei');
/** Keys in files a package installed unchanged outside the publisher's trees (test data, examples): information. */
const packagedKeys: Phrase<[count: number, files: string[]]> = {
  en: (n, files) => `no authorized key left by the publisher; ${n} in unchanged package files: ${files.join(', ')}`,
  de: (n, files) => `kein vom Herausgeber hinterlassener autorisierter Schlüssel; ${formatNumber(n, 'de')} in unveränderten Paketdateien: ${files.join(', ')}`,
};

const KEY_LINE = /(^|[\s,"])(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp\d+|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com|ssh-(rsa|ed25519)-cert-v01@openssh\.com)\s+[A-Za-z0-9+/]{16,}={0,3}(\s|$)/;

/** Lines (1-based) that hold a public key, options and comments allowed. */
export function keyLines(text: string): { line: number; type: string; comment: string }[] {
  const keys = [];
  for (const { line, text: raw } of numberedLines(text)) {
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const match = KEY_LINE.exec(trimmed);
    if (!match) continue;
    const after = trimmed.slice((match.index ?? 0) + match[0].length).trim();
    keys.push({ line, type: match[2], comment: after.slice(0, 60) });
  }
  return keys;
}

/** AuthorizedKeysFile patterns resolved for each account (`%h`, `%u`, `%%`; relative to the home). */
async function configuredLocations(root: GuestFs, patterns: string[]): Promise<string[]> {
  const paths = new Set<string>();
  for (const account of await readPasswd(root)) {
    for (const pattern of patterns) {
      if (pattern.toLowerCase() === 'none') continue;
      const expanded = pattern.replace(/%(.)/g, (all, c: string) => (c === 'h' ? account.home : c === 'u' ? account.name : c === '%' ? '%' : all));
      paths.add(expanded.startsWith('/') ? expanded : `${account.home.replace(/\/$/, '')}/${expanded}`);
    }
  }
  return [...paths];
}

export const authorizedKeys: CheckDefinition = {
  id: 'linux.authorized-keys',
  title: fixed('No SSH authorized keys left in the image', 'Keine SSH-Schlüssel in authorized_keys im Image'),
  severity: 'error',
  remediation: fixed(
    'Delete every authorized_keys file (`rm -f /root/.ssh/authorized_keys /home/*/.ssh/authorized_keys*`); keys are provisioned at deployment.',
    'Löschen Sie jede authorized_keys-Datei (`rm -f /root/.ssh/authorized_keys /home/*/.ssh/authorized_keys*`); Schlüssel werden bei der Bereitstellung eingerichtet.',
  ),
  async run(context) {
    const files: { image: ImageRole; lun?: number; path: string; fs: GuestFs; packaged?: { package: string } }[] = [...context.scan.authorizedKeysFiles];
    const root = context.rootSearch.root;
    if (root) {
      const config = await sshdConfigOf(context, root);
      for (const path of await configuredLocations(root, config.get('AuthorizedKeysFile').value.split(/\s+/).filter(Boolean))) {
        if (!files.some((f) => f.image === 'os' && f.fs === root && f.path === path)) files.push({ image: 'os', path, fs: root });
      }
    }
    const evidence: FoundEvidence[] = [];
    const packaged: FoundEvidence[] = [];
    const packagedFiles: string[] = [];
    let read = 0;
    for (const file of files) {
      const text = await readText(file.fs, file.path);
      if (text === null) continue;
      read++;
      const keys = keyLines(text);
      if (file.packaged && keys.length) packagedFiles.push(`${file.packaged.package} ${file.path}`);
      for (const key of keys) {
        (file.packaged ? packaged : evidence).push({ image: file.image, ...(file.lun === undefined ? {} : { lun: file.lun }), path: file.path, line: key.line, detail: say(keyOfType, key.type, key.comment) });
      }
    }
    if (evidence.length) return { status: 'failed', message: say(keysIn, evidence.length, [...new Set(evidence.map((e) => e.path ?? ''))]), evidence };
    if (packaged.length) return { status: 'passed', message: say(packagedKeys, packaged.length, packagedFiles), evidence: packaged };
    return { status: 'passed', message: read ? say(filesWithoutKeys, read) : NO_FILE };
  },
};
