/**
 * test-drive: skipped unless the offer enables a test drive. Enabled: its settings are checked
 * (regions a subset of the plan's, 0..10 hot instances, 1..10 hours, an https user manual), then
 * the test-drive image (the OS disk of the first plan that covers the test drive's regions) is
 * stored, content-addressed and verified, in each test-drive region.
 */
import path from 'node:path';
import { validateBoot } from '../../boot/report.ts';
import type { CertificationReport, CheckResult } from '../../certification/types.ts';
import { stagedImage, withSourceNames } from '../image-files.ts';
import { failedCheckMessage } from './certify.ts';
import { publishedVersion, type OfferSnapshot, type SnapshotPlan } from '../offer-snapshot.ts';
import { message } from '../operations.ts';
import { formatBytes, replicateToRegions } from '../replication.ts';
import type { StepMessage } from '../types.ts';
import { fieldIn, join, type Localized, type Phrase, say } from '../../i18n/localized.ts';
import { HOUR } from '../time-frame.ts';
import type { PipelineStep, StepContext, StepOutcome } from './context.ts';

const needsRegion: Localized = {
  en: 'testDrive.regions: name at least one region.',
  de: 'testDrive.regions: Nennen Sie mindestens eine Region.',
};
const notPlanSubset: Phrase<[string[]]> = {
  en: (regions) => `testDrive.regions: ${regions.join(', ')} must be a subset of one plan's regions.`,
  de: (regions) => `testDrive.regions: ${regions.join(', ')} müssen eine Teilmenge der Regionen eines Plans sein.`,
};
const hotInstancesRange: Localized = {
  en: 'testDrive.hotInstances: must be an integer from 0 to 10.',
  de: 'testDrive.hotInstances: muss eine ganze Zahl von 0 bis 10 sein.',
};
const durationRange: Localized = {
  en: 'testDrive.durationHours: must be an integer from 1 to 10.',
  de: 'testDrive.durationHours: muss eine ganze Zahl von 1 bis 10 sein.',
};
const manualNotHttps: Localized = {
  en: 'testDrive.userManualUrl: must be an https URL.',
  de: 'testDrive.userManualUrl: muss eine https-URL sein.',
};
const notEnabled: Localized = {
  en: 'No test drive is enabled for this offer.',
  de: 'Für dieses Angebot ist keine Testversion aktiviert.',
};
const testDriveReady: Phrase<[string, string[], number, number | undefined, number]> = {
  en: (plan, regions, hot, hours, copied) =>
    `Test drive on plan ${plan} in ${regions.join(', ')}: ${hot} hot instance(s), ${hours} hour(s); ${formatBytes(copied)} copied.`,
  de: (plan, regions, hot, hours, copied) =>
    `Testversion auf Plan ${plan} in ${regions.join(', ')}: ${hot} ${hot === 1 ? 'vorgehaltene Instanz' : 'vorgehaltene Instanzen'}, ${hours} ${hours === 1 ? 'Stunde' : 'Stunden'}; ${formatBytes(copied, 'de')} kopiert.`,
};

interface Checkpoint {
  sha256?: string;
  size?: number;
  /** The staged source (its identity is `sha256`/`size`). */
  source?: string;
  regions?: string[];
  /** The boot of the test-drive image, once it ran. */
  boot?: TestDriveBoot;
}

/** The test drive's boot of its image: the certify step reuses it for the same bytes instead of booting again. */
export interface TestDriveBoot {
  sha256: string;
  checks: CheckResult[];
  summary?: NonNullable<CertificationReport['boot']>;
  console?: string;
}

/** The test-drive step's boot of `sha256`, from its artifact, when it booted those bytes. */
export function testDriveBoot(artifact: unknown, sha256: string): TestDriveBoot | undefined {
  const boot = (artifact as { boot?: TestDriveBoot } | undefined)?.boot;
  return boot?.sha256 === sha256 && Array.isArray(boot.checks) && boot.checks.some((c) => c.id === 'boot.start' && c.status === 'passed') ? boot : undefined;
}

const bootOff: Localized = {
  en: 'The test-drive image was not booted: boot validation is off (certification.boot: off).',
  de: 'Das Image der Testversion wurde nicht gestartet: Die Startprüfung ist ausgeschaltet (certification.boot: off).',
};
const bootSkipped: Phrase<[string]> = {
  en: (why) => `The test-drive image was not booted: ${why}.`,
  de: (why) => `Das Image der Testversion wurde nicht gestartet: ${why}.`,
};
const bootPassed: Phrase<[number, string]> = {
  en: (s, how) => `The test-drive image booted and accepted an SSH login in ${s} s (${how}).`,
  de: (s, how) => `Das Image der Testversion ist gestartet und hat eine SSH-Anmeldung nach ${s} s angenommen (${how}).`,
};

/** The test-drive image booted as certification boots images; its report (boot checks only) when it failed. */
async function bootTestDrive(s: StepContext, plan: SnapshotPlan, source: string, staged: { file: string; sha256: string; size: number }): Promise<TestDriveBoot | null> {
  const { ctx } = s;
  if (ctx.config.certification.boot === 'off') return null;
  const base: CertificationReport = { result: 'passed', images: [], checks: [], stats: { files: 0, bytesRead: 0, durationMs: 0 } };
  const { report, console } = await validateBoot(base, {
    image: staged.file,
    openPorts: (plan.openPorts ?? []) as { protocol: 'tcp' | 'udp'; port: number }[],
    config: ctx.config,
    runtimeDir: path.join(ctx.config.dataDir, 'boot'),
    signal: s.signal,
  });
  return { sha256: staged.sha256, checks: report.checks, ...(report.boot ? { summary: report.boot } : {}), ...(console !== undefined ? { console } : {}) };
}

/** Problems of the test-drive settings, each naming its field; the plan it runs on when none. */
export function checkTestDrive(offer: OfferSnapshot): { problems: StepMessage[]; plan?: SnapshotPlan } {
  const td = offer.testDrive ?? {};
  const problems: StepMessage[] = [];
  const regions = td.regions ?? [];
  if (regions.length === 0) problems.push(message('error', needsRegion));
  const plan = offer.plans.find((p) => regions.every((r) => p.regions.includes(r)));
  if (regions.length > 0 && !plan) {
    problems.push(message('error', say(notPlanSubset, regions)));
  }
  const hot = td.hotInstances ?? 0;
  if (!Number.isInteger(hot) || hot < 0 || hot > 10) problems.push(message('error', hotInstancesRange));
  const hours = td.durationHours;
  if (hours === undefined || !Number.isInteger(hours) || hours < 1 || hours > 10) {
    problems.push(message('error', durationRange));
  }
  let manualOk = false;
  try {
    manualOk = new URL(td.userManualUrl ?? '').protocol === 'https:';
  } catch {
    manualOk = false;
  }
  if (!manualOk) problems.push(message('error', manualNotHttps));
  return { problems, plan: problems.length === 0 ? plan : undefined };
}

async function run(s: StepContext): Promise<StepOutcome> {
  const { ctx, operation, offer } = s;
  if (!offer.testDrive?.enabled) return { status: 'skipped', messages: [message('information', notEnabled)] };
  const { problems, plan } = checkTestDrive(offer);
  if (problems.length > 0 || !plan) return { status: 'blocked', error: 'The test drive settings are invalid.', messages: problems };

  const cp = s.checkpoint.get<Checkpoint>();
  const source = publishedVersion(plan).osDisk;
  // The first step that reads the image: it is staged (copied and hashed once) here, and its
  // identity recorded, so certification later checks these very bytes.
  const recorded = cp.sha256 && cp.size !== undefined ? { sha256: cp.sha256, size: cp.size } : undefined;
  const staged = await stagedImage(ctx, operation.id, source, {
    expected: recorded,
    signal: s.signal,
    onProgress: (p) => void s.progress((p.bytesDone / Math.max(1, p.bytesTotal)) * 30).catch(() => {}),
  });
  const { sha256, size, file } = staged;
  if (!recorded) await s.checkpoint.set({ sha256, size, source, regions: [] });

  // the test drive must start for customers: its image boots first (before any copy)
  let boot = cp.boot?.sha256 === sha256 ? cp.boot : undefined;
  if (!boot) {
    boot = (await bootTestDrive(s, plan, source, staged)) ?? undefined;
    if (boot) await s.checkpoint.set({ ...s.checkpoint.get<Checkpoint>(), sha256, size, source, boot });
  }
  const bootMessages: StepMessage[] = [];
  if (!boot) bootMessages.push(message('information', bootOff));
  else {
    const failed = boot.checks.filter((c) => c.status === 'failed' && c.severity === 'error');
    if (failed.length > 0) {
      const report = { ...bootReportOf(source, staged, boot), result: 'failed' as const };
      return {
        status: 'blocked',
        error: `The test-drive image did not boot: ${failed.length} check(s) failed.`,
        messages: failed.map((c) => failedCheckMessage(c)),
        // the boot's report and console, where the publisher reads certification reports
        apply: async (trx) => {
          await trx
            .insertInto('certification_reports')
            .values({ operation_id: operation.id, publisher_id: operation.publisher_id, offer_id: operation.offer_id, result: 'failed', report: JSON.stringify(report), review_status: null, console_log: boot!.console ?? null })
            .execute();
        },
      };
    }
    const start = boot.checks.find((c) => c.id === 'boot.start');
    if (start?.status === 'skipped') bootMessages.push(message('information', say(bootSkipped, start.message)));
    else if (boot.summary) {
      const how = `${boot.summary.accelerator === 'kvm' ? 'KVM' : 'software emulation'}, ${boot.summary.firmware === 'uefi' ? 'UEFI' : 'BIOS'}`;
      bootMessages.push(message('information', say(bootPassed, boot.summary.milestones.ssh ?? boot.summary.seconds, how)));
    }
    for (const c of boot.checks.filter((c) => c.status === 'warning')) bootMessages.push(message('warning', join([fieldIn(c, 'title'), ': ', fieldIn(c, 'message')])));
  }
  const done = new Set(cp.regions ?? []);
  const regions = offer.testDrive.regions ?? [];
  let copiedTotal = 0;
  const pending = regions.filter((r) => !done.has(r));
  let writes: Promise<void> = Promise.resolve();
  if (pending.length > 0) {
    await s.throwIfCanceled();
    const bytes = new Map<string, number>();
    await replicateToRegions(s, sha256, size, pending, {
      source: file,
      sourceName: source,
      onBytes: (region, n) => {
        bytes.set(region, n);
        void s.progress(30 + ([...bytes.values()].reduce((a, b) => a + b, 0) / (size * pending.length || 1)) * 70).catch(() => {});
      },
      onRegionDone: (region, copied) => {
        done.add(region);
        copiedTotal += copied;
        const snapshot = { sha256, size, source, regions: [...done] };
        writes = writes.then(() => s.checkpoint.set(snapshot)).catch(() => {});
      },
    }).catch((error: unknown) => {
      throw withSourceNames(error, [[file, source]]);
    });
    await writes;
  }
  return {
    status: 'complete',
    artifacts: { planId: plan.id, source, sha256, size, regions, ...(boot ? { boot } : {}) },
    messages: [
      ...bootMessages,
      message('information', say(testDriveReady, plan.id, regions, offer.testDrive.hotInstances ?? 0, offer.testDrive.durationHours, copiedTotal)),
    ],
  };
}

function bootReportOf(source: string, staged: { sha256: string; size: number }, boot: TestDriveBoot): CertificationReport {
  return {
    result: 'passed',
    // the boot's own report: the disk's format and contents are certification's to read, in the certify step
    images: [{ role: 'os', lun: null, path: source, format: 'unknown', virtualSize: 0, sha256: staged.sha256, fileSize: staged.size }],
    checks: boot.checks,
    stats: { files: 0, bytesRead: 0, durationMs: 0 },
    ...(boot.summary ? { boot: boot.summary } : {}),
  };
}

export const testDriveStep: PipelineStep = {
  id: 'test-drive',
  name: { en: 'Test drive validation', de: 'Validierung der Testversion' },
  description: {
    en: "If the test drive is enabled, its settings are checked against the plan and its image is replicated to the test drive's regions.",
    de: 'Ist die Testversion aktiviert, werden ihre Einstellungen gegen den Plan geprüft, und ihr Image wird in die Regionen der Testversion repliziert.',
  },
  queue: 'pipeline',
  expectedMaxSeconds: 2 * HOUR,
  run,
  // the test-drive image, known from the checkpoint as soon as it is hashed (before any copy)
  storedObjects: ({ artifact, checkpoint }) =>
    [(artifact as { sha256?: unknown } | undefined)?.sha256, (checkpoint as Checkpoint | undefined)?.sha256].filter(
      (sha256): sha256 is string => typeof sha256 === 'string',
    ),
};
