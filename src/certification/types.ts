/**
 * The certification report of docs/contracts.md §6 and the entry point's options. This file is the
 * contract between the certification engine and its callers (the `certify` CLI command and the
 * pipeline's `certify` step); keep it stable. The report's outside shape is the contract's
 * (src/contracts/certification.ts); the stored form adds the texts' translations.
 */
import type { CertificationConfig } from '../config/schema.ts';
import type {
  CheckResult as ContractCheck,
  Evidence as ContractEvidence,
  ImageFormat,
  KnownFields,
  Report,
  ReportImage as ContractReportImage,
  ReportResult,
} from '../contracts/index.ts';
import type { Translations } from '../i18n/localized.ts';
import type { SbomSummary } from './sbom/cyclonedx.ts';
import type { VulnerabilityDatabaseSummary } from './checks/vulnerabilities.ts';

export type { CheckSeverity, CheckStatus, ImageFormat, ImageRole } from '../contracts/index.ts';

/*
 * The engine builds these, so they are the contract's fields without the loose index signature
 * (a misspelt field is caught), plus the stored texts' translations.
 */

export type ReportImage = Omit<KnownFields<ContractReportImage>, 'format'> & { format: ImageFormat };

/** A piece of evidence; `detail` in the other languages in `translations` (the API answers in the caller's language). */
export type Evidence = KnownFields<ContractEvidence> & { translations?: Translations };

/** One check's result; `title`, `message`, `remediation` in the other languages in `translations` (src/i18n/localized.ts). */
export type CheckResult = Omit<KnownFields<ContractCheck>, 'evidence'> & { evidence: Evidence[]; translations?: Translations };

/** The report the engine writes; the API adds `operationId` and `review` (src/contracts/certification.ts). */
export interface CertificationReport {
  result: ReportResult;
  images: ReportImage[];
  checks: CheckResult[];
  stats: KnownFields<Report['stats']>;
  /** How the boot validation's VM ran, when it booted (src/boot/report.ts). */
  boot?: NonNullable<Report['boot']>;
  /** The SBOM's summary when the guest had a package database (the document is `sbomJson`, kept beside the report). */
  sbom?: SbomSummary;
  /** The vulnerability database `packages.vulnerabilities` matched against, with its age. */
  vulnerabilityDatabase?: VulnerabilityDatabaseSummary;
  /**
   * The CycloneDX SBOM's exact bytes, as the engine returns them: never part of the stored or
   * printed report (the report list reads reports often). Callers take it off with `detachSbom`
   * (src/certification/sbom/detach.ts) and keep it beside the report.
   */
  sbomJson?: string;
}

/**
 * What the caller already knows of an image file: its SHA-256 (the pipeline hashed it while
 * staging it, so the engine need not read it a second time) and the name the report shows
 * instead of the local path (the source as the publisher wrote it; a staged path is the server's).
 */
export interface KnownImage {
  sha256?: string;
  /** Also the image's declared format when it ends in `.qcow2`, `.vmdk`, `.vhd`, `.vhdx` or `.raw`. */
  name?: string;
  /** The format the offer declares for the image: content in another format is refused. */
  format?: ImageFormat;
}

export interface CertifyInput {
  /** Path of the OS disk image file. */
  osDisk: string;
  osDiskKnown?: KnownImage;
  dataDisks?: { lun: number; path: string; known?: KnownImage }[];
  /** Operator policy: supported OS, YARA rules, hash lists, ClamAV. Defaults apply when omitted. */
  config?: Partial<CertificationConfig>;
  /** Called now and then with the fraction done (0..1) and a short phrase of what is happening. */
  onProgress?: (fraction: number, phase: string) => void;
  /** Aborts the run at the next chunk; the promise rejects with a CANCELED VmarketError. */
  signal?: AbortSignal;
  /** The clock of the date checks (ISO 8601; default now): end of life and the vulnerability database's age. */
  now?: string;
}

/** Signature of the engine's entry point, `certifyImages` in `src/certification/index.ts`. */
export type CertifyImages = (input: CertifyInput) => Promise<CertificationReport>;
