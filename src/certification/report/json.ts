/** The report as the JSON document of docs/contracts.md §6 (what `vmarket certify --json` prints). */
import type { Locale } from '../../i18n/locale.ts';
import { localizeTree } from '../../i18n/localize-tree.ts';
import type { CertificationReport } from '../types.ts';

/**
 * A plain copy in the contract's key order (no functions or class instances leak out), with the
 * texts in `locale` (English by default) and no `translations`.
 */
export function reportToJson(stored: CertificationReport, locale: Locale = 'en'): CertificationReport {
  const report = localizeTree(stored, locale);
  return {
    result: report.result,
    images: report.images.map((i) => ({ role: i.role, lun: i.lun, path: i.path, format: i.format, virtualSize: i.virtualSize, sha256: i.sha256, ...(i.virtualSha256 === undefined ? {} : { virtualSha256: i.virtualSha256 }), ...(i.fileSize === undefined ? {} : { fileSize: i.fileSize }) })),
    checks: report.checks.map((c) => ({
      id: c.id,
      status: c.status,
      severity: c.severity,
      title: c.title,
      message: c.message,
      evidence: c.evidence.map((e) => ({ image: e.image, ...(e.lun === undefined ? {} : { lun: e.lun }), ...(e.path === undefined ? {} : { path: e.path }), ...(e.line === undefined ? {} : { line: e.line }), detail: e.detail })),
      remediation: c.remediation,
    })),
    stats: { ...report.stats },
    ...(report.boot ? { boot: { ...report.boot, milestones: { ...report.boot.milestones } } } : {}),
    ...(report.sbom ? { sbom: { format: report.sbom.format, components: report.sbom.components, sha256: report.sbom.sha256 } } : {}),
    ...(report.vulnerabilityDatabase ? { vulnerabilityDatabase: { ...report.vulnerabilityDatabase, ecosystems: [...report.vulnerabilityDatabase.ecosystems] } } : {}),
  };
}
