/**
 * The certification report of CONTRACTS.md §6 and the entry point's options. This file is the
 * contract between the certification engine and its callers (the `certify` CLI command and the
 * pipeline's `certify` step); keep it stable.
 */
import type { CertificationConfig } from '../config/schema.ts';
import type { Translations } from '../i18n/localized.ts';

export type ImageRole = 'os' | 'data';
export type ImageFormat = 'vhd-fixed' | 'vhd-dynamic' | 'vhd-differencing' | 'qcow2' | 'vmdk' | 'raw' | 'unknown';
export type CheckStatus = 'passed' | 'failed' | 'warning' | 'skipped';
export type CheckSeverity = 'error' | 'warning';

export interface ReportImage {
  role: ImageRole;
  lun: number | null;
  path: string;
  format: ImageFormat;
  virtualSize: number;
  /** SHA-256 (hex) of the whole image file as supplied. */
  sha256: string;
  /** Size of the image file in bytes (extension). */
  fileSize?: number;
}

export interface Evidence {
  /** `os`, or `data` (with `lun`). */
  image: ImageRole;
  lun?: number;
  /** Absolute path inside the guest file system. */
  path?: string;
  line?: number;
  detail: string;
  /** `detail` in the other languages (an extension; the API answers in the caller's language). */
  translations?: Translations;
}

export interface CheckResult {
  id: string;
  status: CheckStatus;
  severity: CheckSeverity;
  title: string;
  message: string;
  evidence: Evidence[];
  remediation: string;
  /** `title`, `message`, `remediation` in the other languages (see src/i18n/localized.ts). */
  translations?: Translations;
}

export interface CertificationReport {
  result: 'passed' | 'failed';
  images: ReportImage[];
  checks: CheckResult[];
  stats: { files: number; bytesRead: number; durationMs: number };
}

export interface CertifyInput {
  /** Path of the OS disk image file. */
  osDisk: string;
  dataDisks?: { lun: number; path: string }[];
  /** Operator policy: supported OS, YARA rules, hash lists, ClamAV. Defaults apply when omitted. */
  config?: Partial<CertificationConfig>;
  /** Called now and then with the fraction done (0..1) and a short phrase of what is happening. */
  onProgress?: (fraction: number, phase: string) => void;
  /** Aborts the run at the next chunk; the promise rejects with a CANCELED VmarketError. */
  signal?: AbortSignal;
}

/** Signature of the engine's entry point, `certifyImages` in `src/certification/index.ts`. */
export type CertifyImages = (input: CertifyInput) => Promise<CertificationReport>;
