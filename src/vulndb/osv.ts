/**
 * OSV entries (https://ossf.github.io/osv-schema/) reduced to what matching needs: per affected
 * package of an ecosystem its ECOSYSTEM ranges (introduced / fixed / last_affected events), its
 * listed versions and one severity, from the CVSS v3 vector when the entry has one, else the
 * distribution's own field (Debian's `ecosystem_specific.urgency`, `database_specific.severity`,
 * Ubuntu's priority).
 */
import { cvss3BaseScore, levelOfScore, levelOfWord, levelRank, type SeverityLevel } from './cvss.ts';

export interface RangeEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
}

/** One vulnerability of one package in one ecosystem, as the index keeps it. */
export interface IndexedVulnerability {
  id: string;
  aliases?: string[];
  summary?: string;
  severity: SeverityLevel;
  /** The CVSS v3 base score it came from, when it did. */
  score?: number;
  /** ECOSYSTEM ranges, each its events in the entry's order. */
  ranges: RangeEvent[][];
  versions?: string[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

function wordOf(...holders: unknown[]): string | undefined {
  for (const holder of holders) {
    if (!isObject(holder)) continue;
    for (const key of ['urgency', 'severity', 'priority']) if (typeof holder[key] === 'string') return holder[key] as string;
  }
  return undefined;
}

/** The highest CVSS v3 base score among `severity[]`, and any non-CVSS rating word there (Ubuntu's). */
function scored(severity: unknown): { score?: number; word?: string } {
  let score: number | undefined;
  let word: string | undefined;
  for (const s of Array.isArray(severity) ? severity : []) {
    if (!isObject(s) || typeof s.score !== 'string') continue;
    if (s.type === 'CVSS_V3') {
      const value = cvss3BaseScore(s.score);
      if (value !== null && (score === undefined || value > score)) score = value;
    } else if (!String(s.type).startsWith('CVSS')) word = s.score;
  }
  return { ...(score === undefined ? {} : { score }), ...(word ? { word } : {}) };
}

function severityOf(entry: Json, affected: Json): { severity: SeverityLevel; score?: number } {
  const own = scored(affected.severity);
  const top = scored(entry.severity);
  const score = own.score ?? top.score;
  if (score !== undefined && score > 0) return { severity: levelOfScore(score), score };
  const word = wordOf(affected.ecosystem_specific, affected.database_specific, entry.database_specific, entry.ecosystem_specific) ?? own.word ?? top.word;
  return { severity: word ? levelOfWord(word) : 'unknown' };
}

/** Each affected package of an OSV entry whose ecosystem belongs to `archive` (`Debian` → `Debian:12`, `Debian:11` …). */
export function* affectedPackages(entry: unknown, archive: string): Generator<{ ecosystem: string; name: string; vulnerability: IndexedVulnerability }> {
  if (!isObject(entry) || typeof entry.id !== 'string' || entry.withdrawn) return;
  const aliases = [...new Set([...strings(entry.aliases), ...strings(entry.upstream)])].filter((a) => a !== entry.id).slice(0, 20);
  const summary = typeof entry.summary === 'string' ? entry.summary.slice(0, 200) : typeof entry.details === 'string' ? entry.details.split('\n')[0].slice(0, 200) : undefined;
  for (const affected of Array.isArray(entry.affected) ? entry.affected : []) {
    if (!isObject(affected) || !isObject(affected.package)) continue;
    const { ecosystem, name } = affected.package;
    if (typeof ecosystem !== 'string' || typeof name !== 'string' || !name) continue;
    if (ecosystem !== archive && !ecosystem.startsWith(`${archive}:`)) continue;
    const ranges = (Array.isArray(affected.ranges) ? affected.ranges : [])
      .filter((r): r is Json => isObject(r) && r.type === 'ECOSYSTEM' && Array.isArray(r.events))
      .map((r) =>
        (r.events as unknown[]).flatMap((e): RangeEvent[] => {
          if (!isObject(e)) return [];
          if (typeof e.introduced === 'string') return [{ introduced: e.introduced }];
          if (typeof e.fixed === 'string') return [{ fixed: e.fixed }];
          if (typeof e.last_affected === 'string') return [{ last_affected: e.last_affected }];
          return [];
        }),
      )
      .filter((events) => events.length > 0);
    const versions = strings(affected.versions);
    if (ranges.length === 0 && versions.length === 0) continue;
    yield {
      ecosystem,
      name,
      vulnerability: {
        id: entry.id,
        ...(aliases.length ? { aliases } : {}),
        ...(summary ? { summary } : {}),
        ...severityOf(entry, affected),
        ranges,
        ...(versions.length ? { versions } : {}),
      },
    };
  }
}

/** The worse of two levels. */
export function worse(a: SeverityLevel, b: SeverityLevel): SeverityLevel {
  return levelRank(a) >= levelRank(b) ? a : b;
}
