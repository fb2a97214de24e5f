/** /etc/shadow as the password checks see it: who has a usable hash, who an empty field. Never keeps a hash. */
import type { GuestFs } from '../fs/types.ts';
import { fixed, type Localized, verbatim } from '../../i18n/localized.ts';
import { numberedLines, readText } from './guest-files.ts';

export type PasswordState = 'locked' | 'empty' | 'usable';

export interface ShadowEntry {
  name: string;
  state: PasswordState;
  line: number;
  /** The hash scheme (`$6$` SHA-512 …) for usable hashes, never the hash; empty for the others. */
  scheme: Localized;
}

export const SHADOW = '/etc/shadow';

/** `*`, `!`, `!!`, `!*` and any `!`-prefixed hash are locked; an empty field is no password at all. */
export function passwordState(field: string): PasswordState {
  if (field === '') return 'empty';
  if (field.startsWith('!') || field.startsWith('*')) return 'locked';
  return 'usable';
}

const UNKNOWN_SCHEME = fixed('DES crypt or unknown scheme', 'DES-crypt oder unbekanntes Verfahren');
const NO_SCHEME = verbatim('');

function scheme(field: string): Localized {
  const id = /^\$([^$]+)\$/.exec(field)?.[1];
  const names: Record<string, string> = { '1': 'MD5', '2a': 'bcrypt', '2b': 'bcrypt', '2y': 'bcrypt', '5': 'SHA-256', '6': 'SHA-512', y: 'yescrypt', gy: 'gost-yescrypt', '7': 'scrypt' };
  // the scheme's id and name are the same in every language
  return id ? verbatim(`$${id}$ ${names[id] ?? 'crypt'}`) : UNKNOWN_SCHEME;
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
    entries.push({ name: fields[0], state, line, scheme: state === 'usable' ? scheme(fields[1]) : NO_SCHEME });
  }
  return entries;
}
