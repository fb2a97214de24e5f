/**
 * The report as SARIF 2.1.0 (`vmarket certify --sarif FILE`) for code-scanning dashboards: one
 * rule per check, one result per failed or warning check (per evidence item, located at the guest
 * path inside the image).
 */
import { REPORT_CHECKS } from '../checks/registry.ts';
import type { CertificationReport, Evidence, ReportImage } from '../types.ts';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

function imageOf(report: CertificationReport, evidence: Evidence): ReportImage | undefined {
  return report.images.find((i) => i.role === evidence.image && (evidence.image === 'os' || i.lun === evidence.lun));
}

function location(report: CertificationReport, evidence: Evidence) {
  const image = imageOf(report, evidence);
  const imageLabel = evidence.image === 'os' ? 'os' : `data lun ${evidence.lun}`;
  // a path inside the guest is a location in the image; the boot checks' `console`, `ssh` … name where a boot saw it
  const inGuest = evidence.path?.startsWith('/') ?? false;
  const uri = inGuest ? evidence.path! : (image?.path ?? '');
  const where = evidence.path && !inGuest ? ` [${evidence.path}${evidence.line ? ` line ${evidence.line}` : ''}]` : '';
  return {
    physicalLocation: {
      artifactLocation: { uri, ...(inGuest ? { uriBaseId: evidence.image === 'os' ? 'OS_IMAGE' : `DATA_LUN_${evidence.lun}` } : {}) },
      ...(inGuest && evidence.line ? { region: { startLine: evidence.line } } : {}),
    },
    message: { text: `${imageLabel}${image ? ` (${image.path})` : ''}${where}: ${evidence.detail}` },
  };
}

export function reportToSarif(report: CertificationReport, toolVersion: string): Record<string, unknown> {
  const ruleIndex = new Map(REPORT_CHECKS.map((c, i) => [c.id, i]));
  const results = [];
  for (const check of report.checks) {
    if (check.status !== 'failed' && check.status !== 'warning') continue;
    const level = check.status === 'failed' && check.severity === 'error' ? 'error' : 'warning';
    const evidence = check.evidence.length ? check.evidence : [null];
    for (const item of evidence) {
      results.push({
        ruleId: check.id,
        ruleIndex: ruleIndex.get(check.id),
        level,
        message: { text: item ? `${check.message} — ${item.detail}` : check.message },
        locations: [item ? location(report, item) : { physicalLocation: { artifactLocation: { uri: report.images[0]?.path ?? '' } }, message: { text: 'os' } }],
      });
    }
  }
  const originalUriBaseIds: Record<string, { uri: string; description: { text: string } }> = {};
  for (const image of report.images) {
    const key = image.role === 'os' ? 'OS_IMAGE' : `DATA_LUN_${image.lun}`;
    originalUriBaseIds[key] = { uri: `file://${encodeURI(image.path)}/`, description: { text: `the guest file system root of the ${image.role === 'os' ? 'OS disk' : `data disk at LUN ${image.lun}`} ${image.path}` } };
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'vmarket',
            version: toolVersion,
            informationUri: 'https://github.com/vmarket/vmarket',
            rules: REPORT_CHECKS.map((c) => ({
              id: c.id,
              name: c.id.replace(/[.-](\w)/g, (_, ch: string) => ch.toUpperCase()),
              shortDescription: { text: c.title },
              help: { text: c.remediation },
              defaultConfiguration: { level: c.severity === 'error' ? 'error' : 'warning' },
            })),
          },
        },
        originalUriBaseIds,
        artifacts: report.images.map((i) => ({ location: { uri: i.path }, length: i.fileSize ?? -1, hashes: { 'sha-256': i.sha256 } })),
        results,
        properties: { result: report.result, stats: report.stats },
      },
    ],
  };
}
