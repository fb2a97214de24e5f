/**
 * Which installed packages an ecosystem's index names as vulnerable. The OS release picks the
 * OSV ecosystems (`Debian:12`, `Ubuntu:22.04:LTS`, `AlmaLinux:9`, `Rocky Linux:9` …) and the
 * version ordering (dpkg's for Debian and Ubuntu, rpm's for the rpm distributions). Debian's and
 * Ubuntu's entries name source packages, so a dpkg package is matched by its source name and
 * source version; rpm entries name binary packages (matched by name and version, then by the
 * source RPM's name and version).
 */
import type { InstalledPackage } from '../certification/packages/types.ts';
import { compareDpkgVersions } from '../certification/packages/versions/dpkg.ts';
import { compareRpmVersions } from '../certification/packages/versions/rpm.ts';
import type { SeverityLevel } from './cvss.ts';
import type { IndexedVulnerability, RangeEvent } from './osv.ts';

export type VersionCompare = (a: string, b: string) => -1 | 0 | 1;

export interface OsEcosystems {
  /** Ecosystem names to look up, in order of preference. */
  ecosystems: string[];
  /** Name of the ordering (`dpkg`, `rpm`) and the function. */
  ordering: 'dpkg' | 'rpm';
  compare: VersionCompare;
}

/** The OSV ecosystems of an OS release (os-release ID and VERSION_ID), or null when OSV has none vmarket maps. */
export function ecosystemsFor(id: string, versionId: string): OsEcosystems | null {
  const major = versionId.split('.')[0];
  const dpkg = (ecosystems: string[]): OsEcosystems => ({ ecosystems, ordering: 'dpkg', compare: compareDpkgVersions });
  const rpm = (ecosystems: string[]): OsEcosystems => ({ ecosystems, ordering: 'rpm', compare: compareRpmVersions });
  switch (id) {
    case 'debian':
      return major ? dpkg([`Debian:${major}`]) : null;
    case 'ubuntu':
      // LTS releases are `Ubuntu:22.04:LTS`, the others `Ubuntu:24.10`
      return versionId ? dpkg([`Ubuntu:${versionId}:LTS`, `Ubuntu:${versionId}`]) : null;
    case 'almalinux':
      return major ? rpm([`AlmaLinux:${major}`]) : null;
    case 'rocky':
      return major ? rpm([`Rocky Linux:${major}`]) : null;
    case 'opensuse-leap':
      return versionId ? rpm([`openSUSE:Leap ${versionId}`]) : null;
    default:
      return null;
  }
}

export interface Finding {
  package: InstalledPackage;
  /** The name and version the entry was matched on (the source package's for Debian and Ubuntu). */
  matchedName: string;
  matchedVersion: string;
  vulnerability: IndexedVulnerability;
  /** The version that fixes it (the range's next `fixed` above the installed one); absent when there is no fix. */
  fixedVersion?: string;
}

/** Whether `version` is in the range, and the fix that ends the stretch it is in (OSV's evaluation of ECOSYSTEM events). */
export function inRange(version: string, events: RangeEvent[], compare: VersionCompare): { affected: boolean; fixed?: string } {
  const key = (e: RangeEvent) => e.introduced ?? e.fixed ?? e.last_affected ?? '0';
  // "0" is below every version; the events are compared in version order
  const sorted = [...events].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka === kb) return 0;
    if (a.introduced === '0') return -1;
    if (b.introduced === '0') return 1;
    return compare(ka, kb);
  });
  let affected = false;
  for (const event of sorted) {
    if (event.introduced !== undefined) {
      if (event.introduced === '0' || compare(version, event.introduced) >= 0) affected = true;
    } else if (event.fixed !== undefined) {
      if (compare(version, event.fixed) >= 0) affected = false;
    } else if (event.last_affected !== undefined) {
      if (compare(version, event.last_affected) > 0) affected = false;
    }
  }
  if (!affected) return { affected };
  const fix = sorted.find((e) => e.fixed !== undefined && compare(version, e.fixed) < 0);
  return fix?.fixed !== undefined ? { affected, fixed: fix.fixed } : { affected };
}

function affects(vulnerability: IndexedVulnerability, version: string, compare: VersionCompare): { affected: boolean; fixed?: string } {
  let unfixed = false;
  let fixed: string | undefined;
  for (const events of vulnerability.ranges) {
    const result = inRange(version, events, compare);
    if (!result.affected) continue;
    if (result.fixed === undefined) unfixed = true;
    else if (fixed === undefined || compare(result.fixed, fixed) > 0) fixed = result.fixed;
  }
  if (fixed !== undefined) return { affected: true, fixed };
  if (unfixed || vulnerability.versions?.some((v) => compare(v, version) === 0)) return { affected: true };
  return { affected: false };
}

/** The vulnerabilities of the installed packages in `packages` (the index of one ecosystem), one finding per package and entry. */
export function matchPackages(installed: InstalledPackage[], index: Record<string, IndexedVulnerability[]>, compare: VersionCompare): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const pkg of installed) {
    const candidates: [string, string][] =
      pkg.manager === 'dpkg'
        ? [[pkg.sourcePackage ?? pkg.name, pkg.sourceVersion ?? pkg.version]]
        : [[pkg.name, pkg.version], ...(pkg.sourcePackage && pkg.sourceVersion ? [[pkg.sourcePackage, pkg.sourceVersion] as [string, string]] : [])];
    for (const [name, version] of candidates) {
      if (!Object.hasOwn(index, name)) continue;
      for (const vulnerability of index[name]) {
        const key = `${pkg.name}\0${pkg.architecture}\0${vulnerability.id}`;
        if (seen.has(key)) continue;
        const result = affects(vulnerability, version, compare);
        if (!result.affected) continue;
        seen.add(key);
        findings.push({ package: pkg, matchedName: name, matchedVersion: version, vulnerability, ...(result.fixed !== undefined ? { fixedVersion: result.fixed } : {}) });
      }
    }
  }
  return findings;
}

export type { SeverityLevel };
