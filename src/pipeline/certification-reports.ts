/**
 * Certification reports of one operation. The certify step certifies each distinct plan image set
 * (OS disk + data disks) once; the API serves one report (docs/contracts.md §6), so several are merged:
 * failed if any failed, every image once, each check once with its worst status and all evidence.
 */
import type { AppContext } from '../app/context.ts';
import type { CertificationReport, CheckResult, CheckStatus } from '../certification/types.ts';
import { iso } from '../util/dates.ts';
import { requireOffer } from './operations.ts';

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
  // one SBOM and database summary per image set: the first's stand for the merged report (the signed packages name each)
  const sbom = reports.find((r) => r.sbom)?.sbom;
  const vulnerabilityDatabase = reports.find((r) => r.vulnerabilityDatabase)?.vulnerabilityDatabase;
  return {
    result: reports.some((r) => r.result === 'failed') ? 'failed' : 'passed',
    images: [...images.values()],
    checks: [...checks.values()],
    stats,
    ...(sbom ? { sbom } : {}),
    ...(vulnerabilityDatabase ? { vulnerabilityDatabase } : {}),
  };
}

/**
 * The last certification report of the offer (docs/contracts.md §6): the latest operation's reports
 * merged into one (one report per distinct plan image set), with `operationId` and `review`
 * added. null when the offer was never certified; 404 NOT_FOUND for an unknown offer.
 */
export async function getCertificationReport(ctx: AppContext, publisherId: string, offerId: string): Promise<Record<string, unknown> | null> {
  await requireOffer(ctx, publisherId, offerId);
  const last = await ctx.db.kysely
    .selectFrom('certification_reports')
    .select('operation_id')
    .where('publisher_id', '=', publisherId)
    .where('offer_id', '=', offerId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!last) return null;
  const rows = await ctx.db.kysely
    .selectFrom('certification_reports')
    .selectAll()
    .where('operation_id', '=', last.operation_id)
    .orderBy('id')
    .execute();
  const merged = mergeReports(rows.map((r) => r.report as any));
  const reviewed = rows.find((r) => r.review_status !== null);
  const sboms = await ctx.db.kysely
    .selectFrom('certification_reports')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('operation_id', '=', last.operation_id)
    .where('sbom', 'is not', null)
    .executeTakeFirst();
  const consoles = await ctx.db.kysely
    .selectFrom('certification_reports')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('operation_id', '=', last.operation_id)
    .where('console_log', 'is not', null)
    .executeTakeFirst();
  return {
    ...merged,
    ...(Number(consoles?.n ?? 0) > 0 ? { bootConsole: `/api/v1/publishers/${publisherId}/offers/${offerId}/certification/console` } : {}),
    ...(Number(sboms?.n ?? 0) > 0 ? { sbomDocument: `/api/v1/publishers/${publisherId}/offers/${offerId}/certification/sbom` } : {}),
    operationId: last.operation_id,
    review: reviewed
      ? { status: reviewed.review_status, reviewer: reviewed.reviewer, feedback: reviewed.feedback, reviewedAt: iso(reviewed.reviewed_at) }
      : null,
  };
}

/**
 * The serial console logs of the boots of the last certification (one per image set that
 * booted, each headed by the plans' image path), as one text; null when nothing booted.
 */
export async function getBootConsole(ctx: AppContext, publisherId: string, offerId: string): Promise<string | null> {
  await requireOffer(ctx, publisherId, offerId);
  const last = await ctx.db.kysely
    .selectFrom('certification_reports')
    .select('operation_id')
    .where('publisher_id', '=', publisherId)
    .where('offer_id', '=', offerId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!last) return null;
  const rows = await ctx.db.kysely
    .selectFrom('certification_reports')
    .select(['report', 'console_log'])
    .where('operation_id', '=', last.operation_id)
    .where('console_log', 'is not', null)
    .orderBy('id')
    .execute();
  if (rows.length === 0) return null;
  if (rows.length === 1) return rows[0].console_log;
  return rows
    .map((r) => {
      const os = ((r.report as { images?: { role?: string; path?: string }[] }).images ?? []).find((i) => i.role === 'os');
      return `=== ${os?.path ?? 'image'} ===\n${r.console_log}`;
    })
    .join('\n');
}

/**
 * The CycloneDX SBOM of the last certification (its first image set's, or the one whose bytes
 * have `sha256`), exactly as stored; null when none was recorded.
 */
export async function getCertificationSbom(ctx: AppContext, publisherId: string, offerId: string, sha256?: string): Promise<string | null> {
  await requireOffer(ctx, publisherId, offerId);
  const last = await ctx.db.kysely
    .selectFrom('certification_reports')
    .select('operation_id')
    .where('publisher_id', '=', publisherId)
    .where('offer_id', '=', offerId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!last) return null;
  const rows = await ctx.db.kysely
    .selectFrom('certification_reports')
    .select(['report', 'sbom'])
    .where('operation_id', '=', last.operation_id)
    .where('sbom', 'is not', null)
    .orderBy('id')
    .execute();
  const row = sha256 ? rows.find((r) => (r.report as { sbom?: { sha256?: string } }).sbom?.sha256 === sha256) : rows[0];
  return row?.sbom ?? null;
}
