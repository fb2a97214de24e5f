/**
 * The whole publishing flow over HTTP with real components: a real disk image, the real server,
 * PGlite and PostgreSQL 15. PUT offer → publish → steps → waiting for sign-off → golive → live;
 * the signed package verifies with /catalog/keys; every location holds exactly the bytes;
 * the acquisition's lead is listed; wrong-time golive/cancel/publish answer 409.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { verifyPackage } from '../../src/catalog/signing.ts';
import { baseLinuxTree, buildImage } from '../fixtures/images.ts';
import { startPostgres } from '../helpers/postgres.ts';
import { startTestServer } from '../helpers/server.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasOpenssl, startHttpsReceiver, type HttpsReceiver } from '../helpers/receivers.ts';
import { AUDIENCE, offerDocument, step, waitForStatus } from '../helpers/offers.ts';
import { sha256File } from '../helpers/streams.ts';
import { configuredRegionDir, regionCopyPath } from '../helpers/locations.ts';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

async function wholeFlow(server: TestServer, offerId: string, webhooks?: HttpsReceiver): Promise<void> {
  const token = await server.createPublisher('contoso');
  const image = path.join(server.importDirOf('contoso'), `${offerId}.vhd`);
  await buildImage({ ...baseLinuxTree(), output: image });
  const imageSha = await sha256File(image);
  const base = `/api/v1/publishers/contoso/offers/${offerId}`;

  const never = await server.api('GET', `${base}/status`, { token });
  assert.equal(never.status, 404, 'no offer yet');
  const put = await server.api('PUT', base, { token, body: offerDocument({ id: offerId, publisher: 'contoso', osDisk: image }) });
  assert.equal(put.status, 201, JSON.stringify(put.body));
  const fresh = await server.api('GET', `${base}/status`, { token });
  assert.equal(fresh.body.status, 'neverPublished');
  assert.equal(fresh.body.steps.length, 8);

  const golivEarly = await server.api('POST', `${base}/golive`, { token });
  assert.equal(golivEarly.status, 409, 'nothing waits for sign-off yet');
  const cancelEarly = await server.api('POST', `${base}/cancel`, { token });
  assert.equal(cancelEarly.status, 409, 'nothing runs yet');

  const published = await server.api('POST', `${base}/publish`, { token, body: { notifyEmails: [] } });
  assert.equal(published.status, 202, JSON.stringify(published.body));
  const location = String(published.headers.location);
  assert.match(location, /^\/api\/v1\/publishers\/contoso\/operations\/op-/);
  const again = await server.api('POST', `${base}/publish`, { token });
  assert.equal(again.status, 409, 'one operation per offer at a time');

  const waiting = await waitForStatus(server.api, token, 'contoso', offerId, (d) => d.status === 'waitingForPublisherReview');
  assert.deepEqual(
    waiting.steps.map((s: any) => [s.id, s.status]),
    [
      ['validate', 'complete'],
      ['test-drive', 'skipped'],
      ['certify', 'complete'],
      ['provision', 'complete'],
      ['package', 'complete'],
      ['signoff', 'waitingForPublisherReview'],
      ['deploy', 'notStarted'],
      ['live', 'notStarted'],
    ],
  );
  assert.equal(step(waiting, 'certify').estimatedTimeFrame, '3 days');
  assert.equal(step(waiting, 'validate').estimatedTimeFrame, '15 minutes');
  assert.equal(step(waiting, 'signoff').expectedMaxSeconds, null);
  assert.ok(waiting.previewLinks.length > 0 && waiting.liveLinks.length === 0, JSON.stringify(waiting));
  assert.ok(waiting.previewLinks.some((l: string) => l.endsWith(`/offers/contoso.${offerId}`)));

  // The preview is visible to its audience only.
  const hidden = await server.api('GET', `/api/v1/catalog/offers/contoso.${offerId}`);
  assert.equal(hidden.status, 404);
  const shown = await server.api('GET', `/api/v1/catalog/offers/contoso.${offerId}`, { headers: { 'x-subscription-id': AUDIENCE } });
  assert.equal(shown.status, 200, JSON.stringify(shown.body));

  const live = await server.api('POST', `${base}/golive`, { token });
  assert.equal(live.status, 202, JSON.stringify(live.body));
  const done = await waitForStatus(server.api, token, 'contoso', offerId, (d) => d.status === 'succeeded');
  for (const s of done.steps) assert.ok(['complete', 'skipped'].includes(s.status), `${s.id} is ${s.status}`);
  assert.ok(done.liveLinks.some((l: string) => l.endsWith(`/offers/contoso.${offerId}`)), JSON.stringify(done.liveLinks));
  assert.equal((await server.api('POST', `${base}/golive`, { token })).status, 409, 'golive after live');
  assert.equal((await server.api('POST', `${base}/cancel`, { token })).status, 409, 'cancel after live');

  // Transitions record who did what.
  const op = await server.api('GET', location, { token });
  assert.equal(op.status, 200);
  assert.ok(op.body.transitions.some((t: any) => t.stepId === 'signoff' && t.to === 'complete' && t.actor === 'publisher:contoso'), JSON.stringify(op.body.transitions));

  // A customer acquires: the package verifies with the published keys, each location holds the bytes.
  const acquired = await server.api('POST', `/api/v1/catalog/offers/contoso.${offerId}/acquire`, {
    body: { subscriptionId: '00000000-0000-4000-8000-0000000000bb', plan: 'standard', contact: { name: 'Ada', email: 'ada@example.com' } },
  });
  assert.equal(acquired.status, 200, JSON.stringify(acquired.body));
  const keys = await server.api('GET', '/api/v1/catalog/keys');
  const key = keys.body.keys.find((k: any) => k.keyId === acquired.body.keyId);
  assert.ok(key, 'the signing key is published');
  assert.equal(verifyPackage(acquired.body.package, acquired.body.signature, key.publicKeyPem), true);
  const pkg = acquired.body.package;
  assert.equal(pkg.offer, `contoso.${offerId}`);
  assert.equal(pkg.version, '1.0.0');
  assert.equal(pkg.images.length, 1);
  assert.equal(pkg.images[0].sha256, imageSha);
  assert.deepEqual(Object.keys(pkg.images[0].locations).sort(), ['eastus', 'westeurope']);
  for (const uri of Object.values(pkg.images[0].locations) as string[]) {
    assert.doesNotMatch(uri, /^file:|\/tmp\//, 'no server path is shown to customers');
    assert.equal(await sha256File(regionCopyPath(configuredRegionDir(server), uri)), imageSha, uri);
  }
  const leads = await server.api('GET', `${base}/leads`, { token });
  assert.equal(leads.status, 200);
  assert.ok(JSON.stringify(leads.body).includes('ada@example.com'), JSON.stringify(leads.body));

  const report = await server.api('GET', `${base}/certification`, { token });
  assert.equal(report.status, 200);
  assert.equal(report.body.result, 'passed');

  if (webhooks) {
    // Each event is told once, to the operator's webhook.
    const types = async () => webhooks.requests.map((r) => JSON.parse(r.body.toString('utf8'))).filter((b) => b.offer === offerId).map((b) => b.type);
    for (let i = 0; i < 100 && !(await types()).includes('operation.succeeded'); i++) await sleep(50);
    assert.deepEqual(await types(), ['operation.waitingForSignoff', 'operation.succeeded']);
  }
}

describe('the publishing flow on PGlite', () => {
  let server: TestServer;
  let receiver: HttpsReceiver | undefined;
  before(async () => {
    if (await hasOpenssl()) receiver = await startHttpsReceiver();
    server = await startTestServer(
      // the receiver is on loopback, which outbound requests refuse unless the operator allows it
      receiver ? { config: { webhooks: [{ url: receiver.url }], trustedCaFiles: [receiver.caFile], deliveries: { allowPrivateNetworks: true } } } : {},
    );
  });
  after(async () => {
    await server?.close();
    await receiver?.close();
  });
  test('publish → sign-off → golive → live, signed package, locations, leads, notifications, 409s', async (t) => {
    if (!receiver) t.diagnostic('openssl is not installed: webhook notifications are not checked');
    await wholeFlow(server, 'flow-pglite', receiver);
  });
});

describe('the publishing flow on PostgreSQL 15', () => {
  let pg: Awaited<ReturnType<typeof startPostgres>> | undefined;
  let server: TestServer | undefined;
  after(async () => {
    await server?.close();
    await pg?.stop();
  });
  test('publish → sign-off → golive → live on a PostgreSQL server', async (t) => {
    pg = await startPostgres();
    if (!pg) return t.skip('PostgreSQL 15 is not installed (/usr/lib/postgresql/15/bin)');
    server = await startTestServer({ postgresUrl: pg.url });
    await wholeFlow(server, 'flow-postgres');
  });
});
