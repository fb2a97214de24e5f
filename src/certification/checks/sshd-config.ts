/**
 * The effective global sshd configuration, read the way sshd reads it: keywords are
 * case-insensitive, the first obtained value wins, `Include` expands globs (relative paths are
 * relative to /etc/ssh) in place in lexical order, and a `Match` block ends the global section
 * (inside an included file only until that file ends, as sshd restores the state after an
 * include). Values unset anywhere fall back to sshd's compiled-in defaults.
 */
import type { GuestFs } from '../fs/types.ts';
import { type Localized, type Phrase, say, verbatim } from '../../i18n/localized.ts';
import { expandGlob, numberedLines, readText } from './guest-files.ts';

export interface SshdSetting {
  value: string;
  /** Where it was set; absent for a default. */
  path?: string;
  line?: number;
}

export interface SshdConfig {
  /** Lower-case keyword → first value obtained. */
  settings: Map<string, SshdSetting>;
  /** Every file read, in order. */
  files: string[];
  get(keyword: string): SshdSetting;
}

export const SSHD_CONFIG = '/etc/ssh/sshd_config';

/** OpenSSH's defaults for the keywords the checks read (servconf.c, OpenSSH ≥ 7.0). */
export const SSHD_DEFAULTS: Record<string, string> = {
  passwordauthentication: 'yes',
  permitrootlogin: 'prohibit-password',
  clientaliveinterval: '0',
  authorizedkeysfile: '.ssh/authorized_keys .ssh/authorized_keys2',
};

const MAX_INCLUDE_DEPTH = 16;
/**
 * Files read per configuration, counting each Include again. The depth alone bounds nothing: a
 * file that includes itself on k lines is read k^16 times. Real configurations read a handful.
 */
const MAX_INCLUDED_FILES = 256;

/** Splits a config line into words: `Keyword value`, `Keyword=value`; double quotes group; a word starting with `#` starts a comment. */
export function splitSshdLine(line: string): string[] {
  const head = /^\s*([^\s=#]+)(?:\s*=\s*|\s+|$)(.*)$/.exec(line);
  if (!head) return [];
  const words = [head[1]];
  const rest = head[2];
  let i = 0;
  while (i < rest.length) {
    while (i < rest.length && /\s/.test(rest[i])) i++;
    if (i >= rest.length || rest[i] === '#') break;
    if (rest[i] === '"') {
      const end = rest.indexOf('"', i + 1);
      words.push(rest.slice(i + 1, end < 0 ? rest.length : end));
      i = end < 0 ? rest.length : end + 1;
    } else {
      let word = '';
      while (i < rest.length && !/\s/.test(rest[i])) word += rest[i++];
      words.push(word);
    }
  }
  return words;
}

export async function readSshdConfig(fs: GuestFs, mainPath = SSHD_CONFIG): Promise<SshdConfig> {
  const settings = new Map<string, SshdSetting>();
  const files: string[] = [];

  let reads = 0;
  async function parseFile(path: string, depth: number): Promise<void> {
    if (++reads > MAX_INCLUDED_FILES) return;
    const text = await readText(fs, path);
    if (text === null) return;
    files.push(path);
    for (const { line, text: raw } of numberedLines(text)) {
      const words = splitSshdLine(raw);
      if (words.length === 0) continue;
      const keyword = words[0].toLowerCase();
      if (keyword === 'match') return; // the rest of this file is conditional
      if (keyword === 'include') {
        if (depth >= MAX_INCLUDE_DEPTH) continue;
        for (const pattern of words.slice(1)) {
          const absolute = pattern.startsWith('/') ? pattern : `/etc/ssh/${pattern}`;
          for (const included of await expandGlob(fs, absolute)) await parseFile(included, depth + 1);
        }
        continue;
      }
      if (!settings.has(keyword) && words.length > 1) {
        settings.set(keyword, { value: words.slice(1).join(' '), path, line });
      }
    }
  }

  await parseFile(mainPath, 0);
  return {
    settings,
    files,
    get(keyword: string): SshdSetting {
      const key = keyword.toLowerCase();
      return settings.get(key) ?? { value: SSHD_DEFAULTS[key] ?? '' };
    },
  };
}

/** sshd's time format (`120`, `2m`, `1h30m`) in seconds; NaN when malformed. */
export function sshdSeconds(value: string): number {
  const units: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  const text = value.trim().toLowerCase();
  // a loop, not /^(\d+[smhdw]?)+$/: that nested quantifier backtracked exponentially over a
  // guest's `ClientAliveInterval 1111…1x` (30 digits: half a minute of a blocked event loop)
  let total = 0;
  let at = 0;
  if (text.length === 0) return Number.NaN;
  while (at < text.length) {
    const start = at;
    while (at < text.length && text[at] >= '0' && text[at] <= '9') at++;
    if (at === start) return Number.NaN;
    const unit = at < text.length && text[at] in units && text[at] !== '' ? text[at++] : '';
    total += Number(text.slice(start, at - unit.length)) * units[unit];
  }
  return total;
}

const unset: Phrase<[keyword: string, value: string]> = {
  en: (keyword, value) => `${keyword} unset: sshd's default ${value || '(none)'}`,
  de: (keyword, value) => `${keyword} nicht gesetzt: Standardwert von sshd ${value || '(keiner)'}`,
};

/** Where a setting came from, for evidence and messages. */
export function describeSetting(keyword: string, setting: SshdSetting): Localized {
  return setting.path ? verbatim(`${keyword} ${setting.value} (${setting.path}:${setting.line})`) : say(unset, keyword, setting.value);
}
