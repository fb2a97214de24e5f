/**
 * The installed rpm packages of a guest, read from whichever rpm database it has, without running
 * anything from the guest. rpm keeps it in `/usr/lib/sysimage/rpm` (current) or `/var/lib/rpm`
 * (older; on current systems a symlink to the former) as SQLite `rpmdb.sqlite`, ndb
 * `Packages.db` or BerkeleyDB `Packages`. When more than one is there (a converted system keeps
 * the old file) the one rpm itself would open is read: SQLite before ndb before BerkeleyDB,
 * which is the order in which distributions moved to them. One database is read once.
 *
 * A broken header skips that package with a problem sentence; a database that cannot be read at
 * all gives no packages and one problem. Nothing here throws for a damaged database.
 */
import { type CertificationLimits, DEFAULT_CERTIFICATION_LIMITS } from '../../../config/schema.ts';
import type { Localized } from '../../../i18n/localized.ts';
import type { GuestFs } from '../../fs/types.ts';
import type { InstalledPackage, PackageDatabase } from '../types.ts';
import { readBdbHeaders } from './bdb.ts';
import { reasonOf } from './errors.ts';
import { readGuestFile } from './guest-bytes.ts';
import { parseRpmHeader } from './header.ts';
import { readNdbHeaders } from './ndb.ts';
import { packageOf } from './package.ts';
import { readSqliteHeaders } from './sqlite.ts';
import type { StoredHeaders } from './stored.ts';
import { PUBKEY_PACKAGE } from './tags.ts';
import * as text from './texts.ts';

export const RPM_DB_DIRECTORIES = ['/usr/lib/sysimage/rpm', '/var/lib/rpm'] as const;

type RpmFormat = 'rpm-sqlite' | 'rpm-ndb' | 'rpm-bdb';

/** In the order rpm prefers them. */
const DATABASE_FILES: readonly { name: string; format: RpmFormat }[] = [
  { name: 'rpmdb.sqlite', format: 'rpm-sqlite' },
  { name: 'Packages.db', format: 'rpm-ndb' },
  { name: 'Packages', format: 'rpm-bdb' },
];

/** Problem sentences listed one by one per database; the rest are counted in one more. */
const MAX_LISTED_PROBLEMS = 50;

export interface FoundRpmDatabase {
  path: string;
  format: RpmFormat;
}

/** The database rpm would read, or null when the guest has none. */
export async function findRpmDatabase(fs: GuestFs): Promise<FoundRpmDatabase | null> {
  for (const { name, format } of DATABASE_FILES) {
    for (const dir of RPM_DB_DIRECTORIES) {
      const path = `${dir}/${name}`;
      const stat = await fs.stat(path).catch(() => null);
      if (stat?.type === 'file') return { path, format };
    }
  }
  return null;
}

export async function readRpmDatabase(fs: GuestFs, limits: CertificationLimits = DEFAULT_CERTIFICATION_LIMITS): Promise<PackageDatabase | null> {
  const found = await findRpmDatabase(fs);
  if (!found) return null;
  const database: PackageDatabase = { manager: 'rpm', path: found.path, format: found.format, packages: [], problems: [] };
  let stored: StoredHeaders;
  try {
    stored = await readStoredHeaders(fs, found, limits);
  } catch (error) {
    database.problems.push(text.databaseUnreadable(found.path, reasonOf(error)));
    return database;
  }
  const problems = new ProblemList(found.path);
  for (const skipped of stored.skipped) {
    problems.add(skipped.id === undefined ? text.recordSkipped(found.path, skipped.reason) : text.headerSkipped(found.path, skipped.id, skipped.reason));
  }
  if (stored.truncated) problems.add(text.databaseUnreadable(found.path, text.tooManyHeaders(limits.rpmRows)));
  let files = 0;
  let filesTruncated = false;
  for (const { id, blob } of stored.headers) {
    let decoded: ReturnType<typeof packageOf>;
    try {
      const header = parseRpmHeader(blob);
      decoded = packageOf(header, Math.max(0, limits.packageFiles - files));
    } catch (error) {
      problems.add(text.headerSkipped(found.path, id, reasonOf(error)));
      continue;
    }
    const pkg: InstalledPackage = decoded.package;
    if (pkg.name === PUBKEY_PACKAGE) continue;
    if (decoded.digestProblem) problems.add(text.digestsDropped(found.path, pkg.name, decoded.digestProblem));
    files += pkg.files.length;
    if (files >= limits.packageFiles && !filesTruncated && decoded.fileCount > pkg.files.length) {
      filesTruncated = true;
      problems.add(text.databaseUnreadable(found.path, text.tooManyFiles(limits.packageFiles)));
    }
    database.packages.push(pkg);
  }
  database.problems = problems.list();
  return database;
}

async function readStoredHeaders(fs: GuestFs, found: FoundRpmDatabase, limits: CertificationLimits): Promise<StoredHeaders> {
  switch (found.format) {
    case 'rpm-sqlite':
      return readSqliteHeaders(fs, found.path, limits.rpmDbBytes, limits.rpmRows);
    case 'rpm-ndb':
      return readNdbHeaders(await readGuestFile(fs, found.path, limits.rpmDbBytes), limits.rpmRows);
    case 'rpm-bdb':
      return readBdbHeaders(await readGuestFile(fs, found.path, limits.rpmDbBytes), limits.rpmRows);
  }
}

/** At most MAX_LISTED_PROBLEMS sentences, then one that counts the rest: a wrecked database does not flood the report. */
class ProblemList {
  readonly #file: string;
  readonly #listed: Localized[] = [];
  #more = 0;

  constructor(file: string) {
    this.#file = file;
  }

  add(problem: Localized): void {
    if (this.#listed.length < MAX_LISTED_PROBLEMS) this.#listed.push(problem);
    else this.#more++;
  }

  list(): Localized[] {
    return this.#more === 0 ? this.#listed : [...this.#listed, text.moreSkipped(this.#file, this.#more)];
  }
}
