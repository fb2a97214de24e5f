/**
 * The report of a certification the sandbox had to stop (time limit) or that died (memory limit,
 * a crash): result failed, the stopping check failed with evidence naming the limit, every engine
 * check `skipped` (none ran to its end), the images as far as the file system tells.
 */
import { stat } from 'node:fs/promises';
import type { StoppedCheck } from '../checks/certification-stopped.ts';
import { CHECKS, checkResult } from '../checks/registry.ts';
import type { Localized, Phrase } from '../../i18n/localized.ts';
import { say } from '../../i18n/localized.ts';
import type { CertificationReport, ReportImage } from '../types.ts';
import type { SandboxJob } from './messages.ts';

const notRun: Phrase<[id: string]> = {
  en: (id) => `skipped: the certification stopped before this check ran (see ${id})`,
  de: (id) => `übersprungen: Die Zertifizierung wurde beendet, bevor diese Prüfung lief (siehe ${id})`,
};

export async function stoppedReport(job: SandboxJob, check: StoppedCheck, message: Localized, detail: Localized, durationMs: number): Promise<CertificationReport> {
  const disks = [{ role: 'os' as const, lun: null, path: job.osDisk }, ...[...(job.dataDisks ?? [])].sort((a, b) => a.lun - b.lun).map((d) => ({ role: 'data' as const, lun: d.lun, path: d.path }))];
  const images: ReportImage[] = await Promise.all(
    disks.map(async (disk) => ({
      ...disk,
      format: 'unknown' as const,
      virtualSize: 0,
      sha256: '',
      fileSize: await stat(disk.path).then((s) => s.size, () => 0),
    })),
  );
  return {
    result: 'failed',
    images,
    checks: [
      ...CHECKS.map((c) => checkResult(c, { status: 'skipped', message: say(notRun, check.id) })),
      checkResult(check, { status: 'failed', message, evidence: [{ image: 'os', detail }] }),
    ],
    stats: { files: 0, bytesRead: 0, durationMs: Math.round(durationMs) },
  };
}
