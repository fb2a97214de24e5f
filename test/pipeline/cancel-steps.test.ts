/**
 * Cancel in each of the eight steps, deterministically: the server runs no workers, and the test
 * steps the publication through the real runner one job at a time (`runOneStepJob`), so it can
 * ask for the cancel exactly while the chosen step's job is queued, or — for the steps that copy
 * into a bandwidth-limited region — while the step is copying. Each time: the operation and the
 * step are `canceled`, later steps `notStarted`, no copy of the canceled version is left in any
 * store, the live slot (version 1) is untouched, the preview slot empty, the step's leftover job
 * does nothing, and the same version can be published again. Once `live` applied, cancel is 409.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { queueFor, PIPELINE_QUEUES } from '../../src/pipeline/queues.ts';
import type { StepId } from '../../src/pipeline/steps/context.ts';
import { runOneStepJob } from '../../src/pipeline/workers.ts';
import { baseLinuxTree, buildImage } from '../fixtures/images.ts';
import { startTestServer } from '../helpers/server.ts';
import { offerDocument, step, waitForStatus } from '../helpers/offers.ts';
import { sha256File } from '../helpers/streams.ts';
import { listFiles } from '../helpers/files.ts';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

const STEP_ORDER: StepId[] = ['validate', 'test-drive', 'certify', 'provision', 'package', 'signoff', 'deploy', 'live'];
const OFFER = 'steps';
const BASE = `/api/v1/publishers/contoso/offers/${OFFER}`;
const SLOW_SECONDS = 30;

describe('cancel in each step', () => {
  let tmp: string;
  let server: TestServer;
  let token: string;
  let v1Image: string;
  let v2: string;
  let v2Sha: string;
  let liveBefore: any;
  let storesBefore: Record<string, string[]>;

  /** The directories of the primary store and of every region. */
  function storeDirs(): Record<string, string> {
    const dirs: Record<string, string> = {};
    const primary = server.ctx.config.primaryStore;
    assert.equal(primary.type, 'fs');
    dirs.primary = primary.path;
    for (const r of server.ctx.config.regions) {
      assert.equal(r.storage.type, 'fs');
      if (r.storage.type === 'fs') dirs[r.name] = r.storage.path;
    }
    return dirs;
  }

  async function storeContents(): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const [name, dir] of Object.entries(storeDirs())) out[name] = await listFiles(dir, { missingIsEmpty: true });
    return out;
  }

  async function status(): Promise<any> {
    const res = await server.api('GET', `${BASE}/status`, { token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  }

  /** The step the operation is at: the first not done (its job is queued or running). */
  function currentStep(doc: any): any {
    return doc.steps.find((s: any) => !['complete', 'skipped'].includes(s.status));
  }

  /** Runs the operation's jobs one at a time until `target`'s job is queued (not yet taken). */
  async function driveTo(target: StepId): Promise<any> {
    for (let i = 0; i < STEP_ORDER.length + 2; i++) {
      const doc = await status();
      const cur = currentStep(doc);
      assert.ok(cur, `the operation finished before ${target}: ${doc.status}`);
      const waiting = cur.status === 'waitingForPublisherReview';
      if (cur.id === target && (target !== 'signoff' || waiting)) {
        if (!waiting) assert.equal(cur.status, 'notStarted', JSON.stringify(cur));
        return doc;
      }
      if (waiting) {
        assert.equal(doc.status, 'waitingForPublisherReview');
        assert.equal((await server.api('POST', `${BASE}/golive`, { token })).status, 202);
        continue;
      }
      assert.equal(cur.status, 'notStarted', `${cur.id} is ${cur.status}`);
      assert.equal(await runOneStepJob(server.ctx, queueFor(server.ctx.pipeline, cur.id)), true, `a job for ${cur.id} is queued`);
      const after = step(await status(), cur.id);
      assert.ok(['complete', 'skipped', 'waitingForPublisherReview'].includes(after.status), `${cur.id}: ${JSON.stringify(after)}`);
    }
    assert.fail(`never reached ${target}`);
  }

  /** Runs every job still queued (none must change anything once the operation ended). */
  async function drainQueues(): Promise<number> {
    let ran = 0;
    for (const queue of PIPELINE_QUEUES) while (await runOneStepJob(server.ctx, queue)) ran++;
    return ran;
  }

  async function publish(doc: Record<string, unknown>): Promise<string> {
    const put = await server.api('PUT', BASE, { token, body: doc });
    assert.ok([200, 201].includes(put.status), JSON.stringify(put.body));
    const res = await server.api('POST', `${BASE}/publish`, { token });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return String(res.headers.location).split('/').at(-1)!;
  }

  function version2(regions: string[], testDriveRegions?: string[]): Record<string, unknown> {
    return offerDocument({
      id: OFFER,
      publisher: 'contoso',
      osDisk: v2,
      version: '2.0.0',
      regions,
      ...(testDriveRegions
        ? { testDrive: { enabled: true, regions: testDriveRegions, hotInstances: 1, durationHours: 2, userManualUrl: 'https://example.com/manual' } }
        : {}),
    });
  }

  async function cancel(): Promise<void> {
    const res = await server.api('POST', `${BASE}/cancel`, { token });
    assert.equal(res.status, 202, JSON.stringify(res.body));
  }

  /** Everything a cancel in `stepId` must leave behind, checked through the API and on disk. */
  async function assertCanceledIn(stepId: StepId, operationId: string): Promise<number> {
    const doc = await status();
    assert.equal(doc.operationId, operationId);
    assert.equal(doc.status, 'canceled');
    const at = STEP_ORDER.indexOf(stepId);
    for (const [i, id] of STEP_ORDER.entries()) {
      const s = step(doc, id);
      if (i < at) assert.ok(['complete', 'skipped'].includes(s.status), `${id} before the cancel: ${s.status}`);
      else if (i === at) {
        assert.equal(s.status, 'canceled', `${id}: ${JSON.stringify(s)}`);
        assert.ok(s.messages.some((m: any) => m.text === 'Canceled by publisher:contoso.'), JSON.stringify(s.messages));
      } else assert.equal(s.status, 'notStarted', `${id} after the cancel`);
    }
    assert.deepEqual(doc.previewLinks, []);
    assert.equal((await server.api('GET', `${BASE}?slot=preview`, { token })).status, 404, 'the preview slot is empty');
    const live = await server.api('GET', `${BASE}?slot=live`, { token });
    assert.equal(live.status, 200);
    assert.deepEqual(live.body.offer, liveBefore.offer, 'the live slot still holds version 1');
    assert.equal(live.body.operationId, liveBefore.operationId);

    // The step's job (queued, or settled) does nothing now; the queues end empty.
    const leftover = await drainQueues();
    assert.equal((await status()).status, 'canceled');
    assert.deepEqual(await storeContents(), storesBefore, 'no copy of version 2 (nor a partial one) is left in any store');
    const again = await server.api('POST', `${BASE}/cancel`, { token });
    assert.equal(again.status, 409, 'nothing left to cancel');
    assert.equal(again.body.error.code, 'CONFLICT');
    return leftover;
  }

  /** Starts `stepId`'s job in the background, waits until `copying` holds, then cancels. */
  async function cancelWhileRunning(stepId: StepId, copying: (s: any) => boolean): Promise<void> {
    const job = runOneStepJob(server.ctx, queueFor(server.ctx.pipeline, stepId));
    job.catch(() => {}); // awaited below; a rejection must not go unhandled meanwhile
    await waitForStatus(server.api, token, 'contoso', OFFER, (d) => step(d, stepId).status === 'inProgress' && copying(step(d, stepId)));
    await cancel();
    assert.equal(await job, true);
  }

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'vmarket-cancel-steps-'));
    const v1 = path.join(tmp, 'v1.vhd');
    await buildImage({ ...baseLinuxTree(), output: v1 });
    const size = (await stat(v1)).size;
    // The second region is bandwidth-limited: a copy there takes SLOW_SECONDS, so a step copying
    // into it is reliably caught in progress (the cancel stops it within a second).
    server = await startTestServer({
      workers: false,
      config: {
        regions: [
          { name: 'fast', storage: { type: 'fs', path: path.join(tmp, 'regions', 'fast') }, bandwidthBytesPerSecond: 0 },
          { name: 'east', storage: { type: 'fs', path: path.join(tmp, 'regions', 'east') }, bandwidthBytesPerSecond: 0 },
          { name: 'slow', storage: { type: 'fs', path: path.join(tmp, 'regions', 'slow') }, bandwidthBytesPerSecond: Math.ceil(size / SLOW_SECONDS) },
        ],
      },
    });
    token = await server.createPublisher('contoso');
    v1Image = path.join(server.importDirOf('contoso'), 'v1.vhd');
    await rename(v1, v1Image);
    v2 = path.join(server.importDirOf('contoso'), 'v2.vhd');
    await buildImage({ files: [...baseLinuxTree().files, { path: '/etc/motd', content: 'version 2\n' }], output: v2 });
    v2Sha = await sha256File(v2);
    assert.notEqual(v2Sha, await sha256File(v1Image));
  });
  // A failed test must not leave its operation running into the next one.
  afterEach(async () => {
    if (['running', 'waitingForPublisherReview'].includes((await status()).status)) {
      await server.api('POST', `${BASE}/cancel`, { token });
      await drainQueues().catch(() => {});
    }
  });
  after(async () => {
    await server?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  test('version 1 goes live in the fast region (the baseline every cancel must keep)', async () => {
    await publish(offerDocument({ id: OFFER, publisher: 'contoso', osDisk: v1Image, regions: ['fast'] }));
    await driveTo('live');
    assert.equal(await runOneStepJob(server.ctx, queueFor(server.ctx.pipeline, 'live')), true);
    assert.equal((await status()).status, 'succeeded');
    liveBefore = (await server.api('GET', `${BASE}?slot=live`, { token })).body;
    assert.equal(liveBefore.offer.plans[0].images[0].version, '1.0.0');
    storesBefore = await storeContents();
    assert.equal(storesBefore.fast.length, 1, JSON.stringify(storesBefore));
    assert.equal(storesBefore.primary.length, 1, JSON.stringify(storesBefore));
    assert.deepEqual(storesBefore.slow, []);
    assert.deepEqual(storesBefore.east, []);
    assert.equal(await drainQueues(), 0);
  });

  for (const stepId of ['validate', 'test-drive', 'certify', 'provision', 'package', 'deploy', 'live'] as const) {
    test(`in ${stepId}, while its job is queued`, async () => {
      // A test drive in the fast region, so a cancel after it has a copy to remove; deploy
      // copies into east, so a cancel before live has that copy to remove too.
      const opId = await publish(version2(['fast', 'east'], ['fast']));
      await driveTo(stepId);
      await cancel();
      assert.equal(await assertCanceledIn(stepId, opId), 1, "the step's queued job ran and changed nothing");
    });
  }

  test('in test-drive, while it copies into the slow region (the fast one done)', async () => {
    const opId = await publish(version2(['fast', 'slow'], ['fast', 'slow']));
    await driveTo('test-drive');
    await cancelWhileRunning('test-drive', (s) => s.messages.some((m: any) => m.text.startsWith('fast: copied')));
    await assertCanceledIn('test-drive', opId);
  });

  test('in provision, while the preview copy goes to the slow region', async () => {
    const opId = await publish(version2(['slow', 'fast']));
    await driveTo('provision');
    await cancelWhileRunning('provision', (s) => s.messages.some((m: any) => m.text.includes('stored')));
    await assertCanceledIn('provision', opId);
  });

  test('at sign-off (waiting for the publisher)', async () => {
    const opId = await publish(version2(['fast', 'slow']));
    await driveTo('signoff');
    await cancel();
    assert.equal((await server.api('POST', `${BASE}/golive`, { token })).status, 409);
    await assertCanceledIn('signoff', opId);
  });

  test('in deploy, while it copies into the slow region', async () => {
    const opId = await publish(version2(['fast', 'slow']));
    await driveTo('deploy');
    await cancelWhileRunning('deploy', (s) => s.messages.some((m: any) => m.text.startsWith('fast: already holds')));
    await assertCanceledIn('deploy', opId);
  });

  test('once live: cancel answers 409, and the new version serves', async () => {
    const opId = await publish(version2(['fast', 'east']));
    await driveTo('live');
    assert.equal(await runOneStepJob(server.ctx, queueFor(server.ctx.pipeline, 'live')), true);
    const doc = await status();
    assert.equal(doc.status, 'succeeded');
    assert.equal(doc.operationId, opId);
    const res = await server.api('POST', `${BASE}/cancel`, { token });
    assert.equal(res.status, 409);
    assert.equal(res.body.error.code, 'CONFLICT');
    assert.match(res.body.error.message, /already live/);
    assert.equal((await status()).status, 'succeeded');
    const acquired = await server.api('POST', `/api/v1/catalog/offers/contoso.${OFFER}/acquire`, {
      body: { subscriptionId: '00000000-0000-4000-8000-0000000000cd', plan: 'standard', contact: { name: 'Bo', email: 'bo@example.com' } },
    });
    assert.equal(acquired.status, 200, JSON.stringify(acquired.body));
    assert.equal(acquired.body.package.version, '2.0.0');
    assert.equal(acquired.body.package.images[0].sha256, v2Sha);
    assert.equal(await drainQueues(), 0);
  });
});
