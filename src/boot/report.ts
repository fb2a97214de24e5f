/**
 * Boot validation as the report sees it: whether to boot (the operator's `certification.boot`,
 * or the caller asking for it), booting, and the report with the four `boot.*` checks and the
 * `boot` summary merged in. The console log is returned beside the report (it is stored and
 * served on its own: it can be megabytes).
 */
import type { CertificationReport } from '../certification/types.ts';
import type { ParsedConfig } from '../config/schema.ts';
import type { DiskFormat } from '../contracts/certification.ts';
import { isVmarketError } from '../errors.ts';
import { fixed, type Localized } from '../i18n/localized.ts';
import { type BootSummary, bootImage, bootNotRun, whyNotBooted } from './boot-check.ts';
import { QEMU_PROGRAMS, findQemu } from './qemu.ts';
import { bootSettings } from './vm.ts';
import type { GuestArchitecture } from './types.ts';

export interface BootValidationInput {
  image: string;
  format?: DiskFormat;
  openPorts?: { protocol: 'tcp' | 'udp'; port: number }[];
  config: Pick<ParsedConfig, 'boot' | 'concurrency'> & { certification: Pick<ParsedConfig['certification'], 'boot'> };
  runtimeDir: string;
  /** Boot even under `certification.boot: off` (the command line's --boot, a test drive). */
  force?: boolean;
  /** Boot even when the static checks failed. Default false: the publisher fixes those first. */
  evenIfFailed?: boolean;
  timeoutSeconds?: number;
  signal?: AbortSignal;
  onPhase?: (phase: string) => void;
}

export interface BootValidation {
  report: CertificationReport;
  /** The console log, when a VM ran. */
  console?: string;
}

const STATIC_FAILED = fixed(
  'not booted: the static checks failed; boot validation runs once they pass',
  'nicht gestartet: Die statischen Prüfungen sind fehlgeschlagen; die Startprüfung läuft, sobald sie bestanden sind',
);

/** The guest's architecture as linux.architecture found /bin/sh ("… is ELF 64-bit aarch64"); x86_64 otherwise. */
export function reportArchitecture(report: CertificationReport): GuestArchitecture {
  const check = report.checks.find((c) => c.id === 'linux.architecture');
  return /\bELF 64-bit aarch64\b/i.test(check?.message ?? '') ? 'aarch64' : 'x86_64';
}

/** The report with the boot checks in place of any earlier ones, its result recomputed. */
export function mergeBoot(report: CertificationReport, checks: CertificationReport['checks'], summary?: BootSummary & { consoleBytes?: number }): CertificationReport {
  const merged = [...report.checks.filter((c) => !c.id.startsWith('boot.')), ...checks];
  const failed = merged.some((c) => c.status === 'failed' && c.severity === 'error');
  return { ...report, result: failed ? 'failed' : 'passed', checks: merged, ...(summary ? { boot: summary } : {}) } as CertificationReport;
}

export async function validateBoot(report: CertificationReport, input: BootValidationInput): Promise<BootValidation> {
  const mode = input.config.certification.boot;
  if (mode === 'off' && !input.force) return { report };
  const required = mode === 'required' || Boolean(input.force);
  if (report.result === 'failed' && !input.evenIfFailed) return { report: mergeBoot(report, bootNotRun(STATIC_FAILED, false)) };
  const architecture = reportArchitecture(report);
  const settings = { ...bootSettings(input.config.boot), ...(input.timeoutSeconds ? { timeoutSeconds: input.timeoutSeconds } : {}) };
  if (!findQemu(architecture, settings)) {
    const entry = QEMU_PROGRAMS[architecture];
    const reason: Localized = {
      en: `${entry.program} is not installed (Debian package ${entry.debianPackage})${required ? '' : '; boot validation is optional here (certification.boot: optional)'}`,
      de: `${entry.program} ist nicht installiert (Debian-Paket ${entry.debianPackage})${required ? '' : '; die Startprüfung ist hier optional (certification.boot: optional)'}`,
    };
    return { report: mergeBoot(report, bootNotRun(reason, required)) };
  }
  try {
    const boot = await bootImage({
      image: input.image,
      format: input.format,
      architecture,
      openPorts: input.openPorts,
      settings,
      concurrency: input.config.concurrency.boot,
      runtimeDir: input.runtimeDir,
      signal: input.signal,
      onPhase: input.onPhase,
    });
    if (!boot.summary) return { report: mergeBoot(report, boot.checks) };
    return { report: mergeBoot(report, boot.checks, { ...boot.summary, consoleBytes: Buffer.byteLength(boot.console) }), console: boot.console };
  } catch (error) {
    if (isVmarketError(error) && (error.code === 'TOOL_MISSING' || error.code === 'IMAGE_UNSUPPORTED')) {
      return { report: mergeBoot(report, bootNotRun(whyNotBooted(error), required || error.code === 'IMAGE_UNSUPPORTED')) };
    }
    throw error;
  }
}
