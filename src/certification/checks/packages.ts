/**
 * Installed package names as the checks ask for them ("is cloud-init installed?"), from every
 * package database of the guest (src/certification/packages/: dpkg, and rpm in its SQLite,
 * BerkeleyDB and ndb formats), read once per certification.
 */
import { type CertificationLimits, DEFAULT_CERTIFICATION_LIMITS } from '../../config/schema.ts';
import type { Localized } from '../../i18n/localized.ts';
import type { GuestFs } from '../fs/types.ts';
import { type PackageDatabases, readPackageDatabases } from '../packages/databases.ts';
import { DPKG_STATUS, parseDpkgStatus } from '../packages/dpkg.ts';

export interface InstalledPackages {
  /** Names of the installed packages of every database that could be read. */
  names: Set<string>;
  /** Where names were read from (`/var/lib/dpkg/status`, `/var/lib/rpm/rpmdb.sqlite` …). */
  sources: string[];
  /** Databases that exist but could not be read, with the reason. */
  problems: Localized[];
}

export { DPKG_STATUS, parseDpkgStatus };

/** The names in databases already read (the malware pass read them for the files they own). */
export function installedPackages(read: PackageDatabases): InstalledPackages {
  const result: InstalledPackages = { names: new Set(), sources: [], problems: [...read.problems] };
  for (const database of read.databases) {
    // a database none of whose packages could be read says why in its problems
    if (database.packages.length === 0) result.problems.push(...database.problems);
    if (database.packages.length === 0 && database.problems.length > 0) continue;
    for (const pkg of database.packages) result.names.add(pkg.name);
    result.sources.push(database.manager === 'dpkg' ? DPKG_STATUS : database.path);
  }
  return result;
}

/** The installed packages' names, reading the databases unless they were read already. */
export async function readInstalledPackages(fs: GuestFs, limits: CertificationLimits = DEFAULT_CERTIFICATION_LIMITS, read?: PackageDatabases): Promise<InstalledPackages> {
  return installedPackages(read ?? (await readPackageDatabases(fs, limits)));
}

/** The first of `names` installed according to the package databases, with where it was found. */
export function findInstalled(packages: InstalledPackages, names: string[]): { name: string; source: string } | null {
  for (const name of names) {
    if (packages.names.has(name)) return { name, source: packages.sources.join(', ') };
  }
  return null;
}
