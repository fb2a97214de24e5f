/**
 * Every package database of a guest root, read once per certification: the malware pass needs
 * the files they own, the checks the installed names: dpkg, then rpm (rpm/: SQLite, ndb or
 * BerkeleyDB, whichever the guest's rpm would read).
 */
import type { CertificationLimits } from '../../config/schema.ts';
import { errorText } from '../../errors.ts';
import { type Localized, say } from '../../i18n/localized.ts';
import type { GuestFs } from '../fs/types.ts';
import { DPKG_STATUS, readDpkgDatabase } from './dpkg.ts';
import { readRpmDatabase } from './rpm/index.ts';
import { fileUnreadable } from './texts.ts';
import type { PackageDatabase } from './types.ts';

export interface PackageDatabases {
  databases: PackageDatabase[];
  /** Databases that exist but could not be read at all, one sentence each. */
  problems: Localized[];
}

export async function readPackageDatabases(fs: GuestFs, limits: CertificationLimits): Promise<PackageDatabases> {
  const result: PackageDatabases = { databases: [], problems: [] };
  try {
    const dpkg = await readDpkgDatabase(fs, limits);
    if (dpkg) result.databases.push(dpkg);
  } catch (error) {
    result.problems.push(say(fileUnreadable, DPKG_STATUS, errorText(error)));
  }
  // never throws: what could not be read is in the database's problems
  const rpm = await readRpmDatabase(fs, limits);
  if (rpm) result.databases.push(rpm);
  return result;
}
