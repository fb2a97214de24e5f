/** Small helpers the checks share for reading guest files: text lines, globbing, home dirs. */
import type { GuestFs } from '../fs/types.ts';

/** The file as UTF-8 text (first `maxBytes`), or null when it is absent or not a regular file. */
export async function readText(fs: GuestFs, path: string, maxBytes = 1024 * 1024): Promise<string | null> {
  const stat = await fs.stat(path).catch(() => null);
  if (!stat || stat.type !== 'file') return null;
  const data = await fs.readFile(path, maxBytes).catch(() => null);
  return data ? data.toString('utf8') : null;
}

/** Lines with their 1-based numbers. */
export function numberedLines(text: string): { line: number; text: string }[] {
  return text.split(/\r?\n/).map((t, i) => ({ line: i + 1, text: t }));
}

export async function isFile(fs: GuestFs, path: string): Promise<boolean> {
  const stat = await fs.stat(path).catch(() => null);
  return stat?.type === 'file';
}

export async function listDir(fs: GuestFs, path: string): Promise<string[]> {
  const stat = await fs.stat(path).catch(() => null);
  if (!stat || stat.type !== 'dir') return [];
  const entries = await fs.readdir(path).catch(() => []);
  return entries.map((e) => e.name).sort();
}

type GlobToken = { kind: 'star' } | { kind: 'one'; matches: (c: string) => boolean };

function globTokens(pattern: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (c === '?') tokens.push({ kind: 'one', matches: (x) => x !== '/' });
    else if (c === '[' && pattern.indexOf(']', i + 2) >= 0) {
      const end = pattern.indexOf(']', i + 2);
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      const ranges: [string, string][] = [];
      for (let j = 0; j < body.length; j++) {
        if (body[j + 1] === '-' && j + 2 < body.length) {
          ranges.push([body[j], body[j + 2]]);
          j += 2;
        } else ranges.push([body[j], body[j]]);
      }
      tokens.push({ kind: 'one', matches: (x) => x !== '/' && ranges.some(([lo, hi]) => lo <= x && x <= hi) !== negate });
      i = end;
    } else tokens.push({ kind: 'one', matches: (x) => x === c });
  }
  return tokens;
}

/**
 * A matcher for a shell-style pattern (`*`, `?`, `[...]`) of one path component. Not a regular
 * expression: the pattern comes from the guest (sshd `Include`), and `*a*a*a…` as a regex
 * backtracks exponentially over a long name. This is the wildcard match of glob(3) that retries
 * only from the last `*`, O(pattern × name).
 */
export function componentMatcher(pattern: string): (name: string) => boolean {
  const tokens = globTokens(pattern);
  // like glob(3), a leading wildcard does not match hidden files
  const hiddenOk = pattern.startsWith('.');
  return (name) => {
    if (!hiddenOk && name.startsWith('.')) return false;
    let t = 0;
    let n = 0;
    let starAt = -1;
    let resumeAt = 0;
    while (n < name.length) {
      const token = tokens[t];
      if (token?.kind === 'one' && token.matches(name[n])) {
        t++;
        n++;
      } else if (token?.kind === 'star') {
        starAt = t++;
        resumeAt = n;
      } else if (starAt >= 0 && name[resumeAt] !== '/') {
        t = starAt + 1;
        n = ++resumeAt;
      } else return false;
    }
    while (tokens[t]?.kind === 'star') t++;
    return t === tokens.length;
  };
}

const hasMagic = (s: string) => /[*?[]/.test(s);

/** Expands an absolute glob inside the guest: matches in lexical order, as glob(3) sorts them. */
export async function expandGlob(fs: GuestFs, pattern: string): Promise<string[]> {
  const parts = pattern.split('/').filter(Boolean);
  let current = ['/'];
  for (const part of parts) {
    const next: string[] = [];
    for (const dir of current) {
      const join = (name: string) => (dir === '/' ? `/${name}` : `${dir}/${name}`);
      if (!hasMagic(part)) {
        next.push(join(part));
        continue;
      }
      const matches = componentMatcher(part);
      for (const name of await listDir(fs, dir)) if (matches(name)) next.push(join(name));
    }
    current = next;
  }
  const existing: string[] = [];
  for (const path of current) if (await fs.stat(path).catch(() => null)) existing.push(path);
  return existing.sort();
}

export interface PasswdEntry {
  name: string;
  password: string;
  uid: number;
  home: string;
  line: number;
}

export async function readPasswd(fs: GuestFs): Promise<PasswdEntry[]> {
  const text = await readText(fs, '/etc/passwd');
  if (!text) return [];
  const entries: PasswdEntry[] = [];
  for (const { line, text: raw } of numberedLines(text)) {
    if (!raw.trim() || raw.startsWith('#')) continue;
    const fields = raw.split(':');
    if (fields.length < 6) continue;
    entries.push({ name: fields[0], password: fields[1], uid: Number(fields[2]), home: fields[5], line });
  }
  return entries;
}

/** `/root` and every directory under `/home`, plus the homes /etc/passwd names for real users. */
export async function homeDirectories(fs: GuestFs): Promise<string[]> {
  const homes = new Set<string>(['/root']);
  for (const name of await listDir(fs, '/home')) homes.add(`/home/${name}`);
  for (const entry of await readPasswd(fs)) {
    if (entry.uid >= 1000 && entry.home.startsWith('/') && entry.home !== '/' && entry.home !== '/nonexistent') homes.add(entry.home);
  }
  const existing: string[] = [];
  for (const home of homes) {
    const stat = await fs.stat(home).catch(() => null);
    if (stat?.type === 'dir') existing.push(home);
  }
  return existing.sort();
}
