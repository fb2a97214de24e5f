/**
 * The downloads benchmark (`npm run bench -- downloads`, Node 24): a real server (embedded
 * database, no pipeline workers) with a file-system region holding a 1 GiB incompressible image
 * as a live plan's file, a customer's acquisition, and the time to get the bytes
 *   - with `cp` of the stored object (the baseline: what the disk and page cache allow);
 *   - over a signed download link, streamed to a file by `curl` and by Node's `fetch` (the HTTP
 *     path: Range-capable serving, counting);
 *   - with `vmarket pull` (acquire reused, download, SHA-256 of every byte, signature check);
 *   - with `cp` then `sha256sum` (the baseline of what pull does: copy and hash).
 * Ratios are against the baselines measured in the same run. Environment: BENCH_IMAGE_MIB (1024).
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { DbSigningKeyStore } from '../../src/catalog/key-store.ts';
import { getOrCreateSigningKey, signPackage } from '../../src/catalog/signing.ts';
import { setLiveSlot } from '../../src/offers/repository.ts';
import { customerLocation, type PlanPackage, type SlotDocument } from '../../src/pipeline/packages.ts';
import { FsBlobStore } from '../../src/storage/fs-store.ts';
import { vmarket } from '../../test/helpers/cli.ts';
import { validOffer } from '../../test/helpers/offers.ts';
import { startTestServer } from '../../test/helpers/server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CACHE = path.join(ROOT, 'bench', '.cache');
const IMAGE_MIB = Number(process.env.BENCH_IMAGE_MIB ?? 1024);
const execFileAsync = promisify(execFile);
const SUBSCRIPTION = '00000000-0000-4000-8000-00000000bec4';

/** A raw image of incompressible bytes, made once; answers its path and SHA-256. */
async function ensureImage(): Promise<{ file: string; sha256: string }> {
  await mkdir(CACHE, { recursive: true });
  const file = path.join(CACHE, `downloads-${IMAGE_MIB}m.raw`);
  if (!(await stat(file).catch(() => null))) {
    console.log(`building ${file} (once) …`);
    const handle = await open(file, 'w');
    for (let i = 0; i < IMAGE_MIB; i++) await handle.write(randomBytes(1024 * 1024));
    await handle.close();
  }
  const hash = createHash('sha256');
  await pipeline((await open(file)).createReadStream(), hash);
  return { file, sha256: hash.digest('hex') };
}

function seconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function main(): Promise<void> {
  const image = await ensureImage();
  const size = (await stat(image.file)).size;
  const server = await startTestServer({ workers: false });
  const scratch = path.join(CACHE, 'downloads-out');
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  try {
    const token = await server.createPublisher('contoso');
    const offer = await validOffer(server, { id: 'bench', publisher: 'contoso' });
    await server.api('PUT', '/api/v1/publishers/contoso/offers/bench', { token, body: offer });
    const store = server.ctx.regions.get('westeurope')!.store;
    await store.putFile(image.file, image.sha256);
    const copy = { location: customerLocation('westeurope', store, image.sha256), format: 'raw', sha256: image.sha256, size };
    const pkg: PlanPackage = {
      offer: 'contoso.bench',
      plan: 'standard',
      version: '1.0.0',
      images: [{ role: 'os', lun: null, sha256: image.sha256, size, format: 'raw', locations: { westeurope: copy.location }, copies: { westeurope: copy } }],
      template: { kind: 'vmarket.vm/v1', os: {}, recommendedSizes: ['small'], openPorts: [], disks: [], parameters: {} },
    };
    const key = await getOrCreateSigningKey(new DbSigningKeyStore(server.ctx.db));
    const doc: SlotDocument = { operationId: 'op-bench', version: 'op-bench', publishedAt: new Date().toISOString(), offer: offer as never, packages: { standard: { package: pkg, ...signPackage(pkg, key) } } };
    await server.ctx.db.transaction((trx) => setLiveSlot(trx, 'contoso', 'bench', doc as never, 'op-bench'));
    const acquired = await server.api('POST', '/api/v1/catalog/offers/contoso.bench/acquire', {
      body: { subscriptionId: SUBSCRIPTION, plan: 'standard', contact: { name: 'Bench', email: 'bench@example.com' } },
    });
    const link: string = acquired.body.downloads.find((d: { region: string }) => d.region === 'westeurope').url;
    if (!(store instanceof FsBlobStore)) throw new Error('the bench needs westeurope to be a file-system region');
    const stored = store.objectPath(image.sha256);
    // warm the page cache: every run below reads the same cached bytes
    execFileSync('cat', [stored], { stdio: ['ignore', 'ignore', 'inherit'] });

    const rounds = 3;
    const best = async (run: () => Promise<void>) => {
      let fastest = Infinity;
      for (let i = 0; i < rounds; i++) {
        const started = process.hrtime.bigint();
        await run();
        fastest = Math.min(fastest, seconds(started));
      }
      return fastest;
    };
    const out = path.join(scratch, 'image.raw');
    const cp = await best(async () => {
      await rm(out, { force: true });
      execFileSync('cp', [stored, out]);
    });
    const cpHash = await best(async () => {
      await rm(out, { force: true });
      execFileSync('cp', [stored, out]);
      execFileSync('sha256sum', [out], { stdio: ['ignore', 'ignore', 'inherit'] });
    });
    const http = await best(async () => {
      await rm(out, { force: true });
      const answer = await fetch(link);
      if (answer.status !== 200 || !answer.body) throw new Error(`download answered ${answer.status}`);
      await pipeline(Readable.fromWeb(answer.body as never), createWriteStream(out));
    });
    // curl as the client: what the server's serving costs without Node's fetch on the other end
    const curl = await best(async () => {
      await rm(out, { force: true });
      // not execFileSync: the server answering curl runs on this process's event loop
      await execFileAsync('curl', ['-fsS', '-o', out, link]);
    });
    const pulled = path.join(scratch, 'pulled.raw');
    const pull = await best(async () => {
      await rm(pulled, { force: true });
      const result = await vmarket(
        ['pull', 'contoso.bench', '--plan', 'standard', '--region', 'westeurope', '-o', pulled, '--subscription', SUBSCRIPTION, '--name', 'Bench', '--email', 'bench@example.com', '--json', '--url', server.url],
        { env: { XDG_CONFIG_HOME: path.join(scratch, 'config') }, timeoutMs: 600_000 },
      );
      if (result.code !== 0) throw new Error(`vmarket pull exited ${result.code}: ${result.stderr}`);
    });
    const mib = size / 1024 / 1024;
    const line = (label: string, s: number, base?: { name: string; s: number }) =>
      console.log(`${label.padEnd(34)} ${s.toFixed(2).padStart(6)} s  ${(mib / s).toFixed(0).padStart(5)} MiB/s${base ? `  ${(s / base.s).toFixed(2)}× ${base.name}` : ''}`);
    console.log(`${IMAGE_MIB} MiB, best of ${rounds}, page cache warm, loopback`);
    line('cp (baseline)', cp);
    line('cp + sha256sum (baseline)', cpHash);
    line('signed link, curl to a file', curl, { name: 'cp', s: cp });
    line('signed link, fetch to a file', http, { name: 'cp', s: cp });
    line('vmarket pull (download + verify)', pull, { name: 'cp + sha256sum', s: cpHash });
  } finally {
    await server.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
