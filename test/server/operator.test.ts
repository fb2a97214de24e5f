/**
 * The operator's overviews and the portal's helper routes over real HTTP, with a real
 * publication (a built image, certification with manual review): `/operations` shows it at its
 * current step, `/reviews` lists it while certification waits and not after the approval, a
 * stuck step names its ticket (`ticketId`), the publisher-wide leads (JSON and CSV), and the
 * public `/marketplace` facts taken from the configuration.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sweepStuckSteps } from '../../src/pipeline/service.ts';
import { baseLinuxTree, buildImage } from '../fixtures/images.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { offerDocument, step, waitForStatus } from '../helpers/offers.ts';
import { imageFile, publishSlot, validOffer } from '../helpers/offers.ts';

let tmp: string;
let server: TestServer;
let token: string;
let otherToken: string;
const BASE = '/api/v1/publishers/contoso/offers/reviewed';

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vmarket-operator-'));
  server = await startTestServer({
    config: {
      regions: [
        { name: 'westeurope', displayName: 'West Europe', storage: { type: 'fs', path: path.join(tmp, 'westeurope') } },
        { name: 'eastus', storage: { type: 'fs', path: path.join(tmp, 'eastus') } },
      ],
      categories: ['linux', 'databases'],
      certification: { manualReview: true, yaraRules: [], hashLists: [], clamav: { mode: 'off', databaseDir: '/var/lib/clamav' }, boot: 'off' },
    },
  });
  token = await server.createPublisher('contoso');
  otherToken = await server.createPublisher('fabrikam');
});
after(async () => {
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
});

test('operator routes refuse publishers (403) and callers without a token (401)', async () => {
  for (const p of ['/api/v1/operations', '/api/v1/reviews', '/api/v1/tickets']) {
    const res = await server.api('GET', p, { token });
    assert.equal(res.status, 403, p);
    assert.equal(res.body.error.code, 'FORBIDDEN');
    assert.equal((await server.api('GET', p)).status, 401, p);
  }
});

test('a certification waiting for review: listed in /operations and /reviews, its stuck step names its ticket, approval removes it', async () => {
  const image = path.join(server.importDirOf('contoso'), 'reviewed.vhd');
  await buildImage({ ...baseLinuxTree(), output: image });
  const put = await server.api('PUT', BASE, { token, body: offerDocument({ id: 'reviewed', publisher: 'contoso', osDisk: image, regions: ['westeurope'] }) });
  assert.equal(put.status, 201, JSON.stringify(put.body));
  const published = await server.api('POST', `${BASE}/publish`, { token });
  assert.equal(published.status, 202);
  const operationId = published.body.operationId;

  const running = await server.api('GET', '/api/v1/operations', { token: server.operatorToken });
  assert.equal(running.status, 200, JSON.stringify(running.body));
  const listed = running.body.operations.find((o: any) => o.id === operationId);
  assert.equal(listed.publisherId, 'contoso');
  assert.equal(listed.offerId, 'reviewed');
  assert.equal(listed.status, 'running');
  assert.equal(listed.createdBy, 'publisher:contoso');
  assert.ok(listed.currentStep, 'a running operation is at a step');

  await waitForStatus(server.api, token, 'contoso', 'reviewed', (d) => step(d, 'certify').status === 'waitingForApproval');
  const reviews = await server.api('GET', '/api/v1/reviews', { token: server.operatorToken });
  assert.equal(reviews.status, 200, JSON.stringify(reviews.body));
  assert.equal(reviews.body.reviews.length, 1);
  const review = reviews.body.reviews[0];
  assert.deepEqual(
    { publisherId: review.publisherId, offerId: review.offerId, operationId: review.operationId, result: review.result, failed: review.failed },
    { publisherId: 'contoso', offerId: 'reviewed', operationId, result: 'passed', failed: 0 },
  );
  assert.equal(typeof review.warnings, 'number');
  assert.ok(!Number.isNaN(Date.parse(review.waitingSince)));

  const atCertify = (await server.api('GET', '/api/v1/operations', { token: server.operatorToken })).body.operations.find((o: any) => o.id === operationId);
  assert.equal(atCertify.currentStep.id, 'certify');
  assert.equal(atCertify.currentStep.status, 'waitingForApproval');
  assert.equal(atCertify.currentStep.stuck, false);
  assert.equal(step(await waitForStatus(server.api, token, 'contoso', 'reviewed', () => true), 'certify').ticketId, null);

  // Four days on, the review is overdue (certification's expected maximum is 3 days): stuck, one ticket.
  await sweepStuckSteps(server.ctx, new Date(Date.now() + 4 * 86_400_000));
  const tickets = await server.api('GET', '/api/v1/publishers/contoso/tickets', { token });
  const ticket = tickets.body.tickets.find((t: any) => t.source === 'system' && t.stepId === 'certify');
  assert.ok(ticket, JSON.stringify(tickets.body));
  const status = await server.api('GET', `${BASE}/status`, { token });
  assert.equal(step(status.body, 'certify').stuck, true);
  assert.equal(step(status.body, 'certify').ticketId, ticket.id);
  assert.equal(step(status.body, 'validate').ticketId, null);
  const operation = await server.api('GET', `/api/v1/publishers/contoso/operations/${operationId}`, { token });
  assert.equal(step(operation.body, 'certify').ticketId, ticket.id);
  const thread = await server.api('GET', `/api/v1/publishers/contoso/tickets/${ticket.id}`, { token });
  assert.equal(thread.status, 200);
  assert.equal((await server.api('GET', '/api/v1/operations', { token: server.operatorToken })).body.operations.find((o: any) => o.id === operationId).currentStep.stuck, true);

  const approved = await server.api('POST', `${BASE}/certification/review`, { token: server.operatorToken, body: { decision: 'approve' } });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  assert.deepEqual((await server.api('GET', '/api/v1/reviews', { token: server.operatorToken })).body.reviews, []);

  await waitForStatus(server.api, token, 'contoso', 'reviewed', (d) => d.status === 'waitingForPublisherReview');
  const waiting = await server.api('GET', '/api/v1/operations?status=waitingForPublisherReview', { token: server.operatorToken });
  assert.deepEqual(
    waiting.body.operations.map((o: any) => [o.id, o.currentStep?.id, o.currentStep?.status]),
    [[operationId, 'signoff', 'waitingForPublisherReview']],
  );
  assert.deepEqual((await server.api('GET', '/api/v1/operations?status=succeeded', { token: server.operatorToken })).body.operations, []);
  assert.equal((await server.api('GET', '/api/v1/operations?status=done', { token: server.operatorToken })).status, 422);
});

test('publisher-wide leads: every offer of the publisher, newest first, JSON and CSV', async () => {
  for (const id of ['leads-a', 'leads-b']) {
    const offer = await validOffer(server, { id, publisher: 'contoso', osDisk: await imageFile(server, `${id}.vhd`) });
    await publishSlot(server, token, 'live', offer);
    const acquired = await server.api('POST', `/api/v1/catalog/offers/contoso.${id}/acquire`, {
      body: { subscriptionId: '00000000-0000-4000-8000-0000000000c1', plan: 'standard', contact: { name: `Buyer of ${id}`, email: 'buyer@example.com' } },
    });
    assert.equal(acquired.status, 200, JSON.stringify(acquired.body));
  }
  const all = await server.api('GET', '/api/v1/publishers/contoso/leads', { token });
  assert.equal(all.status, 200, JSON.stringify(all.body));
  assert.deepEqual(all.body.leads.map((l: any) => l.offerId), ['leads-b', 'leads-a']);
  const one = await server.api('GET', '/api/v1/publishers/contoso/offers/leads-a/leads', { token });
  assert.deepEqual(one.body.leads, [all.body.leads[1]], 'the per-offer route answers the same lead the same way');

  const csv = await server.api('GET', '/api/v1/publishers/contoso/leads?format=csv', { token });
  assert.equal(csv.status, 200);
  assert.match(csv.headers['content-type'], /^text\/csv/);
  const lines = (csv.body as string).trimEnd().split('\r\n');
  assert.equal(lines[0], 'id,createdAt,offer,plan,subscriptionId,name,email,company,kind,deliveryStatus');
  assert.deepEqual(lines.slice(1).map((l) => l.split(',')[2]), ['leads-b', 'leads-a']);

  assert.equal((await server.api('GET', '/api/v1/publishers/contoso/leads', { token: otherToken })).status, 403);
  assert.equal((await server.api('GET', '/api/v1/publishers/contoso/leads')).status, 401);
  assert.deepEqual((await server.api('GET', '/api/v1/publishers/fabrikam/leads', { token: otherToken })).body.leads, []);
  assert.equal((await server.api('GET', '/api/v1/publishers/nobody/leads', { token: server.operatorToken })).status, 404);
  assert.equal((await server.api('GET', '/api/v1/publishers/contoso/leads?format=xml', { token })).status, 422);
});

test('the marketplace facts come from the configuration and need no token', async () => {
  const res = await server.api('GET', '/api/v1/marketplace');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body.regions, [
    { id: 'westeurope', name: 'West Europe' },
    { id: 'eastus', name: 'eastus' },
  ]);
  assert.deepEqual(res.body.categories, ['linux', 'databases']);
  assert.ok(res.body.supportedOs.some((o: any) => o.id === 'ubuntu' && o.versions.includes('22.04')));
  assert.match(res.body.version, /^\d+\.\d+\.\d+/);
});
