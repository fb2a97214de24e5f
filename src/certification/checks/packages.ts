/**
 * Installed packages from the guest's package databases: dpkg's `status` file, the RPM database
 * as SQLite (RHEL 9+, Fedora, current SUSE: `rpmdb.sqlite`) and, for older RPM systems, the
 * BerkeleyDB `Name` index.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { type CertificationLimits, DEFAULT_CERTIFICATION_LIMITS } from '../../config/schema.ts';
import { type Localized, type Phrase, say } from '../../i18n/localized.ts';
import type { GuestFs } from '../fs/types.ts';
import { DPKG_STATUS, DPKG_STATUS_LIMIT, parseDpkgStatus } from '../packages/dpkg.ts';
import { readBounded } from '../packages/read.ts';
import type { PackageDatabase } from '../packages/types.ts';
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

export { DPKG_STATUS, parseDpkgStatus };
const RPM_SQLITE = ['/var/lib/rpm/rpmdb.sqlite', '/usr/lib/sysimage/rpm/rpmdb.sqlite'];
const RPM_BDB_NAME = ['/var/lib/rpm/Name', '/usr/lib/sysimage/rpm/Name'];
/** Package names are short (rpm and dpkg allow a few hundred bytes); longer keys are not names. */
const MAX_NAME_LENGTH = 256;

/** The whole file, refused past `limit` bytes (by its size before a byte is read). */
function readWhole(fs: GuestFs, file: string, limit: number): Promise<Buffer> {
  return readBounded(fs, file, limit);
}

/** Why an RPM SQLite database is refused before any query over it runs. */
const rpmRefusal = {
  notTable: (object: string, type: string) => `${object} is a ${type}, not a table`,
  virtualTable: (object: string) => `${object} is a virtual table, not a table`,
  computedColumn: (object: string, column: string) => `column ${column} of ${object} is computed, not stored`,
  noKey: (object: string) => `${object} has no column key`,
  tooManyRows: (object: string, rows: number) => `${object} lists more than ${rows} package names`,
};

/**
 * The columns of the one index table this reader queries, checked to be stored data: the
 * database is the publisher's, and a view, virtual table or generated column in it is code that
 * SQLite runs inside the server process (a `Name` view over a recursive CTE never ends).
 */
function checkNameTable(db: DatabaseSync): void {
  const object = 'Name';
  const row = db.prepare("SELECT type, sql FROM sqlite_schema WHERE name = ? COLLATE NOCASE AND type IN ('table', 'view')").get(object) as
    { type: string; sql: string | null } | undefined;
  if (!row) throw new Error(`${object}: no such table`);
  if (row.type !== 'table') throw new Error(rpmRefusal.notTable(object, row.type));
  if (/^\s*CREATE\s+VIRTUAL\b/i.test((row.sql ?? '').slice(0, 64))) throw new Error(rpmRefusal.virtualTable(object));
  const columns = db.prepare(`PRAGMA table_xinfo(${object})`).all() as { name: string; hidden: number }[];
  const computed = columns.find((c) => c.hidden !== 0);
  if (computed) throw new Error(rpmRefusal.computedColumn(object, computed.name));
  if (!columns.some((c) => c.name.toLowerCase() === 'key')) throw new Error(rpmRefusal.noKey(object));
}

/**
 * Names in an RPM SQLite database. rpm's sqlite backend keeps the headers in `Packages` and one
 * index table per tag (`Name(key, hnum, idx)`); `Name` lists exactly the installed packages. The
 * database is copied out of the guest (with its WAL, if any, each capped in size) because SQLite
 * opens files only, then opened read-only without extensions or trusted schema, `Name` checked to
 * be a plain table, and at most `limits.rpmRows` names read.
 */
async function readRpmSqlite(fs: GuestFs, file: string, limits: CertificationLimits): Promise<Set<string>> {
  const { DatabaseSync } = await import('node:sqlite');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmarket-rpmdb-'));
  try {
    const local = path.join(dir, 'rpmdb.sqlite');
    await writeFile(local, await readWhole(fs, file, limits.rpmDbBytes));
    if (await isFile(fs, `${file}-wal`)) await writeFile(`${local}-wal`, await readWhole(fs, `${file}-wal`, limits.rpmDbBytes));
    const db = new DatabaseSync(local, { readOnly: true, allowExtension: false });
    try {
      // functions in the schema (views, triggers, defaults) are not trusted to run: the file is the publisher's
      db.exec('PRAGMA trusted_schema = OFF; PRAGMA query_only = ON;');
      checkNameTable(db);
      const names = new Set<string>();
      const query = db.prepare('SELECT DISTINCT key FROM Name WHERE length(key) <= ? LIMIT ?');
      for (const row of query.iterate(MAX_NAME_LENGTH, limits.rpmRows + 1) as Iterable<{ key: unknown }>) {
        if (names.size >= limits.rpmRows) throw new Error(rpmRefusal.tooManyRows('Name', limits.rpmRows));
        names.add(String(row.key));
      }
      return names;
    } finally {
      db.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The installed packages' names. `dpkg` is the dpkg database when it was read already (for the
 * owned files of the malware pass); without it only the status file is read.
 */
export async function readInstalledPackages(fs: GuestFs, limits: CertificationLimits = DEFAULT_CERTIFICATION_LIMITS, dpkg?: PackageDatabase | null): Promise<InstalledPackages> {
  const result: InstalledPackages = { names: new Set(), sources: [], bdbPath: null, problems: [] };
  if (dpkg) {
    for (const name of dpkg.packages.map((p) => p.name)) result.names.add(name);
    result.sources.push(DPKG_STATUS);
  } else if (await isFile(fs, DPKG_STATUS)) {
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
      for (const name of await readRpmSqlite(fs, file, limits)) result.names.add(name);
      result.sources.push(file);
    } catch (error) {
      result.problems.push(say(unreadable, file, (error as Error).message));
    }
    break; // /var/lib/rpm is a symlink to /usr/lib/sysimage/rpm on current systems: one database
  }
  for (const file of RPM_BDB_NAME) {
    if (await isFile(fs, file)) {
      // bdbContains streams the whole index: a sparse file may claim terabytes
      const size = (await fs.stat(file))?.size ?? 0;
      if (size > limits.rpmDbBytes) result.problems.push(say(unreadable, file, `${file} is larger than ${limits.rpmDbBytes} bytes`));
      else result.bdbPath = file;
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
