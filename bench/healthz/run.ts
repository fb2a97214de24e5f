/**
 * The /healthz benchmark (`node_modules/.bin/node bench/healthz/run.ts`, Node 24): a real server
 * (embedded database, no pipeline workers) and a prober in another process reading /healthz every
 * 20 ms, for p50/p99 of its answers
 *   - with nothing running (the baseline);
 *   - while a 1 GiB image is certified in the server's process (`certifyImages`: how the
 *     certify step ran before the sandbox);
 *   - while the same image is certified in the sandbox (`certifyInSandbox`: how it runs now).
 * The image is a 1 GiB fixed VHD holding ~800 MB of incompressible data in 100 files (built once,
 * cached in bench/.cache/). Environment: BENCH_IMAGE_MIB (1024).
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { certifyImages, type CertifyImages } from '../../src/certification/index.ts';
import { certifyInSandbox } from '../../src/certification/sandbox/index.ts';
import { baseLinuxTree, buildImage, type FileSpec } from '../../test/fixtures/images.ts';
import { percentile, probeLatencies } from '../../test/helpers/latency.ts';
import { startTestServer } from '../../test/helpers/server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CACHE = path.join(ROOT, 'bench', '.cache');
const IMAGE_MIB = Number(process.env.BENCH_IMAGE_MIB ?? 1024);

async function ensureImage(): Promise<string> {
  await mkdir(CACHE, { recursive: true });
  const image = path.join(CACHE, `healthz-${IMAGE_MIB}m.vhd`);
  if (await stat(image).catch(() => null)) return image;
  console.log(`building ${image} (once) …`);
  const dataBytes = Math.floor(IMAGE_MIB * 1024 * 1024 * 0.78);
  const files: FileSpec[] = [...baseLinuxTree().files];
  for (let i = 0; i < 100; i++) files.push({ path: `/var/lib/blobs/b${i}.bin`, size: Math.floor(dataBytes / 100) });
  await buildImage({ files, output: image, sizeMiB: IMAGE_MIB });
  return image;
}

const config = { clamav: { mode: 'off' as const, databaseDir: '/nonexistent' } };

async function main(): Promise<void> {
  const image = await ensureImage();
  const server = await startTestServer({ workers: false });
  try {
    const measure = async (label: string, certify: CertifyImages | null, expectedMs: number) => {
      const probe = probeLatencies(server.url, ['/healthz'], { durationMs: expectedMs, intervalMs: 20, timeoutMs: 120_000 });
      await sleep(300); // the prober's start
      const started = Date.now();
      const report = certify ? await certify({ osDisk: image, config }) : null;
      const ended = Date.now();
      // only the requests sent while the certification ran
      const ms = (await probe).filter((s) => !certify || (s.at >= started && s.at <= ended)).map((s) => s.ms);
      console.log(`${label}: ${report ? `certified in ${((ended - started) / 1000).toFixed(1)} s (${report.result}); ` : ''}/healthz p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms over ${ms.length} requests`);
    };
    // warm the page cache and a sandbox process; its time sizes the probing windows
    const warm = Date.now();
    await certifyInSandbox({ osDisk: image, config });
    const expected = (Date.now() - warm) * 2 + 5000;
    await measure('baseline (nothing running)', null, 5000);
    await measure('in process (before: certifyImages on the server\'s thread)', certifyImages, expected);
    await measure('sandboxed (after: certifyInSandbox)', certifyInSandbox, expected);
  } finally {
    await server.close();
  }
}

await main();
