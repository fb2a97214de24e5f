/**
 * The readable report `vmarket certify` prints by default: a verdict line, the images, then the
 * checks with failed ones first (with evidence and remediation), warnings next, then the rest.
 * Plain text; colour only when asked for (a TTY without NO_COLOR).
 */
import type { CertificationReport, CheckResult, Evidence } from '../types.ts';

export interface TableOptions {
  width?: number;
  color?: boolean;
}

const ORDER: Record<string, number> = { failed: 0, warning: 1, passed: 2, skipped: 3 };
const MARK: Record<string, string> = { failed: 'FAIL', warning: 'WARN', passed: 'ok', skipped: 'skip' };
const MAX_EVIDENCE = 10;

function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (current && indent.length + current.length + 1 + word.length > width) {
      lines.push(indent + current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current) lines.push(indent + current);
  return lines;
}

function where(e: Evidence): string {
  const image = e.image === 'os' ? 'os' : `data lun ${e.lun}`;
  return `${image}${e.path ? ` ${e.path}` : ''}${e.line ? `:${e.line}` : ''}`;
}

function paint(text: string, status: string, color: boolean): string {
  if (!color) return text;
  const code = status === 'failed' ? 31 : status === 'warning' ? 33 : status === 'passed' ? 32 : 90;
  return `\x1b[${code}m${text}\x1b[0m`;
}

export function renderReportTable(report: CertificationReport, options: TableOptions = {}): string[] {
  const width = Math.max(60, Math.min(options.width ?? 100, 160));
  const color = options.color ?? false;
  const counts = { failed: 0, warning: 0, passed: 0, skipped: 0 };
  for (const c of report.checks) counts[c.status]++;
  const lines = [
    `${paint(report.result === 'passed' ? 'PASSED' : 'FAILED', report.result, color)}  certification: ${counts.failed} failed, ${counts.warning} warning${counts.warning === 1 ? '' : 's'}, ${counts.passed} passed, ${counts.skipped} skipped (${report.stats.files} files, ${(report.stats.bytesRead / 1048576).toFixed(1)} MiB read, ${(report.stats.durationMs / 1000).toFixed(1)} s)`,
    '',
  ];
  for (const image of report.images) {
    lines.push(`  ${image.role === 'os' ? 'os' : `data lun ${image.lun}`}: ${image.path}  ${image.format}, ${(image.virtualSize / 1048576).toFixed(0)} MiB, sha256 ${image.sha256.slice(0, 16)}…`);
  }
  if (report.boot) {
    const b = report.boot;
    const m = b.milestones;
    const at = (label: string, s: number | undefined) => (s === undefined ? [] : [`${label} ${s} s`]);
    lines.push(`  boot: ${b.accelerator === 'kvm' ? 'KVM' : 'software emulation (no KVM)'}, ${b.firmware === 'uefi' ? 'UEFI' : 'BIOS'}, ${b.architecture}, ${b.memoryMiB} MiB; ${[...at('kernel', m.kernel), ...at('user space', m.userSpace), ...at('cloud-init done', m.provisioned), ...at('SSH login', m.ssh)].join(', ') || 'no milestone reached'}; ${b.seconds} s in all`);
  }
  lines.push('');
  const sorted = [...report.checks].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  const idWidth = Math.max(...report.checks.map((c) => c.id.length));
  for (const check of sorted) lines.push(...renderCheck(check, width, idWidth, color));
  return lines;
}

function renderCheck(check: CheckResult, width: number, idWidth: number, color: boolean): string[] {
  const head = `${paint(MARK[check.status].padEnd(4), check.status, color)}  ${check.id.padEnd(idWidth)}  `;
  const headWidth = 6 + idWidth + 2;
  const messageLines = wrap(check.message, width, ' '.repeat(headWidth));
  const lines = [head + (messageLines[0]?.trimStart() ?? ''), ...messageLines.slice(1)];
  if (check.status === 'failed' || check.status === 'warning') {
    for (const e of check.evidence.slice(0, MAX_EVIDENCE)) lines.push(...wrap(`- ${where(e)}: ${e.detail}`, width, ' '.repeat(headWidth + 2)));
    if (check.evidence.length > MAX_EVIDENCE) lines.push(`${' '.repeat(headWidth + 2)}… and ${check.evidence.length - MAX_EVIDENCE} more (see --json)`);
    lines.push(...wrap(`fix: ${check.remediation}`, width, ' '.repeat(headWidth + 2)));
  }
  return lines;
}
