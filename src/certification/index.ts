/**
 * `certifyImages`: the certification engine of docs/contracts.md §6. Opens every image, hashes each
 * image file (worker thread) while one pass streams every file of every file system through the
 * malware engines and secret searchers, then runs every check and returns the report.
 */
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { certificationConfigSchema, type CertificationConfig } from '../config/schema.ts';
import { VmarketError, isVmarketError } from '../errors.ts';
import { createMemo, runChecks } from './checks/registry.ts';
import { ownedFilesOf, packageDatabasesOf } from './checks/common.ts';
import { osReleaseOf } from './checks/os-release.ts';
import { VULNERABILITY_DATABASE_MEMO, type VulnerabilityDatabaseSummary } from './checks/vulnerabilities.ts';
import { buildSbom, serializeSbom } from './sbom/cyclonedx.ts';
import { findLinuxRoot } from './checks/root.ts';
import type { CheckContext, ContextDisk } from './checks/types.ts';
import type { DeclaredImage, OpenedDisk } from './disk/types.ts';
import { openDisk } from './fs/open.ts';
import { type HashJob, hashImages, type ImageHashes, type ImageHashing } from './image-hash.ts';
import { type ClamEngine, openClamAv, prepareClam } from './malware/clamav.ts';
import { loadHashLists } from './malware/hashes.ts';
import { type FileRef, readBudget, scanFileSystems, type ScanTarget } from './malware/scan.ts';
import { loadYaraRules } from './malware/yara.ts';
import type { CertificationReport, CertifyImages, CertifyInput, ImageFormat, ReportImage } from './types.ts';

export type { CertificationReport, CertifyImages, CertifyInput } from './types.ts';

/** The operator policy with every default filled in. */
export function resolveCertificationConfig(config: Partial<CertificationConfig> | undefined): CertificationConfig {
  const parsed = certificationConfigSchema.safeParse(config ?? {});
  if (!parsed.success) throw new VmarketError('CONFIG_INVALID', `the certification configuration is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

const TOOL_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

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
  const opened: OpenedDisk[] = [];
  const allocated: number[] = [];
  let hashing: ImageHashing | null = null;
  let engine: ClamEngine<FileRef> | null = clam.engine;
  try {
    for (const image of inputs) {
      const name = image.known.name ?? image.path;
      const info = await stat(image.path).catch((error: NodeJS.ErrnoException) => {
        throw new VmarketError('FILE_UNREADABLE', `the image ${name} cannot be read: ${error.code === 'ENOENT' ? 'no such file' : error.code ?? 'error'}`, { cause: error });
      });
      if (!info.isFile()) throw new VmarketError('FILE_UNREADABLE', `the image ${name} is not a regular file`);
      // what the image file really holds (a sparse file's holes are not), the base of its read budget
      allocated.push(Math.min(info.size, info.blocks > 0 ? info.blocks * 512 : info.size));
    }
    progress(0.01, 'opening images');
    for (const image of inputs) opened.push(await openDisk(image.path, declaredOf(image)));
    const jobs = hashJobs(inputs, opened);
    hashing = jobs.length > 0 ? hashImages(jobs) : null;
    const totalBytes = opened.reduce((sum, d) => sum + d.info.fileSize, 0);
    const disks: ContextDisk[] = inputs.map((image, i) => ({ role: image.role, lun: image.lun, disk: opened[i] }));

    progress(0.02, 'finding the Linux root');
    const rootSearch = await findLinuxRoot(opened[0]);
    // the root's package databases, read once: the pass compares the files they own, the checks read the names
    const memo = createMemo();
    const packageFiles = rootSearch.root ? { fs: rootSearch.root, index: await ownedFilesOf(memo, rootSearch.root, config.limits) } : undefined;

    const targets: ScanTarget[] = [];
    for (const [i, { role, lun, disk }] of disks.entries()) {
      const budget = readBudget(allocated[i], config.limits);
      for (const fileSystem of disk.fileSystems) if (fileSystem.fs) targets.push({ image: role, ...(lun === null ? {} : { lun }), fs: fileSystem.fs, budget });
    }
    if (engine) await prepareClam(engine);
    const current = hashing;
    const scan = await scanFileSystems(targets, { hashes, yara, clam: engine }, {
      signal,
      limits: config.limits,
      ...(packageFiles ? { packageFiles } : {}),
      onFile: (bytesRead, files) => {
        // the image hash has a known total; the file pass reads at most that much
        const fraction = Math.min(current ? current.fraction : 1, (bytesRead * 2) / Math.max(1, totalBytes), 1);
        progress(0.02 + 0.88 * fraction, `scanning files (${files} files, ${Math.round(bytesRead / 1048576)} MiB read)`);
      },
    }).catch((error: unknown) => {
      if (signal?.aborted) throw canceled();
      throw error;
    });
    if (clam.note) scan.notes.unshift(clam.note);

    progress(0.9, 'running checks');
    const now = input.now ? new Date(input.now) : new Date();
    if (Number.isNaN(now.getTime())) throw new VmarketError('USAGE', `the certification clock ${input.now} is not a date`);
    const context: CheckContext = { disks, rootSearch, config, scan, memo, now };
    const checks = await runChecks(context, signal).catch((error: unknown) => {
      if (signal?.aborted) throw canceled();
      throw error;
    });

    progress(0.95, 'hashing image files');
    const abort = new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(canceled()), { once: true }));
    abort.catch(() => undefined);
    const imageHashes = hashing ? await Promise.race([hashing.result, abort]) : new Map<string, ImageHashes>();
    const images: ReportImage[] = disks.map(({ role, lun, disk }, i) => {
      const known = inputs[i].known;
      const sha256 = known.sha256 ?? imageHashes.get(disk.path)?.sha256 ?? '';
      // a raw image is its virtual disk: the file's hash is the disk's
      const virtualSha256 = disk.diskReadable ? (disk.info.format === 'raw' && known.sha256 ? known.sha256 : imageHashes.get(disk.path)?.virtualSha256) : undefined;
      return {
        role,
        lun,
        path: known.name ?? disk.path,
        format: disk.info.format,
        virtualSize: disk.info.virtualSize,
        sha256,
        ...(virtualSha256 ? { virtualSha256 } : {}),
        fileSize: disk.info.fileSize,
      };
    });
    const failed = checks.some((c) => c.severity === 'error' && c.status === 'failed');
    const sbom = rootSearch.root ? await sbomOf(context, rootSearch.root, images[0], now) : null;
    const vulnerabilityDatabase = await memo<VulnerabilityDatabaseSummary | null>(VULNERABILITY_DATABASE_MEMO, async () => null);
    progress(1, 'done');
    return {
      result: failed ? 'failed' : 'passed',
      images,
      checks,
      stats: { files: scan.files, bytesRead: scan.bytesRead, durationMs: Math.round(performance.now() - started) },
      ...(sbom ? { sbom: sbom.summary, sbomJson: sbom.text } : {}),
      ...(vulnerabilityDatabase ? { vulnerabilityDatabase } : {}),
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

/** The CycloneDX SBOM of the root's package databases (the ones the checks read), or null when the guest has none. */
async function sbomOf(context: CheckContext, root: NonNullable<CheckContext['rootSearch']['root']>, os: ReportImage, now: Date) {
  const { databases } = await packageDatabasesOf(context.memo, root, context.config.limits);
  if (databases.length === 0) return null;
  const release = await osReleaseOf(context, root).catch(() => null);
  const bom = buildSbom({
    packages: databases.flatMap((d) => d.packages),
    os: release ? { id: release.ID ?? '', versionId: release.VERSION_ID ?? '', ...(release.PRETTY_NAME ? { prettyName: release.PRETTY_NAME } : {}) } : null,
    image: { name: os.path, ...(os.sha256 ? { sha256: os.sha256 } : {}) },
    toolVersion: TOOL_VERSION,
    now,
  });
  return serializeSbom(bom);
}

type EngineInput = { path: string; known: { sha256?: string; name?: string; format?: ImageFormat } };

function declaredOf(image: EngineInput): DeclaredImage {
  return { name: image.known.name ?? image.path, ...(image.known.format ? { format: image.known.format } : {}) };
}

/**
 * What the hashing thread reads for each image: the file when its hash is not known yet (the
 * pipeline hashed its staged copies already), and the virtual disk unless the image was refused.
 */
function hashJobs(inputs: EngineInput[], opened: OpenedDisk[]): HashJob[] {
  const jobs: HashJob[] = [];
  inputs.forEach((image, i) => {
    const { info, diskReadable } = opened[i];
    const file = !image.known.sha256;
    let virtual: HashJob['virtual'] = 'none';
    if (diskReadable) virtual = info.format === 'raw' ? 'same' : info.format === 'vhd-fixed' || info.format === 'unknown' ? 'prefix' : 'decode';
    // a raw image whose file hash is known has its virtual hash too
    if (virtual === 'same' && !file) virtual = 'none';
    if (!file && virtual === 'none') return;
    const bytes = (file || virtual !== 'decode' ? info.fileSize : 0) + (virtual === 'decode' ? info.virtualSize : 0);
    jobs.push({ path: image.path, file, virtual, prefixBytes: opened[i].disk.size, declared: declaredOf(image), bytes });
  });
  return jobs;
}

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
