/**
 * Installed packages from the guest's package databases: dpkg's `status` file, the RPM database
 * as SQLite (RHEL 9+, Fedora, current SUSE: `rpmdb.sqlite`) and, for older RPM systems, the
 * BerkeleyDB `Name` index.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Localized, type Phrase, say } from '../../i18n/localized.ts';
import type { GuestFs } from '../fs/types.ts';
import { isFile } from './guest-files.ts';

const unreadable: Phrase<[file: string, reason: string]> = {
  en: (file, reason) => `${file} could not be read: ${reason}`,
  de: (file, reason) => `${file} konnte nicht gelesen werden: ${reason}`,
};

export interface InstalledPackages {
  /** Names of installed packages per database that could be read completely. */
  names: Set<string>;
  /** Where names were read from (`/var/lib/dpkg/status` …). */
  sources: string[];
  /** Package names found by a byte search in a BerkeleyDB RPM index (see `bdbContains`). */
  bdbPath: string | null;
  /** Databases that exist but could not be read, with the reason. */
  problems: Localized[];
}

export const DPKG_STATUS = '/var/lib/dpkg/status';
const RPM_SQLITE = ['/var/lib/rpm/rpmdb.sqlite', '/usr/lib/sysimage/rpm/rpmdb.sqlite'];
const RPM_BDB_NAME = ['/var/lib/rpm/Name', '/usr/lib/sysimage/rpm/Name'];
/** A real dpkg status is 1–5 MB; more than this is not a status file. */
const DPKG_STATUS_LIMIT = 64 * 1024 * 1024;

async function readWhole(fs: GuestFs, file: string, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of fs.stream(file)) {
    total += chunk.length;
    if (total > limit) throw new Error(`${file} is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Package names whose stanza says `Status: install ok installed`. */
export function parseDpkgStatus(text: string): Set<string> {
  const names = new Set<string>();
  for (const stanza of text.split(/\n\s*\n/)) {
    const name = /^Package:\s*(\S+)/m.exec(stanza)?.[1];
    const status = /^Status:\s*(.+)$/m.exec(stanza)?.[1]?.trim();
    if (name && status && /^install ok installed$/.test(status)) names.add(name);
  }
  return names;
}

/**
 * Names in an RPM SQLite database. rpm's sqlite backend keeps the headers in `Packages` and one
 * index table per tag (`Name(key, hnum, idx)`); `Name` lists exactly the installed packages. The
 * database is copied out of the guest (with its WAL, if any) because SQLite opens files only.
 */
async function readRpmSqlite(fs: GuestFs, file: string): Promise<Set<string>> {
  const { DatabaseSync } = await import('node:sqlite');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmarket-rpmdb-'));
  try {
    const local = path.join(dir, 'rpmdb.sqlite');
    await writeFile(local, await readWhole(fs, file, 1024 * 1024 * 1024));
    if (await isFile(fs, `${file}-wal`)) await writeFile(`${local}-wal`, await readWhole(fs, `${file}-wal`, 1024 * 1024 * 1024));
    const db = new DatabaseSync(local);
    try {
      const rows = db.prepare('SELECT DISTINCT key FROM Name').all() as { key: unknown }[];
      return new Set(rows.map((r) => String(r.key)));
    } finally {
      db.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function readInstalledPackages(fs: GuestFs): Promise<InstalledPackages> {
  const result: InstalledPackages = { names: new Set(), sources: [], bdbPath: null, problems: [] };
  if (await isFile(fs, DPKG_STATUS)) {
    try {
      for (const name of parseDpkgStatus((await readWhole(fs, DPKG_STATUS, DPKG_STATUS_LIMIT)).toString('utf8'))) result.names.add(name);
      result.sources.push(DPKG_STATUS);
    } catch (error) {
      result.problems.push(say(unreadable, DPKG_STATUS, (error as Error).message));
    }
  }
  for (const file of RPM_SQLITE) {
    if (!(await isFile(fs, file))) continue;
    try {
      for (const name of await readRpmSqlite(fs, file)) result.names.add(name);
      result.sources.push(file);
    } catch (error) {
      result.problems.push(say(unreadable, file, (error as Error).message));
    }
    break; // /var/lib/rpm is a symlink to /usr/lib/sysimage/rpm on current systems: one database
  }
  for (const file of RPM_BDB_NAME) {
    if (await isFile(fs, file)) {
      result.bdbPath = file;
      break;
    }
  }
  return result;
}

/**
 * Whether a BerkeleyDB RPM `Name` index holds `name`. Parsing BerkeleyDB hash pages is not worth
 * it for a presence test: the index's keys are the package names as plain bytes, so a byte
 * search for the name followed by a non-name byte is acceptable (a false positive would need
 * another package whose name starts with it and is followed by a separator byte).
 */
export async function bdbContains(fs: GuestFs, file: string, name: string): Promise<boolean> {
  const needle = Buffer.from(name);
  const nameByte = (b: number | undefined) => b !== undefined && /[A-Za-z0-9._+-]/.test(String.fromCharCode(b));
  let tail = Buffer.alloc(0);
  for await (const chunk of fs.stream(file)) {
    const data = Buffer.concat([tail, chunk]);
    for (let at = data.indexOf(needle); at >= 0; at = data.indexOf(needle, at + 1)) {
      if (!nameByte(data[at - 1]) && (at + needle.length >= data.length || !nameByte(data[at + needle.length]))) return true;
    }
    tail = data.subarray(Math.max(0, data.length - needle.length - 1));
  }
  return false;
}

/** The first of `names` installed according to the package databases, with where it was found. */
export async function findInstalled(fs: GuestFs, packages: InstalledPackages, names: string[]): Promise<{ name: string; source: string } | null> {
  for (const name of names) {
    if (packages.names.has(name)) return { name, source: packages.sources.join(', ') };
  }
  if (packages.bdbPath) {
    for (const name of names) if (await bdbContains(fs, packages.bdbPath, name)) return { name, source: packages.bdbPath };
  }
  return null;
}
