/**
 * The systemd units a guest starts at boot, read from its unit files (no systemd run): from
 * `default.target`, every unit it pulls in through `Wants=`/`Requires=` (in the unit file and its
 * `.d/*.conf` drop-ins) and through `<unit>.wants/`/`<unit>.requires/` directories, the way
 * `systemctl enable` records them. Masked units (linked to /dev/null) are not started. Bounded:
 * the unit files come from the image, so at most MAX_UNITS units are visited and each file is
 * read up to 64 KiB.
 */
import type { GuestFs } from '../fs/types.ts';
import { listDir, readText } from './guest-files.ts';

/** Where systemd looks for units, the administrator's first (it overrides the vendor's). */
const UNIT_DIRS = ['/etc/systemd/system', '/run/systemd/system', '/usr/local/lib/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system'];
const DEPENDENCY_KEYS = new Set(['wants', 'requires', 'requisite', 'bindsto', 'upholds']);
const MAX_UNITS = 2000;
const UNIT_FILE_BYTES = 64 * 1024;

export interface Unit {
  name: string;
  /** The unit file read (for the evidence). */
  path: string;
  /** Lower-case keys → their values in file order (drop-ins after the unit file). */
  settings: Map<string, string[]>;
  /** The unit this name is a symlink to (`default.target` → `multi-user.target`): its links count too. */
  aliasOf?: string;
}

/** `Key=Value` lines of a unit file; sections are ignored (the keys used here are unique to theirs). */
function parseUnit(text: string, into: Map<string, string[]>): void {
  let continued = '';
  for (const raw of text.split('\n')) {
    const line = continued + raw.trimEnd();
    if (line.endsWith('\\')) {
      continued = `${line.slice(0, -1)} `;
      continue;
    }
    continued = '';
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith(';') || trimmed.startsWith('[')) continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) continue;
    const key = trimmed.slice(0, eq).trim().toLowerCase();
    const values = into.get(key) ?? [];
    values.push(trimmed.slice(eq + 1).trim());
    into.set(key, values);
  }
}

/** `foo@bar.service` → `foo@.service`: an instance reads its template's file. */
function templateOf(name: string): string | null {
  const at = name.indexOf('@');
  const dot = name.lastIndexOf('.');
  return at > 0 && dot > at + 1 ? `${name.slice(0, at + 1)}${name.slice(dot)}` : null;
}

export class UnitGraph {
  readonly #root: GuestFs;
  readonly #units = new Map<string, Unit | null>();
  readonly #masked = new Set<string>();

  constructor(root: GuestFs) {
    this.#root = root;
  }

  /** A unit by name (the first directory that has it; an instance falls back to its template); null when absent or masked. */
  async unit(name: string): Promise<Unit | null> {
    if (this.#units.has(name)) return this.#units.get(name) ?? null;
    let found: Unit | null = null;
    for (const candidate of [name, templateOf(name)].filter((n): n is string => n !== null)) {
      for (const dir of UNIT_DIRS) {
        const path = `${dir}/${candidate}`;
        const link = await this.#root.lstat(path).catch(() => null);
        if (!link) continue;
        const target = link.type === 'symlink' ? await this.#root.readlink(path).catch(() => '') : '';
        if (target === '/dev/null') {
          this.#masked.add(name);
          this.#units.set(name, null);
          return null;
        }
        const alias = target.slice(target.lastIndexOf('/') + 1);
        const text = await readText(this.#root, path, UNIT_FILE_BYTES);
        if (text === null) continue;
        const settings = new Map<string, string[]>();
        parseUnit(text, settings);
        for (const dropInDir of UNIT_DIRS) {
          for (const file of (await listDir(this.#root, `${dropInDir}/${name}.d`)).filter((f) => f.endsWith('.conf'))) {
            parseUnit((await readText(this.#root, `${dropInDir}/${name}.d/${file}`, UNIT_FILE_BYTES)) ?? '', settings);
          }
        }
        found = { name, path, settings, ...(alias && alias !== candidate ? { aliasOf: alias } : {}) };
        break;
      }
      if (found) break;
    }
    this.#units.set(name, found);
    return found;
  }

  /** The units a unit pulls in: its dependency settings and its `.wants/`/`.requires/` links. */
  async #dependencies(name: string, unit: Unit | null): Promise<string[]> {
    const names: string[] = [];
    for (const [key, values] of unit?.settings ?? []) if (DEPENDENCY_KEYS.has(key)) for (const value of values) names.push(...value.split(/\s+/).filter(Boolean));
    if (unit?.aliasOf) names.push(unit.aliasOf);
    const template = templateOf(name);
    for (const dir of UNIT_DIRS) {
      for (const owner of template ? [name, template] : [name]) {
        for (const kind of ['wants', 'requires']) names.push(...(await listDir(this.#root, `${dir}/${owner}.${kind}`)));
      }
    }
    return names;
  }

  /** Every unit started at boot (present and not masked), in the order found. */
  async startedAtBoot(): Promise<Unit[]> {
    const started: Unit[] = [];
    const seen = new Set<string>();
    const defaultTarget = await this.unit('default.target');
    const queue = defaultTarget ? ['default.target'] : ['multi-user.target', 'graphical.target'];
    while (queue.length && seen.size < MAX_UNITS) {
      const name = queue.shift()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const unit = await this.unit(name);
      // a target may have no file of its own and still collect links in its .wants directory
      if (unit) started.push(unit);
      else if (this.#masked.has(name) || !name.endsWith('.target')) continue;
      for (const next of await this.#dependencies(name, unit)) if (!seen.has(next)) queue.push(next);
    }
    return started;
  }
}
