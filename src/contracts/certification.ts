/**
 * The certification report (docs/contracts.md §6): what the `certify` command writes and what
 * `GET …/certification` answers, the latter with the API's `operationId` and `review` added.
 * Loose objects, so extensions (`fileSize`, `translations`) pass.
 */
import { z } from 'zod';
import { imageRoleSchema } from './catalog.ts';

export const REPORT_RESULTS = ['passed', 'failed'] as const;
export const reportResultSchema = z.enum(REPORT_RESULTS);
export type ReportResult = z.infer<typeof reportResultSchema>;

export const CHECK_STATUSES = ['passed', 'failed', 'warning', 'skipped'] as const;
export const checkStatusSchema = z.enum(CHECK_STATUSES);
export type CheckStatus = z.infer<typeof checkStatusSchema>;

export const CHECK_SEVERITIES = ['error', 'warning'] as const;
export const checkSeveritySchema = z.enum(CHECK_SEVERITIES);
export type CheckSeverity = z.infer<typeof checkSeveritySchema>;

/** What the image reader recognised the file as. */
export const IMAGE_FORMATS = ['vhd-fixed', 'vhd-dynamic', 'vhd-differencing', 'qcow2', 'vmdk', 'vhdx', 'raw', 'unknown'] as const;
/** The formats whose virtual disk vmarket reads and an operator may accept (`certification.acceptedFormats`). */
export const DISK_FORMATS = ['raw', 'qcow2', 'vmdk', 'vhdx', 'vhd-fixed', 'vhd-dynamic'] as const;
export type DiskFormat = (typeof DISK_FORMATS)[number];
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

export const REVIEW_STATUSES = ['pending', 'approved', 'rejected'] as const;
export const reviewStatusSchema = z.enum(REVIEW_STATUSES);
export type ReviewStatus = z.infer<typeof reviewStatusSchema>;

export const reportImageSchema = z.looseObject({
  role: imageRoleSchema,
  lun: z.number().nullable(),
  path: z.string().describe('The image as its supplier wrote it: the offer\'s source in the pipeline (never a server path), the command-line path for `vmarket certify`.'),
  format: z.string().describe(IMAGE_FORMATS.join(' | ')),
  virtualSize: z.number(),
  sha256: z.string().describe('SHA-256 (hex) of the whole image file as supplied.'),
  virtualSha256: z
    .string()
    .optional()
    .describe('SHA-256 (hex) of the virtual disk (the bytes a VM sees), the same in every container format; absent when the image was refused (extension).'),
  fileSize: z.number().optional().describe('Size of the image file in bytes (extension).'),
});
export type ReportImage = z.infer<typeof reportImageSchema>;

export const evidenceSchema = z.looseObject({
  image: imageRoleSchema.describe('os, or data (with lun).'),
  lun: z.number().optional(),
  path: z
    .string()
    .optional()
    .describe('Absolute path inside the guest file system; for the boot checks where it was seen: console (line = console line), firmware, qemu, seed, ssh, tcp/PORT.'),
  line: z.number().optional(),
  detail: z.string(),
});
export type Evidence = z.infer<typeof evidenceSchema>;

export const checkSchema = z.looseObject({
  id: z.string(),
  status: checkStatusSchema,
  severity: checkSeveritySchema,
  title: z.string(),
  message: z.string(),
  evidence: z.array(evidenceSchema),
  remediation: z.string(),
});
export type CheckResult = z.infer<typeof checkSchema>;

export const reportStatsSchema = z.looseObject({ files: z.number(), bytesRead: z.number(), durationMs: z.number() });

/** How the boot validation's VM ran (extension, present when it booted). */
export const bootSummarySchema = z.looseObject({
  accelerator: z.string().describe('kvm, or tcg (software emulation).'),
  firmware: z.string().describe('bios or uefi.'),
  architecture: z.string(),
  memoryMiB: z.number(),
  seconds: z.number().describe('From QEMU starting to the VM being stopped.'),
  milestones: z
    .looseObject({ kernel: z.number().optional(), userSpace: z.number().optional(), provisioned: z.number().optional(), ssh: z.number().optional() })
    .describe('Seconds from QEMU starting to: the kernel printing, init running, cloud-init finishing, the SSH login.'),
  consoleBytes: z.number().optional().describe('Size of the kept console log (downloadable beside the report).'),
  kvmFallback: z.string().optional().describe('Why KVM, though present, was given up for software emulation.'),
});

/** The CycloneDX SBOM of the OS disk's packages (extension; the document is served beside the report). */
export const sbomSummarySchema = z.looseObject({
  format: z.string().describe('CycloneDX 1.6 (JSON).'),
  components: z.number().describe('Installed packages listed.'),
  sha256: z.string().describe('SHA-256 (hex) of the SBOM document\'s bytes as served.'),
});

/** The vulnerability database packages.vulnerabilities matched against (extension). */
export const vulnerabilityDatabaseSchema = z.looseObject({
  syncedAt: z.string().describe('When `vmarket vulndb sync` wrote it.'),
  ageDays: z.number().describe('Whole days from syncedAt to the certification.'),
  ecosystems: z.array(z.string()).describe('OSV ecosystems matched (Debian:12, Ubuntu:22.04:LTS …).'),
  source: z.string().describe('Where the archives came from (URL prefix or directory).'),
});

/** The report as the engine writes it (`vmarket certify --format json`). */
export const reportSchema = z.looseObject({
  result: reportResultSchema,
  images: z.array(reportImageSchema),
  checks: z.array(checkSchema),
  stats: reportStatsSchema,
  boot: bootSummarySchema.optional(),
  sbom: sbomSummarySchema.optional(),
  vulnerabilityDatabase: vulnerabilityDatabaseSchema.optional(),
});
export type Report = z.infer<typeof reportSchema>;

export const reviewSchema = z.looseObject({
  status: reviewStatusSchema,
  reviewer: z.string().nullable(),
  feedback: z.string().nullable(),
  reviewedAt: z.string().nullable(),
});
export type Review = z.infer<typeof reviewSchema>;

/** `GET /publishers/{pub}/offers/{offer}/certification`: the report plus operationId and review. */
export const certificationReportSchema = reportSchema
  .extend({
    operationId: z.string().describe('The operation whose certification this is.'),
    review: reviewSchema.nullable().describe('The operator\'s manual review; null when certification decided alone.'),
    bootConsole: z.string().optional().describe('Where the serial console log of the boot validation is (GET, text/plain); absent when nothing booted (extension).'),
    sbomDocument: z.string().optional().describe('Where the CycloneDX SBOM is (GET, application/vnd.cyclonedx+json); absent when no package database was read (extension).'),
  })
  .meta({ id: 'CertificationReport', description: 'docs/contracts.md §6, plus operationId and review.' });
export type CertificationReport = z.infer<typeof certificationReportSchema>;

/** `POST …/certification/review`. */
export const REVIEW_DECISIONS = ['approve', 'reject'] as const;
export const reviewAnswerSchema = z.object({ operationId: z.string(), decision: z.enum(REVIEW_DECISIONS) });
export type ReviewAnswer = z.infer<typeof reviewAnswerSchema>;
