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
import { latencySummary, probeLatencies } from '../../helpers/latency.ts';
import { offerDocument, step, waitForStatus } from '../../helpers/offers.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { greedyImage, spinningImage } from './images.ts';
import { sandboxPids } from '../../../src/certification/sandbox/index.ts';

/** Whether a process with this pid exists (signal 0 tests without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** PUTs an offer whose OS disk is `image`, publishes it and waits until its certify step runs. */
async function publish(server: TestServer, token: string, id: string, image: string): Promise<void> {
  const base = `/api/v1/publishers/contoso/offers/${id}`;
  assert.equal((await server.api('PUT', base, { token, body: offerDocument({ id, publisher: 'contoso', osDisk: image }) })).status, 201);
  assert.equal((await server.api('POST', `${base}/publish`, { token, body: { notifyEmails: [] } })).status, 202);
  await waitForStatus(server.api, token, 'contoso', id, (d) => step(d, 'certify').status === 'inProgress');
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out: ${what}`);
    await sleep(50);
  }
}

/** The pids of the certification processes once there is one (the step copies the image first). */
async function sandboxStarted(timeoutMs = 30_000): Promise<number[]> {
  await until(() => sandboxPids().length > 0, 'a certification process started', timeoutMs);
  return sandboxPids();
}

describe('a certification that never ends', () => {
  let server: TestServer;
  let token: string;
  before(async () => {
    server = await startTestServer({ config: { certification: { sandbox: { timeLimitSeconds: 12 } } } as never });
    token = await server.createPublisher('contoso');
  });
  after(async () => {
    await server?.close();
  });

  test('while it runs /healthz and the catalogue answer; the time limit blocks the step with a failed check', async (t) => {
    await publish(server, token, 'spin', await spinningImage(path.join(server.importDir, 'spin.vhd')));

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

  test('cancel during a certification kills its process and cancels the step', async () => {
    await publish(server, token, 'cancel', await spinningImage(path.join(server.importDir, 'cancel.vhd')));
    const certifying = await sandboxStarted();
    assert.equal((await server.api('POST', '/api/v1/publishers/contoso/offers/cancel/cancel', { token })).status, 202);
    const canceled = await waitForStatus(server.api, token, 'contoso', 'cancel', (d) => d.status === 'canceled', 30_000);
    assert.equal(step(canceled, 'certify').status, 'canceled');
    await until(() => !alive(certifying[0]), `the certification process ${certifying[0]} is gone`);
    assert.deepEqual(sandboxPids(), []);
  });
});

describe('a certification past its heap limit', () => {
  let server: TestServer;
  let token: string;
  before(async () => {
    server = await startTestServer({ config: { certification: { sandbox: { timeLimitSeconds: 120, memoryLimitMiB: 64 } } } as never });
    token = await server.createPublisher('contoso');
  });
  after(async () => {
    await server?.close();
  });

  test('an image that exhausts the heap limit blocks the step with image.certification-crash; the server answers throughout', async (t) => {
    await publish(server, token, 'greedy', await greedyImage(path.join(server.importDir, 'greedy.vhd')));
    const certifying = await sandboxStarted();
    const samples = await probeLatencies(server.url, ['/healthz'], { durationMs: 2000, timeoutMs: 5000 });
    const blocked = await waitForStatus(server.api, token, 'contoso', 'greedy', (d) => step(d, 'certify').status === 'blocked', 60_000);
    for (const line of latencySummary(samples)) t.diagnostic(line);
    assert.deepEqual(samples.filter((s) => s.status !== 200).slice(0, 5), []);
    const texts = step(blocked, 'certify').messages.map((m: { text: string }) => m.text).join('\n');
    assert.match(texts, /image\.certification-crash/);
    assert.match(texts, /ran out of memory \(heap limit certification\.sandbox\.memoryLimitMiB = 64 MiB\)/);
    assert.equal(alive(certifying[0]), false);
    assert.equal((await server.api('GET', '/healthz')).status, 200, 'the server is fine');
  });
});
