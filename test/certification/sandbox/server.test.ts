/**
 * The attack of issue 9 finding 6 against a real server: a publisher's image that makes the
 * certification engine spin (a 64 MiB disk whose file system holds a 1 TiB sparse file: the scan
 * reads a hole's zeros without any I/O, so the loop never yields). While it is certified,
 * /healthz and the catalogue keep answering; the time limit ends the step in a failed check.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { baseLinuxTree, buildImage } from '../../fixtures/images.ts';
import { latencySummary, probeLatencies } from '../../helpers/latency.ts';
import { offerDocument, step, waitForStatus } from '../../helpers/offers.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { sandboxPids } from '../../../src/certification/sandbox/index.ts';

/** Whether a process with this pid exists (signal 0 tests without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A small image whose certification never ends on its own: a file system holding a 1 TiB hole. */
export async function spinningImage(output: string): Promise<string> {
  return buildImage({ files: [...baseLinuxTree().files, { path: '/var/lib/huge.img', holeSize: 2 ** 40 }], output });
}

/** The pids of the certification processes once there is one (the step copies the image first). */
export async function sandboxStarted(timeoutMs = 30_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (sandboxPids().length === 0) {
    if (Date.now() > deadline) assert.fail('no certification process started');
    await sleep(50);
  }
  return sandboxPids();
}

describe('a certification that never ends', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ config: { certification: { sandbox: { timeLimitSeconds: 12 } } } as never });
  });
  after(async () => {
    await server?.close();
  });

  test('while it runs /healthz and the catalogue answer; the time limit blocks the step with a failed check', async (t) => {
    const token = await server.createPublisher('contoso');
    const image = await spinningImage(path.join(server.importDir, 'spin.vhd'));
    const base = '/api/v1/publishers/contoso/offers/spin';
    assert.equal((await server.api('PUT', base, { token, body: offerDocument({ id: 'spin', publisher: 'contoso', osDisk: image }) })).status, 201);
    assert.equal((await server.api('POST', `${base}/publish`, { token, body: { notifyEmails: [] } })).status, 202);
    await waitForStatus(server.api, token, 'contoso', 'spin', (d) => step(d, 'certify').status === 'inProgress');

    const certifying = await sandboxStarted();
    const samples = await probeLatencies(server.url, ['/healthz', '/api/v1/catalog/offers'], { durationMs: 6000, timeoutMs: 5000 });
    for (const line of latencySummary(samples)) t.diagnostic(line);
    const unanswered = samples.filter((s) => s.status !== 200);
    assert.ok(samples.length > 0);
    assert.deepEqual(unanswered.slice(0, 5), [], `${unanswered.length} of ${samples.length} requests were not answered 200 within 5 s while the image was certified`);

    const blocked = await waitForStatus(server.api, token, 'contoso', 'spin', (d) => step(d, 'certify').status === 'blocked', 60_000);
    const texts = step(blocked, 'certify').messages.map((m: { text: string }) => m.text).join('\n');
    assert.match(texts, /image\.certification-time/);
    assert.match(texts, /12 s/);
    assert.equal(alive(certifying[0]), false, `the certification process ${certifying[0]} is gone`);
    assert.deepEqual(sandboxPids(), []);
  });
});
