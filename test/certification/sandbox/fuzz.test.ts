/**
 * Issue 9's fuzz run of the whole certification entry point in its sandbox: 2,000 corrupted
 * images (seeded) derived from small real fixture images — bytes of the footer, MBR, GPT,
 * superblock, group descriptors, inode table and directories damaged, images cut short or grown —
 * each certified through `certifyInSandbox` with a small time limit. Every one must end in a
 * report or one VmarketError within its limit, while a real server beside it answers /healthz.
 * VMARKET_FUZZ_SEED replays a run, VMARKET_FUZZ_CASES changes its size.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { certifyInSandbox } from '../../../src/certification/sandbox/index.ts';
import { isVmarketError } from '../../../src/errors.ts';
import { baseLinuxTree, buildImage } from '../../fixtures/images.ts';
import { fixChecksums, mutate, type Region, tableRegions } from '../../helpers/corrupt.ts';
import { scratchDir } from '../../helpers/files.ts';
import { percentile } from '../../helpers/latency.ts';
import { prng } from '../../helpers/prng.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';

const CASES = Number(process.env.VMARKET_FUZZ_CASES ?? 2000);
const SEED = Number(process.env.VMARKET_FUZZ_SEED ?? 20261203);
const TIME_LIMIT_SECONDS = 2;
/** The sandbox ends a run at its limit; this only catches a sandbox that does not (kill grace, a loaded machine). */
const OUTER_BOUND_MS = (TIME_LIMIT_SECONDS + 20) * 1000;
const MiB = 1024 * 1024;

interface Base {
  name: string;
  bytes: Buffer;
  regions: Region[];
  /** The failed checks of the undamaged image (it is too small to pass `image.size`). */
  failing?: string;
}

const failingChecks = (report: { checks: { id: string; status: string }[] }) => report.checks.filter((c) => c.status === 'failed').map((c) => c.id).join(' ');

/** Where the ext file system's metadata is, read from its superblock and first group descriptor. */
function extRegions(bytes: Buffer, partition: number): Region[] {
  const sb = partition + 1024;
  const blockSize = 1024 << bytes.readUInt32LE(sb + 24);
  const gdt = partition + (blockSize === 1024 ? 2048 : blockSize);
  const inodeSize = bytes.readUInt16LE(sb + 88);
  const inodeTable = partition + bytes.readUInt32LE(gdt + 8) * blockSize;
  return [
    { name: 'ext superblock', start: sb, length: 1024 },
    { name: 'group descriptors', start: gdt, length: 256 },
    // the first inodes: the root directory (2) and the first files' extents
    { name: 'inode table', start: inodeTable, length: 64 * inodeSize },
    // the blocks after the inode table: directories and small files
    { name: 'data blocks', start: inodeTable + 1024 * inodeSize, length: 256 * 1024 },
  ];
}

async function base(name: string, output: string, partitionTable: 'mbr' | 'gpt'): Promise<Base> {
  const path = await buildImage({ ...baseLinuxTree(), output, sizeMiB: 4, partitionTable });
  const bytes = await readFile(path);
  return {
    name,
    bytes,
    regions: [
      ...tableRegions(bytes.length),
      ...extRegions(bytes, MiB),
    ],
  };
}

/** One corrupted image: 1–4 damages in regions, checksums fixed half the time, now and then cut short or grown. */
function corrupted(source: Base, random: () => number): Buffer {
  let bytes = Buffer.from(source.bytes);
  for (let i = 0, n = 1 + Math.floor(random() * 4); i < n; i++) mutate(bytes, source.regions[Math.floor(random() * source.regions.length)], random);
  if (random() < 0.5) fixChecksums(bytes);
  const shape = random();
  if (shape < 0.08) bytes = bytes.subarray(0, Math.floor(random() * bytes.length));
  else if (shape < 0.12) bytes = Buffer.concat([bytes, Buffer.alloc(Math.floor(random() * MiB), Math.floor(random() * 256))]);
  return bytes;
}

describe('the sandboxed certification under seeded corruption', () => {
  const scratch = scratchDir('vmarket-sandbox-fuzz-');
  const bases: Base[] = [];
  let server: TestServer;
  before(async () => {
    bases.push(await base('mbr', join(scratch(), 'mbr.vhd'), 'mbr'), await base('gpt', join(scratch(), 'gpt.vhd'), 'gpt'));
    for (const b of bases) b.failing = failingChecks(await certifyInSandbox({ osDisk: join(scratch(), `${b.name}.vhd`), config: { clamav: { mode: 'off', databaseDir: '/nonexistent' } } }));
    server = await startTestServer({ workers: false });
  });
  after(async () => {
    await server?.close();
  });

  test(`${CASES} corrupted images each end in a report or one VmarketError; /healthz answers throughout`, { timeout: 600_000 }, async (t) => {
    t.diagnostic(`seed ${SEED} (replay with VMARKET_FUZZ_SEED=${SEED})`);
    // /healthz from beside the fuzz loop: the loop only waits on the sandbox, so the server's answers show whether anything blocks it
    const health: number[] = [];
    const failures: string[] = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const started = performance.now();
        const res = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) }).catch((error: Error) => error);
        health.push(performance.now() - started);
        if (res instanceof Error || res.status !== 200) failures.push(res instanceof Error ? res.message : `status ${res.status}`);
        else await res.arrayBuffer();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    const counts = { passed: 0, failed: 0, stopped: 0, changed: 0, errors: new Map<string, number>() };
    const stoppedCases: string[] = [];
    const started = performance.now();
    const durations: number[] = [];
    // two certifications at a time (two processes, two cores); the images come from the one seeded sequence in case order
    let next = 0;
    const lane = async (lane: number) => {
      const image = join(scratch(), `case-${lane}.vhd`);
      while (next < CASES) {
        const i = next++;
        const source = bases[i % bases.length];
        // each case its own generator: the same case comes out whatever order the lanes take them in
        await writeFile(image, corrupted(source, prng(SEED + i * 7919)));
        const label = `case ${i} (${source.name}, seed ${SEED})`;
        const caseStarted = performance.now();
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${label}: no outcome within ${OUTER_BOUND_MS} ms`)), OUTER_BOUND_MS);
        });
        try {
          const run = certifyInSandbox({ osDisk: image, config: { clamav: { mode: 'off', databaseDir: '/nonexistent' }, sandbox: { timeLimitSeconds: TIME_LIMIT_SECONDS, memoryLimitMiB: 256 } } });
          const report = await Promise.race([run, bound]);
          assert.ok(report.checks.length > 0, label);
          const stopped = report.checks.find((c) => c.id.startsWith('image.certification-') && c.status === 'failed');
          if (stopped) {
            counts.stopped++;
            stoppedCases.push(`${label} ${stopped.id}`);
          } else counts[report.result]++;
          if (failingChecks(report) !== source.failing) counts.changed++;
        } catch (error) {
          assert.ok(isVmarketError(error), `${label}: not one clear error: ${(error as Error).stack}`);
          counts.errors.set(error.code, (counts.errors.get(error.code) ?? 0) + 1);
        } finally {
          clearTimeout(timer);
        }
        durations.push(performance.now() - caseStarted);
      }
    };
    try {
      await Promise.all([lane(0), lane(1)]);
    } finally {
      probing = false;
      await prober;
    }
    const seconds = (performance.now() - started) / 1000;
    t.diagnostic(`${CASES} cases in ${seconds.toFixed(1)} s (p50 ${percentile(durations, 50).toFixed(0)} ms, p99 ${percentile(durations, 99).toFixed(0)} ms, max ${Math.max(...durations).toFixed(0)} ms per case)`);
    t.diagnostic(`reports: ${counts.passed} passed, ${counts.failed} failed, ${counts.stopped} stopped by the sandbox, ${counts.changed} unlike the undamaged image's; errors: ${JSON.stringify(Object.fromEntries(counts.errors))}`);
    if (stoppedCases.length > 0) t.diagnostic(`stopped by the sandbox (engine findings): ${stoppedCases.slice(0, 10).join('; ')}${stoppedCases.length > 10 ? ' …' : ''}`);
    t.diagnostic(`/healthz: ${health.length} requests, p50 ${percentile(health, 50).toFixed(1)} ms, p99 ${percentile(health, 99).toFixed(1)} ms, max ${Math.max(...health).toFixed(1)} ms`);
    assert.deepEqual(failures, [], '/healthz answered 200 within 5 s throughout');
    // the damage is real: a fuzzer whose images all certify like the undamaged ones changes nothing
    const errors = [...counts.errors.values()].reduce((a, b) => a + b, 0);
    assert.ok(counts.changed + errors > CASES / 10, `${counts.changed + errors} of ${CASES} images certified differently from the undamaged one`);
  });
});
