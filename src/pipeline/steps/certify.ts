/**
 * certify: runs the certification engine (docs/contracts.md §6) on every plan image, each distinct image
 * set (OS disk + data disks) once, stores each report, and records the SHA-256 and size of every
 * image file for provisioning (which verifies them again while copying). A failed report blocks
 * the step with one message per failed check; with `certification.manualReview` a passed report
 * waits for an operator (`reviewCertification`). Each certification runs in the sandbox
 * (src/certification/sandbox/): a run past `certification.sandbox` limits blocks the step with
 * the failed `image.certification-time` or `image.certification-crash` check.
 */
import path from 'node:path';
import type { Trx } from '../../app/context.ts';
import { type BootValidation, mergeBoot, validateBoot } from '../../boot/report.ts';
import { DISK_FORMATS, type DiskFormat } from '../../contracts/certification.ts';
import { testDriveBoot } from './test-drive.ts';
import { certifyInSandbox } from '../../certification/sandbox/index.ts';
import { detachSbom } from '../../certification/sbom/detach.ts';
import { vulnDbDirectory } from '../../vulndb/store.ts';
import type { CertificationReport, CheckResult } from '../../certification/types.ts';
import { type CertifiedImage, type ImageIdentity, recordedImages, type StagedImage, stagedImage, withSourceNames } from '../image-files.ts';
import { planDisks, type PlanDisk } from '../offer-snapshot.ts';
import { message } from '../operations.ts';
import type { ReviewStatus } from '../../contracts/index.ts';
import type { StepMessage } from '../types.ts';
import { fieldIn, join, type Localized, type Phrase, say } from '../../i18n/localized.ts';
import { DAY } from '../time-frame.ts';
import type { PipelineStep, StepContext, StepOutcome } from './context.ts';

const certifying: Phrase<[string[]]> = {
  en: (plans) => `Certifying the image of plan ${plans.join(', ')}.`,
  de: (plans) => `Das Image von Plan ${plans.join(', ')} wird zertifiziert.`,
};
const passed: Phrase<[number, boolean]> = {
  en: (images, manual) => `Certification passed for ${images} image(s)${manual ? '; waiting for the operator\'s review' : ''}.`,
  de: (images, manual) =>
    `Zertifizierung für ${images} ${images === 1 ? 'Image' : 'Images'} bestanden${manual ? '; sie wartet auf die Prüfung durch den Betreiber' : ''}.`,
};
const planPrefix: Phrase<[string[]]> = {
  en: (plans) => `[plan ${plans.join(', ')}] `,
  de: (plans) => `[Plan ${plans.join(', ')}] `,
};
const booting: Phrase<[string[]]> = {
  en: (plans) => `Booting the image of plan ${plans.join(', ')} under QEMU.`,
  de: (plans) => `Das Image von Plan ${plans.join(', ')} wird unter QEMU gestartet.`,
};
const evidenceLabel: Localized = { en: ' Evidence: ', de: ' Belege: ' };
const remediationLabel: Localized = { en: ' Remediation: ', de: ' Abhilfe: ' };
const andMore: Phrase<[number]> = {
  en: (more) => ` (and ${more} more)`,
  de: (more) => ` (und ${more} weitere)`,
};

interface ImageSet {
  key: string;
  planIds: string[];
  disks: PlanDisk[];
}

interface Checkpoint {
  /** Reports of image sets already certified, by set key (a restarted worker does not redo them). */
  done?: Record<string, CertificationReport>;
  /** Image sets whose boot validation ran (or was decided against), by set key, with the console log when a VM ran. */
  booted?: Record<string, { console?: string }>;
  /** The identity of every source staged so far, by source: what a restarted worker must find again. */
  staged?: Record<string, ImageIdentity>;
  /** The SBOM document of each image set certified (kept beside its report, never in it). */
  sboms?: Record<string, string>;
}

/** Distinct image sets: plans that publish the very same disks are certified once. */
export function imageSets(s: StepContext): ImageSet[] {
  const sets = new Map<string, ImageSet>();
  for (const plan of s.offer.plans) {
    const disks = planDisks(plan);
    const key = disks.map((d) => `${d.role}:${d.lun ?? ''}:${d.source}`).join('|');
    const existing = sets.get(key);
    if (existing) existing.planIds.push(plan.id);
    else sets.set(key, { key, planIds: [plan.id], disks });
  }
  return [...sets.values()];
}

async function run(s: StepContext): Promise<StepOutcome> {
  const { ctx, operation } = s;
  const sets = imageSets(s);
  const checkpoint = s.checkpoint.get<Checkpoint>();
  const done = { ...(checkpoint.done ?? {}) };
  const staged = { ...(checkpoint.staged ?? {}) };
  const booted = { ...(checkpoint.booted ?? {}) };
  const sboms = { ...(checkpoint.sboms ?? {}) };
  const save = () => s.checkpoint.set({ done, staged, booted, sboms });
  const images: Record<string, CertifiedImage> = {};

  for (const [index, set] of sets.entries()) {
    await s.throwIfCanceled();
    let report = done[set.key];
    // Each source is staged once (or found staged by the test drive): the engine reads only these
    // private bytes, and their identity is recorded before certification starts.
    const files = new Map<PlanDisk, StagedImage>();
    for (const disk of set.disks) {
      const expected = recordedImages(s.artifacts, { staged })[disk.source];
      const file = await stagedImage(ctx, operation.id, disk.source, { expected, signal: s.signal });
      files.set(disk, file);
      if (!expected) {
        staged[disk.source] = { sha256: file.sha256, size: file.size };
        await save();
      }
    }
    if (!report) {
      const os = set.disks.find((d) => d.role === 'os')!;
      const known = (d: PlanDisk) => ({ sha256: files.get(d)!.sha256, name: d.source, ...(d.declaredFormat ? { format: d.declaredFormat } : {}) });
      await s.progress((index / sets.length) * 100, say(certifying, set.planIds));
      // in a child process with time and memory limits: a hostile image can only fail its own certification
      const engineReport = await certifyInSandbox({
        osDisk: files.get(os)!.file,
        osDiskKnown: known(os),
        dataDisks: set.disks.filter((d) => d.role === 'data').map((d) => ({ lun: d.lun!, path: files.get(d)!.file, known: known(d) })),
        config: { ...ctx.config.certification, vulnerabilities: { ...ctx.config.certification.vulnerabilities, directory: vulnDbDirectory(ctx.config) } },
        signal: s.signal,
        onProgress: (fraction: number) => {
          void s.progress(((index + fraction) / sets.length) * 100).catch(() => {});
        },
      }).catch((error: unknown) => {
        throw withSourceNames(error, [...files].map(([disk, staged]) => [staged.file, disk.source]));
      });
      const detached = detachSbom(engineReport);
      report = detached.report;
      if (detached.sbom !== null) sboms[set.key] = detached.sbom;
      done[set.key] = report;
      await save();
    }
    if (!booted[set.key]) {
      const os = set.disks.find((d) => d.role === 'os')!;
      const result = await bootSet(s, set, report, files.get(os)!);
      report = result.report;
      done[set.key] = report;
      booted[set.key] = result.console === undefined ? {} : { console: result.console };
      await save();
    }
    for (const disk of set.disks) {
      const file = files.get(disk)!;
      images[disk.source] = {
        sha256: file.sha256,
        size: file.size,
        ...readDisk(report, disk.source),
        // the SBOM lists the OS disk's packages: the signed package names it there
        ...(disk.role === 'os' && report.sbom ? { sbom: { sha256: report.sbom.sha256, components: report.sbom.components, format: report.sbom.format } } : {}),
      };
    }
  }

  const reports = sets.map((set) => ({ set, report: done[set.key] }));
  const failed = reports.filter((r) => r.report.result === 'failed');
  const manual = ctx.config.certification.manualReview;
  const insertReports = (reviewStatus: ReviewStatus | null) => async (trx: Trx) => {
    for (const { set, report } of reports) {
      await trx
        .insertInto('certification_reports')
        .values({
          operation_id: operation.id,
          publisher_id: operation.publisher_id,
          offer_id: operation.offer_id,
          result: report.result,
          report: JSON.stringify(report),
          review_status: reviewStatus,
          console_log: booted[set.key]?.console ?? null,
          sbom: sboms[set.key] ?? null,
        })
        .execute();
    }
  };
  const warnings = reports.flatMap(({ set, report }) =>
    report.checks
      .filter((c) => c.status === 'warning')
      .map((c) => message('warning', join([prefix(set, sets.length), fieldIn(c, 'title'), ': ', fieldIn(c, 'message')]))),
  );

  if (failed.length > 0) {
    const messages = failed.flatMap(({ set, report }) => report.checks.filter((c) => c.status === 'failed' && c.severity === 'error').map((c) => failedCheckMessage(c, prefix(set, sets.length))));
    return {
      status: 'blocked',
      error: `Certification failed: ${messages.length} check(s) failed.`,
      messages: [...messages, ...warnings],
      apply: insertReports(null),
    };
  }
  const summary = message('information', say(passed, Object.keys(images).length, manual));
  return {
    status: manual ? 'waitingForApproval' : 'complete',
    artifacts: { images },
    messages: [...warnings, summary],
    apply: insertReports(manual ? 'pending' : null),
  };
}

/**
 * Boot validation of one image set's OS disk (src/boot/), by the operator's
 * `certification.boot`: the test drive's boot of the very same bytes when that step made one,
 * else a boot of the staged file now. The plans' open ports are probed.
 */
async function bootSet(s: StepContext, set: ImageSet, report: CertificationReport, os: StagedImage): Promise<BootValidation> {
  const { ctx } = s;
  if (ctx.config.certification.boot === 'off') return { report };
  const earlier = testDriveBoot(s.artifacts['test-drive'], os.sha256);
  if (earlier && report.result === 'passed') return { report: mergeBoot(report, earlier.checks, earlier.summary), console: earlier.console };
  const plans = s.offer.plans.filter((p) => set.planIds.includes(p.id));
  const openPorts = plans.flatMap((p) => (p.openPorts ?? []) as { protocol: 'tcp' | 'udp'; port: number }[]);
  const format = report.images.find((i) => i.role === 'os')?.format;
  await s.progress(99, say(booting, set.planIds));
  return validateBoot(report, {
    image: os.file,
    format: (DISK_FORMATS as readonly string[]).includes(format ?? '') ? (format as DiskFormat) : undefined,
    openPorts,
    config: ctx.config,
    runtimeDir: path.join(ctx.config.dataDir, 'boot'),
    signal: s.signal,
  });
}

/**
 * What the report says of the virtual disk of `source` (matched by the report's `path`, the
 * source's name): its format, virtual size and, when the engine computed it, its SHA-256.
 * Provisioning converts from that format and checks every conversion against that hash.
 */
function readDisk(report: CertificationReport, source: string): Omit<CertifiedImage, 'sha256' | 'size'> {
  const image = report.images.find((i) => i.path === source) as (CertificationReport['images'][number] & { virtualSha256?: unknown }) | undefined;
  if (!image) return {};
  return {
    format: image.format,
    virtualSize: image.virtualSize,
    ...(typeof image.virtualSha256 === 'string' ? { virtualSha256: image.virtualSha256 } : {}),
  };
}

function prefix(set: ImageSet, count: number): Localized | string {
  return count > 1 ? say(planPrefix, set.planIds) : '';
}

/**
 * One failed check as the publisher reads it: title, what was found where, how to fix it. The
 * report's texts (title, message, evidence, remediation) are quoted in each of their languages.
 */
export function failedCheckMessage(check: CheckResult, prefixText: Localized | string = ''): StepMessage {
  const evidence = check.evidence
    .slice(0, 5)
    .map((e) => join([`${e.image}${e.lun !== undefined ? ` lun ${e.lun}` : ''}${e.path ? ` ${e.path}` : ''}${e.line ? `:${e.line}` : ''}: `, fieldIn(e, 'detail')]));
  const more = check.evidence.length > 5 ? say(andMore, check.evidence.length - 5) : '';
  return message(
    'error',
    join([
      prefixText,
      fieldIn(check, 'title'),
      ` (${check.id}): `,
      fieldIn(check, 'message'),
      ...(evidence.length > 0 ? [evidenceLabel, join(evidence, '; '), more, '.'] : []),
      remediationLabel,
      fieldIn(check, 'remediation'),
    ]),
  );
}

export const certifyStep: PipelineStep = {
  id: 'certify',
  name: { en: 'Certification', de: 'Zertifizierung' },
  description: {
    en: 'Every disk image is read and checked for format, security compliance, viruses and malware; failures come with evidence and remediation.',
    de: 'Jedes Festplatten-Image wird gelesen und auf Format, Sicherheitsvorgaben, Viren und Schadsoftware geprüft; Fehler kommen mit Belegen und Abhilfe.',
  },
  queue: 'certify',
  expectedMaxSeconds: 3 * DAY,
  run,
  // provision and deploy store the certified images under the SHA-256s certification recorded
  storedObjects: ({ artifact }) =>
    Object.values((artifact as { images?: Record<string, { sha256?: string }> } | undefined)?.images ?? {}).flatMap((image) =>
      typeof image?.sha256 === 'string' ? [image.sha256] : [],
    ),
};
