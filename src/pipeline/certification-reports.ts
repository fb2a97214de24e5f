/**
 * Certification reports of one operation. The certify step certifies each distinct plan image set
 * (OS disk + data disks) once; the API serves one report (CONTRACTS §6), so several are merged:
 * failed if any failed, every image once, each check once with its worst status and all evidence.
 */
import type { CertificationReport, CheckResult, CheckStatus } from '../certification/types.ts';

const RANK: Record<CheckStatus, number> = { failed: 3, warning: 2, passed: 1, skipped: 0 };

export function mergeReports(reports: CertificationReport[]): CertificationReport {
  if (reports.length === 1) return reports[0];
  const images = new Map<string, CertificationReport['images'][number]>();
  const checks = new Map<string, CheckResult>();
  const stats = { files: 0, bytesRead: 0, durationMs: 0 };
  for (const report of reports) {
    for (const image of report.images ?? []) images.set(`${image.role}:${image.lun}:${image.sha256}`, image);
    for (const check of report.checks ?? []) {
      const seen = checks.get(check.id);
      if (!seen) {
        checks.set(check.id, { ...check, evidence: [...(check.evidence ?? [])] });
        continue;
      }
      const worse = RANK[check.status] > RANK[seen.status];
      checks.set(check.id, {
        ...(worse ? check : seen),
        evidence: [...seen.evidence, ...(check.evidence ?? [])],
      });
    }
    stats.files += report.stats?.files ?? 0;
    stats.bytesRead += report.stats?.bytesRead ?? 0;
    stats.durationMs += report.stats?.durationMs ?? 0;
  }
  return {
    result: reports.some((r) => r.result === 'failed') ? 'failed' : 'passed',
    images: [...images.values()],
    checks: [...checks.values()],
    stats,
  };
}
