/**
 * `linux.authorized-keys`: no `authorized_keys`/`authorized_keys2` file holds a key — anywhere on
 * any file system (the malware pass notes every such file by name) plus the locations sshd's
 * AuthorizedKeysFile names for each account.
 */
import type { GuestFs } from '../fs/types.ts';
import type { Evidence, ImageRole } from '../types.ts';
import { sshdConfigOf } from './common.ts';
import { numberedLines, readPasswd, readText } from './guest-files.ts';
import type { CheckDefinition } from './types.ts';

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
  title: 'No SSH authorized keys left in the image',
  severity: 'error',
  remediation: 'Delete every authorized_keys file (`rm -f /root/.ssh/authorized_keys /home/*/.ssh/authorized_keys*`); keys are provisioned at deployment.',
  async run(context) {
    const files: { image: ImageRole; lun?: number; path: string; fs: GuestFs }[] = [...context.scan.authorizedKeysFiles];
    const root = context.rootSearch.root;
    if (root) {
      const config = await sshdConfigOf(context, root);
      for (const path of await configuredLocations(root, config.get('AuthorizedKeysFile').value.split(/\s+/).filter(Boolean))) {
        if (!files.some((f) => f.image === 'os' && f.fs === root && f.path === path)) files.push({ image: 'os', path, fs: root });
      }
    }
    const evidence: Evidence[] = [];
    let read = 0;
    for (const file of files) {
      const text = await readText(file.fs, file.path);
      if (text === null) continue;
      read++;
      for (const key of keyLines(text)) {
        evidence.push({ image: file.image, ...(file.lun === undefined ? {} : { lun: file.lun }), path: file.path, line: key.line, detail: `${key.type} key${key.comment ? ` (${key.comment})` : ''}` });
      }
    }
    if (evidence.length) return { status: 'failed', message: `${evidence.length} authorized key${evidence.length === 1 ? '' : 's'} in ${[...new Set(evidence.map((e) => e.path))].join(', ')}`, evidence };
    return { status: 'passed', message: read ? `${read} authorized_keys file${read === 1 ? '' : 's'} found, none holds a key` : 'no authorized_keys file' };
  },
};
