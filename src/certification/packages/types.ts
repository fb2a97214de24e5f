/**
 * What a guest's package managers say is installed, read straight from their databases without
 * running any code from the guest: dpkg (`/var/lib/dpkg/status`, `info/*.list`, `info/*.md5sums`)
 * and rpm (SQLite, BerkeleyDB hash `Packages`, ndb `Packages.db`). The checks use it to tell a
 * distribution's own unmodified files from what a publisher left behind; the SBOM (issue 13)
 * lists the packages.
 */
import type { Localized } from '../../i18n/localized.ts';

export type PackageManager = 'dpkg' | 'rpm';

/** rpm's PGPHASHALGO names in lower case; dpkg's md5sums are md5. */
export type DigestAlgorithm = 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export interface FileDigest {
  algorithm: DigestAlgorithm;
  /** Lower-case hex. */
  hex: string;
}

export interface PackageFileRecord {
  /** Absolute guest path as the package installed it (`/usr/lib/x86_64-linux-gnu/libgnutls.so.30.34.3`). */
  path: string;
  /** null where the database keeps none: directories, symlinks, rpm %ghost files, dpkg files missing from md5sums. */
  digest: FileDigest | null;
  /** dpkg conffile or rpm %config: the administrator is expected to change it, so a changed digest is no finding. */
  config: boolean;
}

export interface InstalledPackage {
  manager: PackageManager;
  name: string;
  /** dpkg: `[epoch:]upstream[-revision]`; rpm: `[epoch:]version-release`. */
  version: string;
  /** `amd64`, `x86_64`, `noarch`, `all` … as the database says. */
  architecture: string;
  /** dpkg `Source:` (the package's own name when absent); rpm the SOURCERPM's name. */
  sourcePackage?: string;
  /** dpkg `Source: name (version)`'s version (the package's own when absent); rpm the SOURCERPM's `version-release` with the binary's epoch. What vulnerability databases that name source packages compare (Debian, Ubuntu). */
  sourceVersion?: string;
  files: PackageFileRecord[];
}

export interface PackageDatabase {
  manager: PackageManager;
  /** Where it was read (`/var/lib/dpkg`, `/var/lib/rpm/rpmdb.sqlite`, `/var/lib/rpm/Packages`, `/usr/lib/sysimage/rpm/Packages.db`). */
  path: string;
  /** `dpkg`, `rpm-sqlite`, `rpm-bdb`, `rpm-ndb`. */
  format: string;
  packages: InstalledPackage[];
  /** What could not be read (one broken header, a missing md5sums file …), one sentence each, in every language. */
  problems: Localized[];
}
