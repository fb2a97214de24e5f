/**
 * A server killed with SIGKILL in the middle of deploy, started again on the same data, finishes
 * the publication without copying again the regions already done (their object files keep their
 * inode and mtime, and each region has exactly one "copied" message), with no duplicate ticket.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { baseLinuxTree, buildImage } from '../fixtures/images.ts';
import { offerDocument, step, waitForStatus } from '../helpers/offers.ts';
import { sha256File } from '../helpers/streams.ts';
import { apiClient } from '../helpers/http.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const OPERATOR = 'op-token-for-the-restart-test-0123456789';
let tmp: string;
let child: ChildProcess | undefined;

after(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Starts `vmarket serve --config FILE` and resolves with its base URL (from the banner). */
async function serve(configFile: string): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(path.join(ROOT, 'node_modules/.bin/node'), [path.join(ROOT, 'bin/vmarket.js'), 'serve', '--config', configFile], {
    cwd: tmp,
    env: { ...process.env, VMARKET_OPERATOR_TOKEN: OPERATOR, VMARKET_CREDENTIALS: path.join(tmp, 'credentials.json'), VMARKET_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const m = out.match(/https?:\/\/127\.0\.0\.1:\d+/);
    if (m) return { url: m[0], proc };
    if (proc.exitCode !== null) break;
    await sleep(100);
  }
  proc.kill('SIGKILL');
  assert.fail(`vmarket serve did not start: ${out}\n${err}`);
}

test('SIGKILL during deploy, restart: the publication finishes and done regions are not copied again', async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vmarket-restart-'));
  const importDir = path.join(tmp, 'images');
  // the publisher `kill` imports from its own subtree of the import root
  await mkdir(path.join(importDir, 'kill'), { recursive: true });
  const image = path.join(importDir, 'kill', 'restart.vhd');
  await buildImage({ ...baseLinuxTree(), output: image });
  const { size } = await stat(image);
  const sha = await sha256File(image);
  const region = (name: string, bps = 0) => ({ name, storage: { type: 'fs', path: path.join(tmp, 'regions', name) }, bandwidthBytesPerSecond: bps });
  const configFile = path.join(tmp, 'vmarket.json');
  await writeFile(
    configFile,
    JSON.stringify({
      dataDir: path.join(tmp, 'data'),
      listen: { host: '127.0.0.1', port: 0 },
      imports: { allowedDirs: [importDir] },
      deliveries: { allowPrivateNetworks: true },
      // the test images are generated disks without a boot loader (test/boot boots real ones)
      certification: { boot: 'off' },
      // About 12 s into the slow region: plenty of time to kill the server in the middle.
      regions: [region('first'), region('second'), region('slow', Math.ceil(size / 12))],
      sweepIntervalSeconds: 1,
    }),
  );

  let { url, proc } = await serve(configFile);
  child = proc;
  let api = apiClient(url);
  const created = await api('POST', '/api/v1/publishers', { token: OPERATOR, body: { id: 'kill', name: 'Kill Test' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const token = created.body.token as string;
  const base = '/api/v1/publishers/kill/offers/restart';
  assert.equal((await api('PUT', base, { token, body: offerDocument({ id: 'restart', publisher: 'kill', osDisk: image, regions: ['first', 'second', 'slow'] }) })).status, 201);
  assert.equal((await api('POST', `${base}/publish`, { token })).status, 202);
  await waitForStatus(api, token, 'kill', 'restart', (d) => d.status === 'waitingForPublisherReview');
  assert.equal((await api('POST', `${base}/golive`, { token })).status, 202);

  // Wait until "second" is done while "slow" is still copying, then kill the process.
  const secondFile = path.join(tmp, 'regions', 'second', 'sha256', sha.slice(0, 2), sha);
  const mid = await waitForStatus(api, token, 'kill', 'restart', (d) =>
    step(d, 'deploy').status === 'inProgress' && step(d, 'deploy').messages.some((m: any) => m.text.startsWith('second: copied')),
  );
  assert.equal(step(mid, 'deploy').status, 'inProgress');
  const before = await stat(secondFile);
  proc.kill('SIGKILL');
  await new Promise((resolve) => proc.once('exit', resolve));

  ({ url, proc } = await serve(configFile));
  child = proc;
  api = apiClient(url);
  const done = await waitForStatus(api, token, 'kill', 'restart', (d) => d.status === 'succeeded', 90_000);
  const texts: string[] = step(done, 'deploy').messages.map((m: any) => m.text);
  assert.equal(texts.filter((t) => t.startsWith('second: copied')).length, 1, texts.join('\n'));
  assert.equal(texts.filter((t) => t.startsWith('slow: copied')).length, 1, texts.join('\n'));
  assert.ok(texts.some((t) => t.startsWith('Resumed after an interruption')), texts.join('\n'));
  const afterStat = await stat(secondFile);
  assert.equal(afterStat.ino, before.ino, 'the done region was not copied again');
  assert.equal(afterStat.mtimeMs, before.mtimeMs);
  assert.equal(await sha256File(path.join(tmp, 'regions', 'slow', 'sha256', sha.slice(0, 2), sha)), sha);

  const tickets = await api('GET', '/api/v1/publishers/kill/tickets', { token });
  const list = (Array.isArray(tickets.body) ? tickets.body : tickets.body.tickets) as any[];
  assert.equal(list.filter((t) => t.source === 'system').length, 0, 'nothing was stuck');
  proc.kill('SIGTERM');
  await new Promise((resolve) => proc.once('exit', resolve));
});
