/** /etc/shadow as the password checks see it: who has a usable hash, who an empty field. Never keeps a hash. */
import type { GuestFs } from '../fs/types.ts';
import { numberedLines, readText } from './guest-files.ts';

export type PasswordState = 'locked' | 'empty' | 'usable';

export interface ShadowEntry {
  name: string;
  state: PasswordState;
  line: number;
  /** The hash scheme (`$6$` SHA-512 …) for usable hashes, never the hash. */
  scheme: string;
}

export const SHADOW = '/etc/shadow';

/** `*`, `!`, `!!`, `!*` and any `!`-prefixed hash are locked; an empty field is no password at all. */
export function passwordState(field: string): PasswordState {
  if (field === '') return 'empty';
  if (field.startsWith('!') || field.startsWith('*')) return 'locked';
  return 'usable';
}

function scheme(field: string): string {
  const id = /^\$([^$]+)\$/.exec(field)?.[1];
  const names: Record<string, string> = { '1': 'MD5', '2a': 'bcrypt', '2b': 'bcrypt', '2y': 'bcrypt', '5': 'SHA-256', '6': 'SHA-512', y: 'yescrypt', gy: 'gost-yescrypt', '7': 'scrypt' };
  return id ? `$${id}$ ${names[id] ?? 'crypt'}` : 'DES crypt or unknown scheme';
}

/** Parsed /etc/shadow; null when the file is absent. */
export async function readShadow(fs: GuestFs): Promise<ShadowEntry[] | null> {
  const text = await readText(fs, SHADOW);
  if (text === null) return null;
  const entries: ShadowEntry[] = [];
  for (const { line, text: raw } of numberedLines(text)) {
    if (!raw.trim() || raw.startsWith('#')) continue;
    const fields = raw.split(':');
    if (fields.length < 2) continue;
    const state = passwordState(fields[1]);
    entries.push({ name: fields[0], state, line, scheme: state === 'usable' ? scheme(fields[1]) : '' });
  }
  return entries;
}
