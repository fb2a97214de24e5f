/**
 * Steering a publication: cancel in each step that can be caught (a queued step, a test drive
 * and provisioning and deployment copying into a bandwidth-limited region, a certification
 * waiting for review, sign-off), manual certification review (approve and reject), and the
 * stuck-step sweeper (one ticket, however often it runs, and the operation still completes).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { getCertificationReport, reviewCertification, sweepStuckSteps } from '../../src/pipeline/service.ts';
import { baseLinuxTree, buildImage } from '../fixtures/images.ts';
import { startTestServer } from '../helpers/server.ts';
import { offerDocument, step, waitForStatus } from '../helpers/offers.ts';
import { sha256File } from '../helpers/streams.ts';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/** A server with a fast region and a slow one (an image takes about `slowSeconds` to copy there). */
async function serverWithSlowRegion(
  tmp: string,
  imageBytes: number,
  extra: Record<string, unknown> = {},
  slowSeconds = 20,
): Promise<TestServer> {
  return startTestServer({
    config: {
      regions: [
        { name: 'fast', storage: { type: 'fs', path: path.join(tmp, 'regions', 'fast') }, bandwidthBytesPerSecond: 0 },
        { name: 'slow', storage: { type: 'fs', path: path.join(tmp, 'regions', 'slow') }, bandwidthBytesPerSecond: Math.ceil(imageBytes / slowSeconds) },
      ],
      ...extra,
    },
  });
}

function objectFile(tmp: string, region: string, sha: string): string {
  return path.join(tmp, 'regions', region, 'sha256', sha.slice(0, 2), sha);
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

describe('cancel', () => {
  let tmp: string;
  let server: TestServer;
  let token: string;
  let image: string;
  let imageSha: string;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'vmarket-cancel-'));
    const probe = path.join(tmp, 'probe.vhd');
    await buildImage({ ...baseLinuxTree(), output: probe });
    const size = (await stat(probe)).size;
    server = await serverWithSlowRegion(tmp, size);
    token = await server.createPublisher('contoso');
    image = path.join(server.importDirOf('contoso'), 'cancel.vhd');
    await buildImage({ ...baseLinuxTree(), output: image });
    imageSha = await sha256File(image);
  });
  after(async () => {
    await server?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  async function publish(offerId: string, doc: Record<string, unknown>): Promise<void> {
    const base = `/api/v1/publishers/contoso/offers/${offerId}`;
    const put = await server.api('PUT', base, { token, body: doc });
    assert.ok([200, 201].includes(put.status), JSON.stringify(put.body));
    const res = await server.api('POST', `${base}/publish`, { token });
    assert.equal(res.status, 202, JSON.stringify(res.body));
  }
  async function cancelWhen(offerId: string, stepId: string, until: (d: any) => boolean): Promise<any> {
    await waitForStatus(server.api, token, 'contoso', offerId, until);
    const res = await server.api('POST', `/api/v1/publishers/contoso/offers/${offerId}/cancel`, { token });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const done = await waitForStatus(server.api, token, 'contoso', offerId, (d) => d.status === 'canceled');
    assert.equal(step(done, stepId).status, 'canceled', JSON.stringify(done.steps.map((s: any) => [s.id, s.status])));
    assert.ok(step(done, stepId).messages.some((m: any) => m.text === 'Canceled by publisher:contoso.'));
    assert.deepEqual(done.previewLinks, []);
    assert.equal((await server.api('POST', `/api/v1/publishers/contoso/offers/${offerId}/cancel`, { token })).status, 409, 'nothing left to cancel');
    return done;
  }
  const copying = (id: string) => (d: any) => step(d, id).status === 'inProgress' && step(d, id).progressPercentage > 0;

  test('in test-drive, while the test-drive image copies into the slow region', async () => {
    await publish(
      'cancel-td',
      offerDocument({
        id: 'cancel-td',
        publisher: 'contoso',
        osDisk: image,
        regions: ['fast', 'slow'],
        testDrive: { enabled: true, regions: ['slow'], hotInstances: 1, durationHours: 2, userManualUrl: 'https://example.com/manual' },
      }),
    );
    await cancelWhen('cancel-td', 'test-drive', (d) => step(d, 'test-drive').status === 'inProgress' && step(d, 'test-drive').progressPercentage > 30);
    assert.equal(await exists(objectFile(tmp, 'slow', imageSha)), false, 'the partial copy is gone');
  });

  test('in provision, while the preview copy goes to the slow region', async () => {
    await publish('cancel-prov', offerDocument({ id: 'cancel-prov', publisher: 'contoso', osDisk: image, regions: ['slow', 'fast'] }));
    await cancelWhen('cancel-prov', 'provision', (d) => step(d, 'provision').status === 'inProgress' && step(d, 'provision').progressPercentage >= 70);
    assert.equal(await exists(objectFile(tmp, 'slow', imageSha)), false, 'no copy left in the preview region');
  });

  test('in deploy, leaving the live version untouched', async () => {
    // Version 1 goes live in the fast region only.
    const v1 = path.join(server.importDirOf('contoso'), 'v1.vhd');
    await buildImage({ ...baseLinuxTree(), output: v1 });
    const v1Sha = await sha256File(v1);
    await publish('cancel-dep', offerDocument({ id: 'cancel-dep', publisher: 'contoso', osDisk: v1, regions: ['fast'] }));
    await waitForStatus(server.api, token, 'contoso', 'cancel-dep', (d) => d.status === 'waitingForPublisherReview');
    assert.equal((await server.api('POST', '/api/v1/publishers/contoso/offers/cancel-dep/golive', { token })).status, 202);
    await waitForStatus(server.api, token, 'contoso', 'cancel-dep', (d) => d.status === 'succeeded');

    // Version 2 (other bytes) is canceled while it copies into the slow region.
    const v2 = path.join(server.importDirOf('contoso'), 'v2.vhd');
    await buildImage({ files: [...baseLinuxTree().files, { path: '/etc/motd', content: 'version 2\n' }], output: v2 });
    const v2Sha = await sha256File(v2);
    assert.notEqual(v2Sha, v1Sha);
    await publish('cancel-dep', offerDocument({ id: 'cancel-dep', publisher: 'contoso', osDisk: v2, version: '1.1.0', regions: ['fast', 'slow'] }));
    await waitForStatus(server.api, token, 'contoso', 'cancel-dep', (d) => d.status === 'waitingForPublisherReview');
    assert.equal((await server.api('POST', '/api/v1/publishers/contoso/offers/cancel-dep/golive', { token })).status, 202);
    const done = await cancelWhen('cancel-dep', 'deploy', copying('deploy'));
    assert.ok(done.liveLinks.length > 0, 'still live');

    const acquired = await server.api('POST', '/api/v1/catalog/offers/contoso.cancel-dep/acquire', {
      body: { subscriptionId: '00000000-0000-4000-8000-0000000000cc', plan: 'standard', contact: { name: 'Bo', email: 'bo@example.com' } },
    });
    assert.equal(acquired.status, 200, JSON.stringify(acquired.body));
    assert.equal(acquired.body.package.version, '1.0.0', 'the live slot still serves version 1');
    assert.equal(acquired.body.package.images[0].sha256, v1Sha);
    assert.equal(await exists(objectFile(tmp, 'fast', v1Sha)), true, 'the live version keeps its copy');
    assert.equal(await exists(objectFile(tmp, 'fast', v2Sha)), false, "the canceled version's copies are removed");
    assert.equal(await exists(objectFile(tmp, 'slow', v2Sha)), false);
  });

  test('at sign-off', async () => {
    await publish('cancel-sign', offerDocument({ id: 'cancel-sign', publisher: 'contoso', osDisk: image, regions: ['fast'] }));
    await cancelWhen('cancel-sign', 'signoff', (d) => d.status === 'waitingForPublisherReview');
    assert.equal((await server.api('POST', '/api/v1/publishers/contoso/offers/cancel-sign/golive', { token })).status, 409);
    // Publishing again makes a new operation.
    const again = await server.api('POST', '/api/v1/publishers/contoso/offers/cancel-sign/publish', { token });
    assert.equal(again.status, 202, JSON.stringify(again.body));
    const doc = await waitForStatus(server.api, token, 'contoso', 'cancel-sign', (d) => d.status === 'waitingForPublisherReview');
    assert.match(String(again.headers.location), new RegExp(doc.operationId));
  });
});

describe('a queued step', () => {
  let server: TestServer;
  after(async () => server?.close());
  test('is canceled at once when no worker has taken it', async () => {
    server = await startTestServer({ workers: false });
    const token = await server.createPublisher('contoso');
    const image = path.join(server.importDirOf('contoso'), 'queued.vhd');
    await buildImage({ ...baseLinuxTree(), output: image });
    const base = '/api/v1/publishers/contoso/offers/queued';
    assert.equal((await server.api('PUT', base, { token, body: offerDocument({ id: 'queued', publisher: 'contoso', osDisk: image }) })).status, 201);
    assert.equal((await server.api('POST', `${base}/publish`, { token })).status, 202);
    assert.equal((await server.api('POST', `${base}/cancel`, { token })).status, 202);
    const doc = (await server.api('GET', `${base}/status`, { token })).body;
    assert.equal(doc.status, 'canceled');
    assert.equal(step(doc, 'validate').status, 'canceled');
  });
});

describe('manual certification review', () => {
  let server: TestServer;
  let token: string;
  let image: string;
  before(async () => {
    server = await startTestServer({ config: { certification: { manualReview: true } } });
    token = await server.createPublisher('contoso');
    image = path.join(server.importDirOf('contoso'), 'review.vhd');
    await buildImage({ ...baseLinuxTree(), output: image });
  });
  after(async () => server?.close());

  async function publishAndWait(offerId: string) {
    const base = `/api/v1/publishers/contoso/offers/${offerId}`;
    assert.equal((await server.api('PUT', base, { token, body: offerDocument({ id: offerId, publisher: 'contoso', osDisk: image, regions: ['westeurope'] }) })).status, 201);
    assert.equal((await server.api('POST', `${base}/publish`, { token })).status, 202);
    return waitForStatus(server.api, token, 'contoso', offerId, (d) => step(d, 'certify').status === 'waitingForApproval');
  }

  test('approve continues with provisioning', async () => {
    await publishAndWait('review-ok');
    const early = await server.api('POST', '/api/v1/publishers/contoso/offers/review-ok/golive', { token });
    assert.equal(early.status, 409);
    await reviewCertification(server.ctx, 'contoso', 'review-ok', { decision: 'approve', feedback: 'Looks good.', actor: 'operator' });
    const doc = await waitForStatus(server.api, token, 'contoso', 'review-ok', (d) => d.status === 'waitingForPublisherReview');
    assert.equal(step(doc, 'certify').status, 'complete');
    assert.ok(step(doc, 'certify').messages.some((m: any) => m.text === 'Certification approved by operator: Looks good.'));
    const report = await getCertificationReport(server.ctx, 'contoso', 'review-ok');
    assert.equal((report as any).review.status, 'approved');
    await assert.rejects(
      reviewCertification(server.ctx, 'contoso', 'review-ok', { decision: 'approve', actor: 'operator' }),
      (e: any) => e.code === 'CONFLICT',
    );
  });

  test('reject blocks the step with the feedback', async () => {
    await publishAndWait('review-no');
    await reviewCertification(server.ctx, 'contoso', 'review-no', { decision: 'reject', feedback: 'Remove the demo user.', actor: 'operator' });
    const doc = await waitForStatus(server.api, token, 'contoso', 'review-no', (d) => d.status === 'failed');
    assert.equal(step(doc, 'certify').status, 'blocked');
    assert.ok(step(doc, 'certify').messages.some((m: any) => m.level === 'error' && m.text.includes('Remove the demo user.')));
    const report = await server.api('GET', '/api/v1/publishers/contoso/offers/review-no/certification', { token });
    assert.equal(report.status, 200);
    assert.equal(report.body.review.status, 'rejected');
  });
});

describe('stuck steps', () => {
  let tmp: string;
  let server: TestServer;
  after(async () => {
    await server?.close();
    await rm(tmp, { recursive: true, force: true });
  });
  test('a deploy past its expected maximum opens exactly one ticket and still completes', async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'vmarket-stuck-'));
    const probe = path.join(tmp, 'probe.vhd');
    await buildImage({ ...baseLinuxTree(), output: probe });
    const size = (await stat(probe)).size;
    server = await serverWithSlowRegion(tmp, size, { steps: { deploy: { expectedMaxSeconds: 1 } }, sweepIntervalSeconds: 0.2 }, 4);
    const token = await server.createPublisher('contoso');
    const base = '/api/v1/publishers/contoso/offers/stuck';
    const image = path.join(server.importDirOf('contoso'), 'stuck.vhd');
    await buildImage({ ...baseLinuxTree(), output: image });
    assert.equal((await server.api('PUT', base, { token, body: offerDocument({ id: 'stuck', publisher: 'contoso', osDisk: image, regions: ['fast', 'slow'] }) })).status, 201);
    assert.equal((await server.api('POST', `${base}/publish`, { token })).status, 202);
    await waitForStatus(server.api, token, 'contoso', 'stuck', (d) => d.status === 'waitingForPublisherReview');
    assert.equal((await server.api('POST', `${base}/golive`, { token })).status, 202);
    const flagged = await waitForStatus(server.api, token, 'contoso', 'stuck', (d) => step(d, 'deploy').stuck === true);
    assert.equal(step(flagged, 'deploy').status, 'inProgress');
    // Several sweepers at once still open one ticket.
    await Promise.all([sweepStuckSteps(server.ctx), sweepStuckSteps(server.ctx), sweepStuckSteps(server.ctx)]);
    const done = await waitForStatus(server.api, token, 'contoso', 'stuck', (d) => d.status === 'succeeded');
    assert.equal(step(done, 'deploy').stuck, true);
    const tickets = await server.api('GET', '/api/v1/publishers/contoso/tickets', { token });
    assert.equal(tickets.status, 200);
    const list = (Array.isArray(tickets.body) ? tickets.body : tickets.body.tickets) as any[];
    const system = list.filter((t) => t.source === 'system' && (t.stepId ?? t.step_id) === 'deploy');
    assert.equal(system.length, 1, JSON.stringify(list));
  });
});
