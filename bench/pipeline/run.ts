/**
 * The pipeline benchmark (`node bench/pipeline/run.ts`, under the project's Node 24):
 *   1. one offer with a 1 GiB image published to three file-system regions, sign-off automatic;
 *      its time is printed as a ratio to a baseline measured in the same run on the same disk:
 *      one SHA-256 pass over the image plus `cp` of it into three directories;
 *   2. the same image republished (new version, same bytes): bytes copied (content addressing
 *      should make it 0);
 *   3. 100 small offers published at once, all the way to live;
 *   4. conversion: the image as qcow2 (BENCH_CONVERSION_FROM) published to one region serving a
 *      fixed VHD (BENCH_CONVERSION_TO): the provision step's time against `qemu-img convert` of
 *      the same file alone, measured in the same run.
 * The 1 GiB image is built once and cached under bench/.cache/.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { startVmarket } from '../../src/app/start.ts';
import { loadConfig } from '../../src/config/load.ts';
import { putDraft } from '../../src/offers/repository.ts';
import { getOfferStatus, goLive, publishOffer } from '../../src/pipeline/service.ts';
import { hashFile } from '../../src/storage/hash.ts';
import { convertArguments } from '../../src/storage/qemu-img.ts';
import type { DeliveryTarget } from '../../src/contracts/catalog.ts';
import { baseLinuxTree, buildImage } from '../../test/fixtures/images.ts';
import type { AppContext } from '../../src/app/context.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const CACHE = path.join(ROOT, 'bench', '.cache');
const BIG_MIB = Number(process.env.BENCH_IMAGE_MIB ?? 1024);
const SMALL_OFFERS = Number(process.env.BENCH_SMALL_OFFERS ?? 100);
const CONVERSION_FROM = process.env.BENCH_CONVERSION_FROM ?? 'qcow2';
const CONVERSION_TO = process.env.BENCH_CONVERSION_TO ?? 'vhd-fixed';
const EXTENSION: Record<string, string> = { raw: 'raw', qcow2: 'qcow2', vmdk: 'vmdk', 'vhd-fixed': 'vhd', vhdx: 'vhdx' };

/** Seconds of one step of the offer's latest operation. */
async function stepSeconds(ctx: AppContext, offerId: string, stepId: string): Promise<number> {
  const s = await getOfferStatus(ctx, 'bench', offerId);
  const x = s.steps.find((step) => step.id === stepId);
  return x?.startedAt && x.completedAt ? (Date.parse(x.completedAt) - Date.parse(x.startedAt)) / 1000 : NaN;
}

function offer(id: string, osDisk: string, version: string, regions: string[]) {
  return {
    id,
    publisher: 'bench',
    listing: {
      title: `Bench ${id}`,
      summary: 'Benchmark offer.',
      description: 'Published by bench/pipeline/run.ts.',
      categories: ['linux'],
      keywords: ['bench'],
      privacyUrl: 'https://example.com/privacy',
      termsOfUse: 'Benchmark.',
      support: { name: 'Support', email: 'support@example.com' },
      engineering: { name: 'Engineering', email: 'eng@example.com' },
    },
    previewAudience: ['00000000-0000-4000-8000-0000000000aa'],
    leads: { destination: 'table' },
    plans: [
      {
        id: 'standard',
        title: 'Standard',
        summary: 'One disk.',
        description: 'One OS disk.',
        os: { family: 'linux', type: 'ubuntu', name: 'Ubuntu 22.04' },
        regions,
        recommendedSizes: ['small'],
        openPorts: [{ protocol: 'tcp', port: 22 }],
        pricing: { model: 'free' },
        images: [{ version, osDisk }],
      },
    ],
  };
}

/** Publishes, signs off as soon as the preview is ready, and waits until live. Returns seconds. */
async function publishToLive(ctx: AppContext, offerId: string): Promise<number> {
  const t0 = performance.now();
  await publishOffer(ctx, { publisherId: 'bench', offerId, actor: 'publisher:bench', notifyEmails: [] });
  let signedOff = false;
  for (;;) {
    const s = await getOfferStatus(ctx, 'bench', offerId);
    if (s.status === 'succeeded') return (performance.now() - t0) / 1000;
    if (s.status === 'failed' || s.status === 'canceled') {
      throw new Error(`${offerId} ${s.status}: ${JSON.stringify(s.steps.map((x) => [x.id, x.status, x.messages.at(-1)?.text]))}`);
    }
    if (s.status === 'waitingForPublisherReview' && !signedOff) {
      await goLive(ctx, 'bench', offerId, 'publisher:bench');
      signedOff = true;
    }
    await new Promise((r) => setTimeout(r, Number(process.env.BENCH_POLL_MS ?? 500)));
  }
}

async function bytesCopied(ctx: AppContext, offerId: string): Promise<number> {
  const s = await getOfferStatus(ctx, 'bench', offerId);
  const op = await ctx.db.kysely.selectFrom('operations').select('artifacts').where('id', '=', s.operationId!).executeTakeFirstOrThrow();
  const a = op.artifacts as Record<string, any>;
  return (a.provision?.bytesCopied ?? 0) + (a.deploy?.bytesCopied ?? 0) + (a['test-drive']?.bytesCopied ?? 0);
}

/** `certify 1.20 s, provision 2.10 s, …` for the offer's latest operation (steps that took ≥ 10 ms). */
async function stepDurations(ctx: AppContext, offerId: string): Promise<string> {
  const s = await getOfferStatus(ctx, 'bench', offerId);
  return s.steps
    .filter((x) => x.startedAt && x.completedAt)
    .map((x) => [x.id, (Date.parse(x.completedAt!) - Date.parse(x.startedAt!)) / 1000] as const)
    .filter(([, seconds]) => seconds >= 0.01)
    .map(([id, seconds]) => `${id} ${seconds.toFixed(2)} s`)
    .join(', ');
}

async function main(): Promise<void> {
  await mkdir(CACHE, { recursive: true });
  // About 80% of the disk is data (pseudo-random, incompressible), as in a real OS image: a
  // mostly empty image would make `cp` (which keeps holes) an unfair, near-free baseline.
  const big = path.join(CACHE, `pipeline-${BIG_MIB}mib-data.vhd`);
  if (!(await stat(big).catch(() => null))) {
    process.stdout.write(`building the ${BIG_MIB} MiB image (cached in bench/.cache)…\n`);
    const dataFiles = Array.from({ length: 4 }, (_, i) => ({ path: `/var/lib/bench/data-${i}.bin`, size: Math.floor(BIG_MIB * 0.2 * 2 ** 20) }));
    await buildImage({ files: [...baseLinuxTree().files, ...dataFiles], sizeMiB: BIG_MIB, output: big });
  }
  const small = path.join(CACHE, 'pipeline-small.vhd');
  if (!(await stat(small).catch(() => null))) await buildImage({ ...baseLinuxTree(), output: small });
  const size = (await stat(big)).size;
  // the conversion's source: the big image in BENCH_CONVERSION_FROM (cached)
  const convSource = path.join(CACHE, `pipeline-${BIG_MIB}mib-data.${EXTENSION[CONVERSION_FROM]}`);
  if (CONVERSION_FROM !== 'vhd-fixed' && !(await stat(convSource).catch(() => null))) {
    await run('qemu-img', convertArguments('vhd-fixed', CONVERSION_FROM as DeliveryTarget, big, `${convSource}.part`));
    await run('mv', [`${convSource}.part`, convSource]);
  }

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'vmarket-bench-pipeline-'));
  try {
    // Baseline on the same disk: one hash pass + cp into three directories.
    const b0 = performance.now();
    await hashFile(big);
    for (const d of ['a', 'b', 'c']) {
      await mkdir(path.join(tmp, 'baseline', d), { recursive: true });
      await run('cp', [big, path.join(tmp, 'baseline', d, 'image.vhd')]);
    }
    const baseline = (performance.now() - b0) / 1000;
    // The pipeline makes every copy durable (fsync before the object gets its name) and copies
    // into the primary store too; this second baseline adds the same durability to `cp`.
    const s0 = performance.now();
    await run('sync');
    const durable = baseline + (performance.now() - s0) / 1000;
    await rm(path.join(tmp, 'baseline'), { recursive: true, force: true });
    await run('sync');
    // Conversion baseline: qemu-img alone, the same file and arguments as provisioning's, then sync (the store fsyncs).
    const c0 = performance.now();
    await run('qemu-img', convertArguments(CONVERSION_FROM, CONVERSION_TO as DeliveryTarget, convSource, path.join(tmp, 'converted')));
    await run('sync');
    const qemuAlone = (performance.now() - c0) / 1000;
    await rm(path.join(tmp, 'converted'), { force: true });

    const config = loadConfig({
      cwd: tmp,
      overrides: {
        dataDir: path.join(tmp, 'data'),
        listen: { host: '127.0.0.1', port: 0 },
        imports: { allowedDirs: [], publisherDirs: { bench: [CACHE] }, allowedUrlPrefixes: [] }, // the cached images are the bench publisher's
        regions: [
          ...['r1', 'r2', 'r3'].map((name) => ({ name, storage: { type: 'fs', path: path.join(tmp, 'regions', name) }, bandwidthBytesPerSecond: 0 })),
          { name: 'rc', storage: { type: 'fs', path: path.join(tmp, 'regions', 'rc') }, bandwidthBytesPerSecond: 0, format: CONVERSION_TO },
        ],
        concurrency: { pipeline: 8, certify: os.cpus().length },
      },
      env: {},
    });
    const server = await startVmarket(config, { logger: pino({ level: 'warn' }) });
    const ctx = server.ctx;
    try {
      await ctx.db.kysely.insertInto('publishers').values({ id: 'bench', name: 'Bench', token_hash: 'bench-no-token' }).execute();
      await putDraft(ctx.db, 'bench', 'big', offer('big', big, '1.0.0', ['r1', 'r2', 'r3']) as never);
      const first = await publishToLive(ctx, 'big');
      const firstBytes = await bytesCopied(ctx, 'big');
      const firstSteps = await stepDurations(ctx, 'big');

      await putDraft(ctx.db, 'bench', 'big', offer('big', big, '1.0.1', ['r1', 'r2', 'r3']) as never);
      const second = await publishToLive(ctx, 'big');
      const secondBytes = await bytesCopied(ctx, 'big');

      for (let i = 0; i < SMALL_OFFERS; i++) {
        await putDraft(ctx.db, 'bench', `small-${i}`, offer(`small-${i}`, small, '1.0.0', ['r1', 'r2', 'r3']) as never);
      }
      const m0 = performance.now();
      await Promise.all(Array.from({ length: SMALL_OFFERS }, (_, i) => publishToLive(ctx, `small-${i}`)));
      const many = (performance.now() - m0) / 1000;

      await putDraft(ctx.db, 'bench', 'conv', offer('conv', convSource, '1.0.0', ['rc']) as never);
      await publishToLive(ctx, 'conv');
      const provisionConv = await stepSeconds(ctx, 'conv', 'provision');
      const convSteps = await stepDurations(ctx, 'conv');

      const gib = (size / 2 ** 30).toFixed(2);
      process.stdout.write(
        [
          `image: ${gib} GiB (${size} bytes), 3 fs regions, ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? ''}`,
          `baseline (1 SHA-256 pass + cp to 3 dirs): ${baseline.toFixed(2)} s (with sync: ${durable.toFixed(2)} s)`,
          `publish to live (automatic sign-off):     ${first.toFixed(2)} s = ${(first / baseline).toFixed(2)}× baseline, ${(first / durable).toFixed(2)}× with sync; ${firstBytes} bytes copied`,
          `  steps: ${firstSteps}`,
          `republish, same bytes, new version:       ${second.toFixed(2)} s; ${secondBytes} bytes copied`,
          `${SMALL_OFFERS} small offers at once, to live:       ${many.toFixed(2)} s`,
          `conversion ${CONVERSION_FROM} → ${CONVERSION_TO}: qemu-img convert alone (+ sync) ${qemuAlone.toFixed(2)} s; provision of a ${CONVERSION_TO} region ${provisionConv.toFixed(2)} s = ${(provisionConv / qemuAlone).toFixed(2)}× qemu-img`,
          `  steps: ${convSteps}`,
        ].join('\n') + '\n',
      );
    } finally {
      await server.close();
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
