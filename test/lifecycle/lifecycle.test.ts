/**
 * Offer lifecycle through the real server (issue 13, item 5): deprecation marks the listing and
 * stops acquire on its day (a deprecation dated today is in effect at once, one dated tomorrow is
 * not yet), stop-sell refuses at once and takes the offer out of the catalogue list, and a
 * revocation takes the live version out of the catalogue, e-mails exactly the customers who
 * acquired it (a real SMTP receiver), posts the signed `offer.version.revoked` webhook (a real
 * HTTPS receiver), and republishes the previous certified version once the publisher accepts.
 * Bad input gets one clear error and changes nothing. Every change is in the audit log.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { verifyPackage } from '../../src/catalog/signing.ts';
import { isVersionRevoked } from '../../src/lifecycle/revoke.ts';
import { regionStore } from '../../src/pipeline/replication.ts';
import { verifyHmacSignature } from '../../src/security/hmac.ts';
import { imageFile, offerDocument, publishSlot } from '../helpers/offers.ts';
import { hasOpenssl, startHttpsReceiver, startSmtpReceiver, type HttpsReceiver, type SmtpReceiver } from '../helpers/receivers.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const HOOK_SECRET = 'lifecycle-hook-secret-0123456789';
let server: TestServer;
let token: string;
let hook: HttpsReceiver;
let smtp: SmtpReceiver;
let skip: string | undefined;

const today = () => new Date().toISOString().slice(0, 10);
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
const subscription = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

before(async () => {
  if (!(await hasOpenssl())) {
    skip = 'openssl is not installed: the HTTPS receiver cannot be made';
    return;
  }
  hook = await startHttpsReceiver([200]);
  smtp = await startSmtpReceiver();
  process.env.VMARKET_TEST_LIFECYCLE_HOOK = HOOK_SECRET;
  server = await startTestServer({
    workers: false,
    config: {
      deliveries: { allowPrivateNetworks: true },
      trustedCaFiles: [hook.caFile],
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, allowSelfSigned: false, from: 'vmarket <market@example.org>' },
      webhooks: [{ url: hook.url, secretEnv: 'VMARKET_TEST_LIFECYCLE_HOOK', events: ['offer.version.revoked', 'offer.deprecated', 'offer.sale.stopped'] }],
    },
  });
  token = await server.createPublisher('contoso');
});
after(async () => {
  await server?.close();
  await hook?.close();
  await smtp?.close();
});

/** A live offer with the plans `standard` and `premium`; `disk` names its image file. */
async function liveOffer(id: string, operationId: string, disk = `${id}.vhd`) {
  const osDisk = await imageFile(server, disk);
  const doc = offerDocument({ id, publisher: 'contoso', osDisk });
  const [standard] = doc.plans as Record<string, unknown>[];
  doc.plans = [standard, { ...standard, id: 'premium', title: 'Premium' }];
  const slot = await publishSlot(server, token, 'live', doc, operationId);
  return { doc, osDisk, slot };
}

function acquire(key: string, plan: string, n: number, email = `customer${n}@example.com`) {
  return server.api('POST', `/api/v1/catalog/offers/${key}/acquire`, {
    body: { subscriptionId: subscription(n), plan, contact: { name: `Customer ${n}`, email } },
  });
}

const lifecycle = async (offer: string) => (await server.api('GET', `/api/v1/publishers/contoso/offers/${offer}/lifecycle`, { token })).body;
const post = (path: string, body: unknown, as = token) => server.api('POST', `/api/v1/publishers/contoso/offers/${path}`, { token: as, body });

describe('lifecycle', () => {
  test('deprecation: bad input changes nothing; tomorrow marks the listing; today refuses acquire naming the alternative', async (t) => {
    if (skip) return t.skip(skip);
    await liveOffer('web', 'op-web-1');
    const before = await lifecycle('web');
    const refusals = [
      [{ date: '2020-01-01', plan: 'premium' }, 'date', /in the past/],
      [{ date: tomorrow(), plan: 'gold' }, 'plan', /has no plan "gold".*standard, premium/],
      [{ date: tomorrow(), plan: 'premium', alternativePlan: 'platinum' }, 'alternativePlan', /has no plan "platinum"/],
      [{ date: tomorrow(), plan: 'premium', alternativePlan: 'premium' }, 'alternativePlan', /cannot be the deprecated plan premium itself/],
    ] as const;
    for (const [body, path, message] of refusals) {
      const res = await post('web/deprecate', body);
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.match(res.body.error.message, message);
      assert.deepEqual(res.body.error.details.map((d: any) => d.path), [path]);
    }
    assert.equal((await post('web/deprecate', { date: '2026-02-30' })).status, 422, 'not a calendar day');
    assert.deepEqual(await lifecycle('web'), before, 'nothing changed');

    const later = await post('web/deprecate', { date: tomorrow(), plan: 'premium', alternativePlan: 'standard', reason: 'replaced by standard' });
    assert.equal(later.status, 200, JSON.stringify(later.body));
    const listing = (await server.api('GET', '/api/v1/catalog/offers/contoso.web')).body;
    const premium = listing.plans.find((p: any) => p.id === 'premium');
    assert.deepEqual(premium.deprecation, { on: tomorrow(), reason: 'replaced by standard', alternativePlan: 'standard' });
    assert.equal(premium.sold, true, 'sold until its day');
    assert.equal((await acquire('contoso.web', 'premium', 1)).status, 200);
    const undone = await post('web/undeprecate', { plan: 'premium' });
    assert.equal(undone.status, 200, JSON.stringify(undone.body));
    assert.equal(undone.body.plans.premium.deprecation, null);

    const mailsBefore = smtp.messages.length;
    assert.equal((await post('web/deprecate', { date: today(), plan: 'premium', alternativePlan: 'standard' })).status, 200);
    // the plan's customers hear of it (customer1 acquired premium above), and the webhook says it once
    const told = smtp.messages.slice(mailsBefore);
    assert.deepEqual(told.map((m) => m.to), [['customer1@example.com']]);
    assert.match(told[0]!.subject, /contoso\.web: deprecated/);
    assert.match(told[0]!.raw, new RegExp(`from ${today()} it can no longer be acquired`));
    assert.match(told[0]!.raw, /suggests the plan standard instead/);
    const deprecatedHooks = hook.requests.filter((r) => r.headers['x-vmarket-event'] === 'offer.deprecated');
    assert.equal(deprecatedHooks.length, 2, 'one per deprecation (tomorrow, then today)');
    const refused = await acquire('contoso.web', 'premium', 2);
    assert.equal(refused.status, 410, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'NO_LONGER_SOLD');
    assert.equal(refused.body.error.message, `The plan premium of contoso.web was deprecated on ${today()} and can no longer be acquired; use plan standard instead.`);
    assert.equal((await acquire('contoso.web', 'standard', 2)).status, 200, 'the alternative is sold');
    const summary = (await server.api('GET', '/api/v1/catalog/offers')).body.offers.find((o: any) => o.id === 'contoso.web');
    assert.ok(summary, 'the offer stays in the catalogue while a plan of it is sold');
    assert.equal(summary.plans.find((p: any) => p.id === 'premium').sold, false);
    const tooLate = await post('web/undeprecate', { plan: 'premium' });
    assert.equal(tooLate.status, 409);
    assert.match(tooLate.body.error.message, /only before its day/);
  });

  test('stop-sell refuses acquire at once and takes the offer out of the list; resume sells again; both are audited', async (t) => {
    if (skip) return t.skip(skip);
    await liveOffer('tool', 'op-tool-1');
    assert.equal((await post('tool/stop-sell', { plan: 'nope' })).status, 422);
    assert.equal((await acquire('contoso.tool', 'standard', 4)).status, 200);
    const mailsBefore = smtp.messages.length;
    const stopped = await post('tool/stop-sell', null);
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    const told = smtp.messages.slice(mailsBefore);
    assert.deepEqual(told.map((m) => m.to), [['customer4@example.com']], 'its customer is told');
    assert.match(told[0]!.raw, /is no longer sold: its publisher stopped selling it/);
    const stoppedHook = hook.requests.find((r) => r.headers['x-vmarket-event'] === 'offer.sale.stopped');
    assert.ok(stoppedHook && verifyHmacSignature(HOOK_SECRET, stoppedHook.body, stoppedHook.headers['x-vmarket-signature'] as string), 'the signed offer.sale.stopped webhook');
    assert.equal(stopped.body.offer.sold, false);
    const refused = await acquire('contoso.tool', 'standard', 3);
    assert.equal(refused.status, 410);
    assert.equal(refused.body.error.message, 'The offer contoso.tool is no longer sold.');
    const list = (await server.api('GET', '/api/v1/catalog/offers')).body.offers.map((o: any) => o.id);
    assert.ok(!list.includes('contoso.tool'), `left the list: ${list}`);
    const page = await server.api('GET', '/api/v1/catalog/offers/contoso.tool');
    assert.equal(page.status, 200, 'its page stays');
    assert.equal(page.body.sold, false);
    assert.equal((await post('tool/stop-sell', null)).status, 409, 'already stopped');
    assert.equal((await post('tool/resume-sell', null)).status, 200);
    assert.equal((await acquire('contoso.tool', 'standard', 3)).status, 200);
    const audit = (await server.api('GET', '/api/v1/publishers/contoso/audit?limit=100', { token })).body.events;
    const routes = audit.filter((e: any) => e.target === 'offer contoso/tool').map((e: any) => `${e.route.split('/').pop()} ${e.outcome}`);
    for (const expected of ['stop-sell succeeded', 'stop-sell failed', 'resume-sell succeeded']) assert.ok(routes.includes(expected), `${expected} in ${routes}`);
  });

  test('revocation: out of the live slot and catalogue, its customers e-mailed, the signed webhook, the earlier version republished on acceptance', async (t) => {
    if (skip) return t.skip(skip);
    const v1 = await liveOffer('dbase', 'op-dbase-1', 'dbase-1.vhd');
    // the first version is certified and every region holds its file: it qualifies for republishing
    await server.ctx.db.kysely
      .insertInto('operations')
      .values({ id: 'op-dbase-1', publisher_id: 'contoso', offer_id: 'dbase', status: 'succeeded', snapshot: '{}', snapshot_etag: 'e', notify_emails: '[]', created_by: 'test', artifacts: '{}' })
      .execute();
    await server.ctx.db.kysely
      .insertInto('certification_reports')
      .values({ operation_id: 'op-dbase-1', publisher_id: 'contoso', offer_id: 'dbase', result: 'passed', report: JSON.stringify({}) })
      .execute();
    const sha256 = v1.slot.packages.standard.package.images[0].sha256;
    for (const region of ['westeurope', 'eastus']) await regionStore(server.ctx, region).putFile(v1.osDisk, sha256);
    const alice = await acquire('contoso.dbase', 'standard', 10, 'alice@example.com');
    assert.equal(alice.status, 200, 'alice acquires version 1');
    await liveOffer('dbase', 'op-dbase-2', 'dbase-2.vhd');
    const bob = await acquire('contoso.dbase', 'standard', 11, 'bob@example.com');
    assert.equal(bob.status, 200);
    assert.equal((await acquire('contoso.dbase', 'premium', 12, 'bob@example.com')).status, 200, 'bob twice: one e-mail');
    assert.equal((await acquire('contoso.dbase', 'premium', 13, 'carol@example.com')).status, 200);
    const mailsBefore = smtp.messages.length;

    const revokePath = '/api/v1/publishers/contoso/offers/dbase/versions/op-dbase-2/revoke';
    const asPublisher = await server.api('POST', revokePath, { token, body: { reason: 'CVE-2026-0001' } });
    assert.equal(asPublisher.status, 403, 'only the operator revokes');
    assert.equal((await server.api('POST', revokePath, { token: server.operatorToken, body: { reason: ' ' } })).status, 422, 'a reason is required');
    const unknown = await server.api('POST', '/api/v1/publishers/contoso/offers/dbase/versions/op-nope/revoke', { token: server.operatorToken, body: { reason: 'x' } });
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error.message, /has no version op-nope/);

    const revoked = await server.api('POST', revokePath, { token: server.operatorToken, body: { reason: 'CVE-2026-0001 in openssl' } });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.equal(revoked.body.wasLive, true);
    assert.equal(revoked.body.customersNotified, 2);
    assert.deepEqual(revoked.body.republish, { version: 'op-dbase-1', status: 'pending', decidedBy: null, decidedAt: null });
    assert.equal(await isVersionRevoked(server.ctx.db.kysely, 'contoso', 'dbase', 'op-dbase-2'), true);
    assert.equal(await isVersionRevoked(server.ctx.db.kysely, 'contoso', 'dbase', 'op-dbase-1'), false);
    assert.equal((await server.api('GET', '/api/v1/catalog/offers/contoso.dbase')).status, 404, 'out of the catalogue');
    assert.equal((await acquire('contoso.dbase', 'standard', 14)).status, 404, 'nothing to acquire');
    // the revoked version's downloads stop: fresh links and the links handed out before
    const bobsAcquisition = await server.api('GET', `/api/v1/catalog/acquisitions/${bob.body.acquisition.id}`, { headers: { 'x-acquisition-token': bob.body.acquisition.token } });
    assert.equal(bobsAcquisition.status, 410, JSON.stringify(bobsAcquisition.body));
    assert.equal(bobsAcquisition.body.error.code, 'NO_LONGER_SOLD');
    assert.match(bobsAcquisition.body.error.message, /was revoked for a security reason and is no longer served: CVE-2026-0001 in openssl/);
    const bobsLink = bob.body.downloads.find((d: any) => d.region === 'westeurope');
    assert.equal((await fetch(bobsLink.url)).status, 410, 'a link handed out before the revocation');
    // alice's earlier version is not revoked: her link still serves its bytes
    const alicesLink = await fetch(alice.body.downloads.find((d: any) => d.region === 'westeurope').url);
    assert.equal(alicesLink.status, 200);
    assert.equal(Buffer.from(await alicesLink.arrayBuffer()).equals(await readFile(v1.osDisk)), true);

    const mails = smtp.messages.slice(mailsBefore);
    assert.deepEqual(mails.map((m) => m.to).sort(), [['bob@example.com'], ['carol@example.com']], 'each customer of version 2 on their own; not alice');
    for (const mail of mails) {
      assert.match(mail.subject, /contoso\.dbase: a version was revoked/);
      assert.match(mail.raw, /CVE-2026-0001 in openssl/);
      assert.match(mail.raw, /replace the VMs you created from it/);
    }
    const delivered = hook.requests.filter((r) => r.headers['x-vmarket-event'] === 'offer.version.revoked');
    assert.equal(delivered.length, 1);
    assert.ok(verifyHmacSignature(HOOK_SECRET, delivered[0].body, delivered[0].headers['x-vmarket-signature'] as string), 'signed with the hook secret');
    const body = JSON.parse(delivered[0].body.toString('utf8'));
    assert.equal(body.operationId, 'op-dbase-2');
    assert.match(body.message, /CVE-2026-0001 in openssl/);

    const twice = await server.api('POST', revokePath, { token: server.operatorToken, body: { reason: 'again' } });
    assert.equal(twice.status, 409);
    assert.match(twice.body.error.message, /was revoked already/);

    const accepted = await post(`dbase/revocations/${revoked.body.id}/republish`, { decision: 'accept' });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.equal(accepted.body.republish.status, 'accepted');
    assert.equal((await post(`dbase/revocations/${revoked.body.id}/republish`, { decision: 'decline' })).status, 409, 'decided once');
    const back = await acquire('contoso.dbase', 'standard', 15);
    assert.equal(back.status, 200, 'version 1 is acquirable again');
    assert.equal(back.body.package.images[0].sha256, sha256);
    const keys = (await server.api('GET', '/api/v1/catalog/keys')).body.keys;
    const key = keys.find((k: any) => k.keyId === back.body.keyId);
    assert.ok(verifyPackage(back.body.package, back.body.signature, key.publicKeyPem), 'the republished package verifies');
    const view = await lifecycle('dbase');
    assert.equal(view.revocations.length, 1);
    const audit = (await server.api('GET', '/api/v1/audit?limit=200', { token: server.operatorToken })).body.events;
    assert.ok(audit.some((e: any) => e.route.endsWith('/versions/:version/revoke') && e.outcome === 'succeeded' && e.actor.kind === 'operator'));
    assert.ok(audit.some((e: any) => e.route.endsWith('/republish') && e.outcome === 'succeeded'));
  });
});
