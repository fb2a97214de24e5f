/**
 * When each Linux release stops receiving security updates, for `linux.os-end-of-life`. The date
 * is the end of the last support a user gets without a paid contract: Debian's LTS
 * (https://wiki.debian.org/LTS; regular support from https://www.debian.org/releases/), Ubuntu's
 * standard security maintenance (https://ubuntu.com/about/release-cycle; Ubuntu Pro's ESM is a
 * subscription and not counted), and the maintenance end of RHEL and its rebuilds
 * (https://access.redhat.com/support/policy/updates/errata, https://endoflife.date/rhel,
 * /almalinux, /rocky-linux, /oracle-linux, /centos, /sles, /opensuse). Dates are the last day of support.
 * Keep it current: a release missing here is `skipped`, never passed.
 */

export interface EndOfLife {
  /** os-release ID. */
  id: string;
  /** VERSION_ID exactly, or (no dot) its major version. */
  version: string;
  /** The last day of support, YYYY-MM-DD (UTC). */
  endOfLife: string;
  /** Where the date comes from. */
  source: string;
}

const DEBIAN = 'https://wiki.debian.org/LTS';
const UBUNTU = 'https://ubuntu.com/about/release-cycle';
const RHEL = 'https://endoflife.date/rhel';

export const END_OF_LIFE: readonly EndOfLife[] = [
  { id: 'debian', version: '8', endOfLife: '2020-06-30', source: DEBIAN },
  { id: 'debian', version: '9', endOfLife: '2022-06-30', source: DEBIAN },
  { id: 'debian', version: '10', endOfLife: '2024-06-30', source: DEBIAN },
  { id: 'debian', version: '11', endOfLife: '2026-08-31', source: DEBIAN },
  { id: 'debian', version: '12', endOfLife: '2028-06-30', source: DEBIAN },
  { id: 'debian', version: '13', endOfLife: '2030-06-30', source: DEBIAN },
  { id: 'ubuntu', version: '16.04', endOfLife: '2021-04-30', source: UBUNTU },
  { id: 'ubuntu', version: '18.04', endOfLife: '2023-05-31', source: UBUNTU },
  { id: 'ubuntu', version: '20.04', endOfLife: '2025-05-31', source: UBUNTU },
  { id: 'ubuntu', version: '22.04', endOfLife: '2027-04-30', source: UBUNTU },
  { id: 'ubuntu', version: '23.10', endOfLife: '2024-07-11', source: UBUNTU },
  { id: 'ubuntu', version: '24.04', endOfLife: '2029-04-30', source: UBUNTU },
  { id: 'ubuntu', version: '24.10', endOfLife: '2025-07-10', source: UBUNTU },
  { id: 'ubuntu', version: '25.04', endOfLife: '2026-01-15', source: UBUNTU },
  { id: 'rhel', version: '7', endOfLife: '2024-06-30', source: RHEL },
  { id: 'rhel', version: '8', endOfLife: '2029-05-31', source: RHEL },
  { id: 'rhel', version: '9', endOfLife: '2032-05-31', source: RHEL },
  { id: 'rhel', version: '10', endOfLife: '2035-05-31', source: RHEL },
  { id: 'centos', version: '7', endOfLife: '2024-06-30', source: 'https://endoflife.date/centos' },
  { id: 'centos', version: '8', endOfLife: '2021-12-31', source: 'https://endoflife.date/centos' },
  { id: 'almalinux', version: '8', endOfLife: '2029-03-01', source: 'https://endoflife.date/almalinux' },
  { id: 'almalinux', version: '9', endOfLife: '2032-05-31', source: 'https://endoflife.date/almalinux' },
  { id: 'almalinux', version: '10', endOfLife: '2035-05-31', source: 'https://endoflife.date/almalinux' },
  { id: 'rocky', version: '8', endOfLife: '2029-05-31', source: 'https://endoflife.date/rocky-linux' },
  { id: 'rocky', version: '9', endOfLife: '2032-05-31', source: 'https://endoflife.date/rocky-linux' },
  { id: 'rocky', version: '10', endOfLife: '2035-05-31', source: 'https://endoflife.date/rocky-linux' },
  { id: 'ol', version: '7', endOfLife: '2024-12-31', source: 'https://endoflife.date/oracle-linux' },
  { id: 'ol', version: '8', endOfLife: '2029-07-31', source: 'https://endoflife.date/oracle-linux' },
  { id: 'ol', version: '9', endOfLife: '2032-06-30', source: 'https://endoflife.date/oracle-linux' },
];

/** The table's entry for a release: an exact VERSION_ID first, then its major version. */
export function endOfLifeOf(id: string, versionId: string, table: readonly EndOfLife[] = END_OF_LIFE): EndOfLife | null {
  const exact = table.find((e) => e.id === id && e.version === versionId);
  if (exact) return exact;
  const major = versionId.split('.')[0];
  return table.find((e) => e.id === id && !e.version.includes('.') && e.version === major) ?? null;
}

/** Whether the release is past its last day of support at `now`. */
export function isPastEndOfLife(entry: EndOfLife, now: Date): boolean {
  return now.getTime() >= Date.parse(`${entry.endOfLife}T00:00:00Z`) + 86_400_000;
}
