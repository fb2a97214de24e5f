/**
 * CVSS v3.0/v3.1 base scores from their vectors (FIRST's specification, §7.1 and Appendix A's
 * Roundup), and the qualitative levels (none, low, medium, high, critical) the policy compares.
 */

export const SEVERITY_LEVELS = ['unknown', 'low', 'medium', 'high', 'critical'] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];

const WEIGHTS: Record<string, Record<string, number>> = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  C: { H: 0.56, L: 0.22, N: 0 },
  I: { H: 0.56, L: 0.22, N: 0 },
  A: { H: 0.56, L: 0.22, N: 0 },
};

/** CVSS v3.1's Roundup: the smallest one-decimal number >= x, free of floating-point error. */
function roundUp(x: number): number {
  const int = Math.round(x * 100000);
  return int % 10000 === 0 ? int / 100000 : (Math.floor(int / 10000) + 1) / 10;
}

/** The base score of a `CVSS:3.x/AV:…/AC:…/PR:…/UI:…/S:…/C:…/I:…/A:…` vector, or null when it is not one. */
export function cvss3BaseScore(vector: string): number | null {
  const parts = vector.trim().split('/');
  if (!/^CVSS:3\.[01]$/.test(parts[0] ?? '')) return null;
  const metrics = new Map<string, string>();
  for (const part of parts.slice(1)) {
    const [key, value] = part.split(':');
    if (key && value) metrics.set(key, value);
  }
  const scope = metrics.get('S');
  const pr = metrics.get('PR');
  if (scope !== 'U' && scope !== 'C') return null;
  const prWeight = pr === 'N' ? 0.85 : pr === 'L' ? (scope === 'C' ? 0.68 : 0.62) : pr === 'H' ? (scope === 'C' ? 0.5 : 0.27) : undefined;
  const w = (key: string) => WEIGHTS[key][metrics.get(key) ?? ''];
  const values = [w('AV'), w('AC'), w('UI'), w('C'), w('I'), w('A'), prWeight];
  if (values.some((v) => v === undefined)) return null;
  const [av, ac, ui, c, i, a] = values as number[];
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15;
  const exploitability = 8.22 * av * ac * prWeight! * ui;
  if (impact <= 0) return 0;
  return scope === 'U' ? roundUp(Math.min(impact + exploitability, 10)) : roundUp(Math.min(1.08 * (impact + exploitability), 10));
}

/** CVSS v3's rating of a score: 0 none (here `unknown`: nothing to weigh), 0.1–3.9 low, 4–6.9 medium, 7–8.9 high, 9–10 critical. */
export function levelOfScore(score: number): SeverityLevel {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'unknown';
}

/**
 * A distribution's own word for severity: Debian's urgency (`low`, `medium`, `high`, with `*`
 * for unconfirmed ones; `unimportant` counts as low), Ubuntu's priority (`negligible`, `low`,
 * `medium`, `high`, `critical`), the Red Hat family's (`Low`, `Moderate`, `Important`, `Critical`).
 */
export function levelOfWord(word: string): SeverityLevel {
  const w = word.trim().toLowerCase().replace(/\*+$/, '');
  if (w === 'critical') return 'critical';
  if (w === 'high' || w === 'important') return 'high';
  if (w === 'medium' || w === 'moderate') return 'medium';
  if (w === 'low' || w === 'negligible' || w === 'unimportant') return 'low';
  return 'unknown';
}

export function levelRank(level: SeverityLevel): number {
  return SEVERITY_LEVELS.indexOf(level);
}
