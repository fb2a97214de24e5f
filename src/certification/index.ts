/**
 * `certifyImages`: the certification engine of docs/contracts.md §6. Opens every image, hashes each
 * image file (worker thread) while one pass streams every file of every file system through the
 * malware engines and secret searchers, then runs every check and returns the report.
 */
import { stat } from 'node:fs/promises';
import { certificationConfigSchema, type CertificationConfig } from '../config/schema.ts';
import { VmarketError, isVmarketError } from '../errors.ts';
import { createMemo, runChecks } from './checks/registry.ts';
import { findLinuxRoot } from './checks/root.ts';
import type { CheckContext, ContextDisk } from './checks/types.ts';
import type { OpenedDisk } from './disk/types.ts';
import { openDisk } from './fs/open.ts';
import { hashImageFiles, type ImageHashing } from './image-hash.ts';
import { type ClamEngine, openClamAv, prepareClam } from './malware/clamav.ts';
import { loadHashLists } from './malware/hashes.ts';
import { type FileRef, scanFileSystems, type ScanTarget } from './malware/scan.ts';
import { loadYaraRules } from './malware/yara.ts';
import type { CertificationReport, CertifyImages, CertifyInput, ReportImage } from './types.ts';

export type { CertificationReport, CertifyImages, CertifyInput } from './types.ts';

/** The operator policy with every default filled in. */
export function resolveCertificationConfig(config: Partial<CertificationConfig> | undefined): CertificationConfig {
  const parsed = certificationConfigSchema.safeParse(config ?? {});
  if (!parsed.success) throw new VmarketError('CONFIG_INVALID', `the certification configuration is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

function canceled(): VmarketError {
  return new VmarketError('CANCELED', 'the certification was canceled');
}

export const certifyImages: CertifyImages = async (input: CertifyInput): Promise<CertificationReport> => {
  const started = performance.now();
  const { signal } = input;
  const progress = throttled(input.onProgress);
  if (signal?.aborted) throw canceled();
  const config = resolveCertificationConfig(input.config);

  // policy first: a bad rule file or a required-but-missing ClamAV fails before any reading
  progress(0, 'loading signatures');
  const hashes = await loadHashLists(config.hashLists);
  const yara = await loadYaraRules(config.yaraRules);
  const clam = await openClamAv<FileRef>(config.clamav);

  const inputs = [
    { role: 'os' as const, lun: null, path: input.osDisk, known: input.osDiskKnown ?? {} },
    ...[...(input.dataDisks ?? [])].sort((a, b) => a.lun - b.lun).map((d) => ({ role: 'data' as const, lun: d.lun, path: d.path, known: d.known ?? {} })),
  ];
  // only files whose hash the caller does not already know are read a second time
  const toHash = inputs.filter((i) => !i.known.sha256).map((i) => i.path);
  const opened: OpenedDisk[] = [];
  let hashing: ImageHashing | null = null;
  let engine: ClamEngine<FileRef> | null = clam.engine;
  try {
    for (const image of inputs) {
      const name = image.known.name ?? image.path;
      const info = await stat(image.path).catch((error: NodeJS.ErrnoException) => {
        throw new VmarketError('FILE_UNREADABLE', `the image ${name} cannot be read: ${error.code === 'ENOENT' ? 'no such file' : error.code ?? 'error'}`, { cause: error });
      });
      if (!info.isFile()) throw new VmarketError('FILE_UNREADABLE', `the image ${name} is not a regular file`);
    }
    progress(0.01, 'opening images');
    for (const image of inputs) opened.push(await openDisk(image.path));
    hashing = toHash.length > 0 ? hashImageFiles(toHash) : null;
    const totalBytes = opened.reduce((sum, d) => sum + d.info.fileSize, 0);
    const disks: ContextDisk[] = inputs.map((image, i) => ({ role: image.role, lun: image.lun, disk: opened[i] }));

    progress(0.02, 'finding the Linux root');
    const rootSearch = await findLinuxRoot(opened[0]);

    const targets: ScanTarget[] = [];
    for (const { role, lun, disk } of disks) {
      for (const fileSystem of disk.fileSystems) if (fileSystem.fs) targets.push({ image: role, ...(lun === null ? {} : { lun }), fs: fileSystem.fs });
    }
    if (engine) await prepareClam(engine);
    const current = hashing;
    const scan = await scanFileSystems(targets, { hashes, yara, clam: engine }, {
      signal,
      onFile: (bytesRead, files) => {
        // the image hash has a known total; the file pass reads at most that much
        const fraction = Math.min(current ? current.bytes : totalBytes, bytesRead * 2, totalBytes) / Math.max(1, totalBytes);
        progress(0.02 + 0.88 * fraction, `scanning files (${files} files, ${Math.round(bytesRead / 1048576)} MiB read)`);
      },
    }).catch((error: unknown) => {
      if (signal?.aborted) throw canceled();
      throw error;
    });
    if (clam.note) scan.notes.unshift(clam.note);

    progress(0.9, 'running checks');
    const context: CheckContext = { disks, rootSearch, config, scan, memo: createMemo() };
    const checks = await runChecks(context, signal).catch((error: unknown) => {
      if (signal?.aborted) throw canceled();
      throw error;
    });

    progress(0.95, 'hashing image files');
    const abort = new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(canceled()), { once: true }));
    abort.catch(() => undefined);
    const sha = hashing ? await Promise.race([hashing.result, abort]) : new Map<string, string>();
    const images: ReportImage[] = disks.map(({ role, lun, disk }, i) => ({
      role,
      lun,
      path: inputs[i].known.name ?? disk.path,
      format: disk.info.format,
      virtualSize: disk.info.virtualSize,
      sha256: inputs[i].known.sha256 ?? sha.get(disk.path) ?? '',
      fileSize: disk.info.fileSize,
    }));
    const failed = checks.some((c) => c.severity === 'error' && c.status === 'failed');
    progress(1, 'done');
    return {
      result: failed ? 'failed' : 'passed',
      images,
      checks,
      stats: { files: scan.files, bytesRead: scan.bytesRead, durationMs: Math.round(performance.now() - started) },
    };
  } catch (error) {
    if (signal?.aborted && !(isVmarketError(error) && error.code === 'CANCELED')) throw canceled();
    throw error;
  } finally {
    await hashing?.stop();
    await engine?.close();
    engine = null;
    await Promise.all(opened.map((d) => d.close().catch(() => undefined)));
  }
};

/** Calls `onProgress` at most every 100 ms (and always for the first and last call). */
function throttled(onProgress: CertifyInput['onProgress']): (fraction: number, phase: string) => void {
  if (!onProgress) return () => {};
  let last = 0;
  return (fraction, phase) => {
    const now = performance.now();
    if (fraction > 0 && fraction < 1 && now - last < 100) return;
    last = now;
    onProgress(Math.max(0, Math.min(1, fraction)), phase);
  };
}
