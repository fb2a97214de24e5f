/**
 * `packages.vulnerabilities`: the installed packages against the OSV database the operator keeps
 * current (`vmarket vulndb sync`, src/vulndb/). Fails on a vulnerability at or above
 * `certification.vulnerabilities.failAt` that has a fix (the publisher can update the package);
 * warns on the rest, and when the database is older than `maxDatabaseAgeDays`. The database's
 * age goes into the report (`vulnerabilityDatabase`, read by the engine from the memo).
 */
import { fixed, type Localized, type Phrase, say } from '../../i18n/localized.ts';
import { levelRank, type SeverityLevel } from '../../vulndb/cvss.ts';
import { ecosystemsFor, type Finding, matchPackages } from '../../vulndb/match.ts';
import { ageDays, loadEcosystemIndex, readVulnDbMeta } from '../../vulndb/store.ts';
import { DPKG_STATUS } from '../packages/dpkg.ts';
import type { PackageDatabase } from '../packages/types.ts';
import { packageDatabasesOf, withRoot } from './common.ts';
import { osReleaseOf } from './os-release.ts';
import type { CheckContext, CheckDefinition, CheckOutcome, FoundEvidence } from './types.ts';

/** What the report says of the database a certification used (`vulnerabilityDatabase`). */
export interface VulnerabilityDatabaseSummary {
  syncedAt: string;
  ageDays: number;
  /** The ecosystems matched against (`Debian:12`). */
  ecosystems: string[];
  source: string;
}

export const VULNERABILITY_DATABASE_MEMO = 'vulnerability-database';
const MAX_EVIDENCE = 100;

const SYNC_HINT = 'vmarket vulndb sync';
const noDirectory = fixed(
  `skipped: no vulnerability database is configured (certification.vulnerabilities.directory; run \`${SYNC_HINT}\`)`,
  `übersprungen: Es ist keine Schwachstellendatenbank eingerichtet (certification.vulnerabilities.directory; führen Sie \`${SYNC_HINT}\` aus)`,
);
// a publisher reads these: they name no directory of the server (only what the operator must do)
const noDatabase = fixed(
  `skipped: this marketplace has no vulnerability database yet: its operator runs \`${SYNC_HINT}\` (and keeps it current, docs/operations.md)`,
  `übersprungen: Dieser Marktplatz hat noch keine Schwachstellendatenbank: Sein Betreiber führt \`${SYNC_HINT}\` aus (und hält sie aktuell, docs/operations.md)`,
);
const noEcosystem: Phrase<[name: string]> = {
  en: (name) => `skipped: OSV has no ecosystem vmarket maps for ${name}`,
  de: (name) => `übersprungen: OSV hat kein Ökosystem, das vmarket ${name} zuordnet`,
};
const ecosystemMissing: Phrase<[ecosystems: string[]]> = {
  en: (ecosystems) => `skipped: the vulnerability database holds no entries for ${ecosystems.join(' or ')}: the operator syncs them with \`${SYNC_HINT} --ecosystem ${ecosystems[0].split(':')[0]}\``,
  de: (ecosystems) => `übersprungen: Die Schwachstellendatenbank enthält keine Einträge für ${ecosystems.join(' oder ')}: Der Betreiber synchronisiert sie mit \`${SYNC_HINT} --ecosystem ${ecosystems[0].split(':')[0]}\``,
};
const NO_OS_RELEASE = fixed('skipped: /etc/os-release is missing (see linux.os-release)', 'übersprungen: /etc/os-release fehlt (siehe linux.os-release)');
const NO_PACKAGES = fixed('skipped: no package database (dpkg, rpm) could be read', 'übersprungen: Es konnte keine Paketdatenbank (dpkg, rpm) gelesen werden');
const summaryText: Phrase<[found: number, failing: number, failAt: string, ecosystem: string, synced: string, age: number]> = {
  en: (found, failing, failAt, ecosystem, synced, age) =>
    `${found === 0 ? 'no known vulnerabilities' : `${found} known vulnerabilit${found === 1 ? 'y' : 'ies'}`}${failing > 0 ? `, ${failing} at or above ${failAt} with a fix` : ''} (${ecosystem}, database synced ${synced}, ${age} day(s) ago)`,
  de: (found, failing, failAt, ecosystem, synced, age) =>
    `${found === 0 ? 'keine bekannten Schwachstellen' : `${found} bekannte Schwachstelle${found === 1 ? '' : 'n'}`}${failing > 0 ? `, davon ${failing} ab ${failAt} mit Korrektur` : ''} (${ecosystem}, Datenbank synchronisiert ${synced}, vor ${age} Tag(en))`,
};
const tooOld: Phrase<[age: number, max: number]> = {
  en: (age, max) => `the vulnerability database is ${age} days old (more than certification.vulnerabilities.maxDatabaseAgeDays, ${max}): run \`${SYNC_HINT}\``,
  de: (age, max) => `die Schwachstellendatenbank ist ${age} Tage alt (mehr als certification.vulnerabilities.maxDatabaseAgeDays, ${max}): Führen Sie \`${SYNC_HINT}\` aus`,
};
const findingDetail: Phrase<[name: string, version: string, binaries: string[], ids: string, severity: SeverityLevel, fixedIn: string | undefined]> = {
  en: (name, version, binaries, ids, severity, fixedIn) =>
    `${name} ${version}${binaries.length ? ` (${binaries.join(', ')})` : ''}: ${ids}, severity ${severity}, ${fixedIn ? `fixed in ${fixedIn}` : 'no fix yet'}`,
  de: (name, version, binaries, ids, severity, fixedIn) =>
    `${name} ${version}${binaries.length ? ` (${binaries.join(', ')})` : ''}: ${ids}, Schweregrad ${severity}, ${fixedIn ? `behoben in ${fixedIn}` : 'noch keine Korrektur'}`,
};
const moreFindings: Phrase<[more: number]> = {
  en: (more) => `and ${more} more`,
  de: (more) => `und ${more} weitere`,
};

/** Findings of one source package (Debian: several binaries) and one entry. */
interface Group {
  name: string;
  version: string;
  binaries: Set<string>;
  ids: string[];
  severity: SeverityLevel;
  fixedVersion?: string;
  database: PackageDatabase;
}

function grouped(findings: { finding: Finding; database: PackageDatabase }[]): Group[] {
  const groups = new Map<string, Group>();
  for (const { finding, database } of findings) {
    const key = `${finding.matchedName}\0${finding.matchedVersion}\0${finding.vulnerability.id}`;
    let group = groups.get(key);
    if (!group) {
      const v = finding.vulnerability;
      group = {
        name: finding.matchedName,
        version: finding.matchedVersion,
        binaries: new Set(),
        ids: [v.id, ...(v.aliases ?? []).slice(0, 3)],
        severity: v.severity,
        ...(finding.fixedVersion !== undefined ? { fixedVersion: finding.fixedVersion } : {}),
        database,
      };
      groups.set(key, group);
    }
    if (finding.package.name !== finding.matchedName) group.binaries.add(finding.package.name);
  }
  // the worst first: fixable before unfixed, then by severity, then by name
  return [...groups.values()].sort(
    (a, b) => Number(b.fixedVersion !== undefined) - Number(a.fixedVersion !== undefined) || levelRank(b.severity) - levelRank(a.severity) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

async function run(context: CheckContext): Promise<CheckOutcome> {
  return withRoot(context, async (root) => {
    const values = await osReleaseOf(context, root);
    if (!values) return { status: 'skipped', message: NO_OS_RELEASE };
    const name = values.PRETTY_NAME || `${values.ID ?? ''} ${values.VERSION_ID ?? ''}`;
    const mapped = ecosystemsFor(values.ID ?? '', values.VERSION_ID ?? '');
    if (!mapped) return { status: 'skipped', message: say(noEcosystem, name) };
    const { directory, failAt, maxDatabaseAgeDays } = context.config.vulnerabilities;
    if (!directory) return { status: 'skipped', message: noDirectory };
    const meta = await readVulnDbMeta(directory);
    if (!meta) return { status: 'skipped', message: noDatabase };
    const ecosystem = mapped.ecosystems.find((e) => Object.hasOwn(meta.ecosystems, e));
    if (!ecosystem) return { status: 'skipped', message: say(ecosystemMissing, mapped.ecosystems) };
    const age = ageDays(meta, context.now ?? new Date());
    const summary: VulnerabilityDatabaseSummary = { syncedAt: meta.syncedAt, ageDays: age, ecosystems: [ecosystem], source: publicSource(meta.source) };
    await context.memo(VULNERABILITY_DATABASE_MEMO, async () => summary);
    const databases = (await packageDatabasesOf(context.memo, root, context.config.limits)).databases.filter((d) => d.packages.length > 0);
    if (databases.length === 0) return { status: 'skipped', message: NO_PACKAGES };
    const index = (await loadEcosystemIndex(directory, meta, ecosystem))?.packages ?? {};
    const findings = databases.flatMap((database) => matchPackages(database.packages, index, mapped.compare).map((finding) => ({ finding, database })));
    const groups = grouped(findings);
    const failing = groups.filter((g) => g.fixedVersion !== undefined && levelRank(g.severity) >= levelRank(failAt));
    const old = age > maxDatabaseAgeDays;
    const evidence: FoundEvidence[] = groups.slice(0, MAX_EVIDENCE).map((g) => ({
      image: 'os',
      path: g.database.manager === 'dpkg' ? DPKG_STATUS : g.database.path,
      detail: say(findingDetail, g.name, g.version, [...g.binaries].sort().slice(0, 5), g.ids.join(' '), g.severity, g.fixedVersion),
    }));
    if (groups.length > MAX_EVIDENCE) evidence.push({ image: 'os', detail: say(moreFindings, groups.length - MAX_EVIDENCE) });
    if (old) evidence.unshift({ image: 'os', detail: say(tooOld, age, maxDatabaseAgeDays) });
    const message: Localized = say(summaryText, groups.length, failing.length, failAt, ecosystem, meta.syncedAt.slice(0, 10), age);
    const status = failing.length > 0 ? 'failed' : groups.length > 0 || old ? 'warning' : 'passed';
    return { status, message, evidence };
  });
}

export const packageVulnerabilities: CheckDefinition = {
  id: 'packages.vulnerabilities',
  title: fixed('Installed packages have no known vulnerabilities with a fix', 'Installierte Pakete haben keine bekannten Schwachstellen, für die es eine Korrektur gibt'),
  severity: 'error',
  remediation: fixed(
    'Update the packages the evidence names to at least their fixed versions (`apt-get update && apt-get upgrade`, `dnf upgrade`) before building the image, and rebuild it regularly; vulnerabilities without a fix only warn.',
    'Aktualisieren Sie die in den Belegen genannten Pakete mindestens auf die behobenen Versionen (`apt-get update && apt-get upgrade`, `dnf upgrade`), bevor Sie das Image bauen, und bauen Sie es regelmäßig neu; Schwachstellen ohne Korrektur führen nur zu einer Warnung.',
  ),
  run,
};

/**
 * The database's source as the report may show it to a publisher: an http(s) URL without
 * credentials or query, else only that it was a directory (a path would name the server's files).
 */
export function publicSource(source: string): string {
  try {
    const url = new URL(source);
    if (url.protocol === 'https:' || url.protocol === 'http:') return `${url.origin}${url.pathname}`;
  } catch {
    // not a URL: a directory
  }
  return 'a directory on the marketplace';
}
