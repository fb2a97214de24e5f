/**
 * Access and the public catalogue: tokens (none 401, another publisher's 403, the operator's
 * allowed), preview offers visible only to their audience (list, offer page, acquire), search
 * and category filters, the signing keys, the OpenAPI document, the rate limit and metrics.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { DbSigningKeyStore } from '../../src/catalog/key-store.ts';
import { getOrCreateSigningKey, verifyPackage } from '../../src/catalog/signing.ts';
import { buildServer } from '../../src/server/app.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { AUDIENCE, imageFile, publishSlot, validOffer } from '../helpers/offers.ts';

const OUTSIDER = '00000000-0000-4000-8000-0000000000ff';

let server: TestServer;
let contoso: string;
let fabrikam: string;

before(async () => {
  server = await startTestServer({ workers: false });
  contoso = await server.createPublisher('contoso');
  fabrikam = await server.createPublisher('fabrikam');
  const live = await validOffer(server, { id: 'web-server', publisher: 'contoso' });
  (live.listing as any).title = 'Hardened Web Server';
  (live.listing as any).keywords = ['nginx', 'tls'];
  (live.listing as any).categories = ['linux'];
  await publishSlot(server, contoso, 'live', live);
  const preview = await validOffer(server, { id: 'secret-db', publisher: 'contoso', osDisk: await imageFile(server, 'db.vhd') });
  (preview.listing as any).title = 'Secret Database';
  await publishSlot(server, contoso, 'preview', preview);
});
after(() => server?.close());

describe('tokens', () => {
  const offers = '/api/v1/publishers/contoso/offers';

  test('no token 401, a wrong token 401, another publisher 403, the owner and the operator 200', async () => {
    const none = await server.api('GET', offers);
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'UNAUTHORIZED');
    assert.equal((await server.api('GET', offers, { token: 'vmk_forged' })).body.error.code, 'UNAUTHORIZED');
    const other = await server.api('GET', offers, { token: fabrikam });
    assert.equal(other.status, 403);
    assert.equal(other.body.error.code, 'FORBIDDEN');
    const own = await server.api('GET', offers, { token: contoso });
    assert.equal(own.status, 200);
    assert.deepEqual(own.body.offers.map((o: any) => [o.id, o.status, o.live, o.hasPreview]), [
      ['secret-db', 'neverPublished', false, true],
      ['web-server', 'neverPublished', true, false],
    ]);
    assert.ok(own.body.offers.every((o: any) => typeof o.etag === 'string' && o.etag.length > 0));
    const operator = await server.api('GET', offers, { token: server.operatorToken });
    assert.deepEqual(operator.body, own.body);
  });

  test('another publisher can neither read nor write nor act on the offer', async () => {
    const base = `${offers}/web-server`;
    const before = await server.api('GET', base, { token: contoso });
    for (const [method, path, body] of [
      ['GET', base],
      ['GET', `${base}?slot=live`],
      ['PUT', base, before.body.offer],
      ['POST', `${base}/publish`],
      ['GET', `${base}/status`],
      ['POST', `${base}/golive`],
      ['POST', `${base}/cancel`],
      ['GET', `${base}/certification`],
      ['GET', `${base}/leads`],
      ['GET', `${base}/lead-secret`],
      ['POST', `${base}/lead-secret`],
      ['GET', '/api/v1/publishers/contoso/tickets'],
      ['POST', '/api/v1/publishers/contoso/tickets', { title: 't', body: 'b' }],
    ] as [string, string, unknown?][]) {
      const res = await server.api(method, path, { token: fabrikam, body });
      assert.equal(res.status, 403, `${method} ${path}: ${JSON.stringify(res.body)}`);
    }
    assert.deepEqual((await server.api('GET', base, { token: contoso })).body, before.body);
  });

  test('operator-only routes refuse publishers; /me says who is calling', async () => {
    const create = await server.api('POST', '/api/v1/publishers', { token: contoso, body: { id: 'evil', name: 'Evil' } });
    assert.equal(create.status, 403);
    const review = await server.api('POST', '/api/v1/publishers/contoso/offers/web-server/certification/review', { token: contoso, body: { decision: 'approve' } });
    assert.equal(review.status, 403);
    assert.deepEqual((await server.api('GET', '/api/v1/me', { token: contoso })).body, {
      kind: 'publisher',
      role: 'publisher',
      publisher: { id: 'contoso', name: 'Publisher contoso' },
    });
    assert.deepEqual((await server.api('GET', '/api/v1/me', { token: server.operatorToken })).body, { kind: 'operator', role: 'operator' });

    const created = await server.api('POST', '/api/v1/publishers', { token: server.operatorToken, body: { id: 'northwind', name: 'Northwind' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.token, /^vmk_/);
    const me = await server.api('GET', '/api/v1/me', { token: created.body.token });
    assert.equal(me.body.publisher.id, 'northwind');
    assert.equal((await server.api('POST', '/api/v1/publishers', { token: server.operatorToken, body: { id: 'northwind', name: 'Again' } })).status, 409);
    const list = await server.api('GET', '/api/v1/publishers', { token: server.operatorToken });
    const ids = list.body.publishers.map((p: any) => p.id);
    for (const id of ['contoso', 'fabrikam', 'northwind']) assert.ok(ids.includes(id), `${id} in ${ids}`);
    assert.ok(!JSON.stringify(list.body).includes('vmk_'), 'tokens are never listed');
  });

  test('tickets: a publisher opens one and lists its own', async () => {
    const opened = await server.api('POST', '/api/v1/publishers/contoso/tickets', { token: contoso, body: { title: 'Help', body: 'Deploy is slow.', offerId: 'web-server' } });
    assert.equal(opened.status, 201, JSON.stringify(opened.body));
    assert.equal(opened.body.source, 'publisher');
    assert.equal(opened.body.offerId, 'web-server');
    const unknownOffer = await server.api('POST', '/api/v1/publishers/contoso/tickets', { token: contoso, body: { title: 'x', body: 'y', offerId: 'nope' } });
    assert.equal(unknownOffer.status, 404);
    const list = await server.api('GET', '/api/v1/publishers/contoso/tickets', { token: contoso });
    assert.deepEqual(list.body.tickets.map((t: any) => t.id), [opened.body.id]);
    assert.deepEqual((await server.api('GET', '/api/v1/publishers/fabrikam/tickets', { token: fabrikam })).body.tickets, []);
  });
});

describe('catalogue', () => {
  test('a preview is invisible outside its audience: list, offer page and acquire', async () => {
    const anonymous = await server.api('GET', '/api/v1/catalog/offers');
    assert.deepEqual(anonymous.body.offers.map((o: any) => o.id), ['contoso.web-server']);
    const outsider = await server.api('GET', '/api/v1/catalog/offers', { headers: { 'x-subscription-id': OUTSIDER } });
    assert.deepEqual(outsider.body.offers.map((o: any) => o.id), ['contoso.web-server']);
    const audience = await server.api('GET', '/api/v1/catalog/offers', { headers: { 'x-subscription-id': AUDIENCE } });
    // ordered by title: Hardened Web Server, Secret Database
    assert.deepEqual(audience.body.offers.map((o: any) => [o.id, o.preview]), [
      ['contoso.web-server', false],
      ['contoso.secret-db', true],
    ]);

    const page = '/api/v1/catalog/offers/contoso.secret-db';
    assert.equal((await server.api('GET', page)).status, 404);
    assert.equal((await server.api('GET', page, { headers: { 'x-subscription-id': OUTSIDER } })).status, 404);
    const shown = await server.api('GET', page, { headers: { 'x-subscription-id': AUDIENCE } });
    assert.equal(shown.status, 200);
    assert.equal(shown.body.preview, true);
    assert.equal(shown.body.title, 'Secret Database');

    const contact = { name: 'Ada', email: 'ada@example.com' };
    const refused = await server.api('POST', `${page}/acquire`, { body: { subscriptionId: OUTSIDER, plan: 'standard', contact } });
    assert.equal(refused.status, 404);
    assert.equal(refused.body.error.code, 'NOT_FOUND');
    const acquired = await server.api('POST', `${page}/acquire`, { body: { subscriptionId: AUDIENCE, plan: 'standard', contact } });
    assert.equal(acquired.status, 200, JSON.stringify(acquired.body));
    assert.equal(acquired.body.slot, 'preview');
    assert.equal(acquired.body.package.offer, 'contoso.secret-db');
  });

  test('the public listing shows what customers need and nothing private', async () => {
    const res = await server.api('GET', '/api/v1/catalog/offers/contoso.web-server');
    assert.equal(res.status, 200);
    const o = res.body;
    assert.equal(o.title, 'Hardened Web Server');
    assert.equal(o.publisher, 'contoso');
    assert.deepEqual(o.categories, ['linux']);
    assert.equal(o.support.email, 'support@example.com');
    assert.deepEqual(o.plans.map((p: any) => [p.id, p.pricing.model, p.regions, p.os.type, p.openPorts, p.version]), [
      ['standard', 'free', ['westeurope', 'eastus'], 'ubuntu', [{ protocol: 'tcp', port: 22 }], '1.0.0'],
    ]);
    const text = JSON.stringify(o);
    for (const secret of [AUDIENCE, 'eng@example.com', server.importDir, 'destination']) assert.ok(!text.includes(secret), `${secret} is not shown`);
    assert.equal((await server.api('GET', '/api/v1/catalog/offers/contoso')).status, 404);
    assert.equal((await server.api('GET', '/api/v1/catalog/offers/contoso.nothing')).status, 404);
  });

  test('search in title, summary, description and keywords; category filter', async () => {
    const q = async (query: string) => (await server.api('GET', `/api/v1/catalog/offers?${query}`)).body.offers.map((o: any) => o.id);
    assert.deepEqual(await q('q=NGINX'), ['contoso.web-server'], 'keywords, case-insensitive');
    assert.deepEqual(await q('q=hardened%20web'), ['contoso.web-server'], 'every word must match');
    assert.deepEqual(await q('q=pipeline%20tests'), ['contoso.web-server'], 'summary');
    assert.deepEqual(await q('q=hardened%20oracle'), []);
    assert.deepEqual(await q('category=linux'), ['contoso.web-server']);
    assert.deepEqual(await q('category=windows'), []);
  });

  test('acquire answers the signed package, verifiable with /catalog/keys, and records the lead', async () => {
    const acquired = await server.api('POST', '/api/v1/catalog/offers/contoso.web-server/acquire', {
      body: { subscriptionId: OUTSIDER, plan: 'standard', contact: { name: 'Bo', email: 'bo@example.com', company: 'Fabrikam' } },
    });
    assert.equal(acquired.status, 200, JSON.stringify(acquired.body));
    const keys = await server.api('GET', '/api/v1/catalog/keys');
    const key = keys.body.keys.find((k: any) => k.keyId === acquired.body.keyId);
    assert.ok(key, 'the signing key is published');
    assert.equal(verifyPackage(acquired.body.package, acquired.body.signature, key.publicKeyPem), true);
    const tampered = { ...acquired.body.package, version: '9.9.9' };
    assert.equal(verifyPackage(tampered, acquired.body.signature, key.publicKeyPem), false);

    const leads = await server.api('GET', '/api/v1/publishers/contoso/offers/web-server/leads', { token: contoso });
    assert.equal(leads.status, 200);
    const lead = leads.body.leads.find((l: any) => l.id === acquired.body.leadId);
    assert.deepEqual([lead.subscriptionId, lead.planId, lead.contact, lead.kind, lead.deliveryStatus], [
      OUTSIDER,
      'standard',
      { name: 'Bo', email: 'bo@example.com', company: 'Fabrikam' },
      'lead',
      'stored',
    ]);
    const csv = await server.api('GET', '/api/v1/publishers/contoso/offers/web-server/leads?format=csv', { token: contoso });
    assert.match(csv.headers['content-type'], /^text\/csv/);
    const rows = String(csv.body).trimEnd().split('\r\n');
    assert.equal(rows[0], 'id,createdAt,offer,plan,subscriptionId,name,email,company,kind,deliveryStatus');
    assert.ok(rows.some((r) => r.startsWith(`${acquired.body.leadId},`) && r.endsWith(',Bo,bo@example.com,Fabrikam,lead,stored')), csv.body);

    const badPlan = await server.api('POST', '/api/v1/catalog/offers/contoso.web-server/acquire', {
      body: { subscriptionId: OUTSIDER, plan: 'premium', contact: { name: 'Bo', email: 'bo@example.com' } },
    });
    assert.equal(badPlan.status, 404);
    const badBody = await server.api('POST', '/api/v1/catalog/offers/contoso.web-server/acquire', {
      body: { subscriptionId: 'nope', contact: { email: 'x' } },
    });
    assert.equal(badBody.status, 422);
    assert.deepEqual(badBody.body.error.details.map((d: any) => d.path).sort(), ['contact.email', 'contact.name', 'plan', 'subscriptionId']);
  });
});

describe('documents and operations', () => {
  test('/api/v1/openapi.json is valid JSON listing every route', async () => {
    const res = await server.api('GET', '/api/v1/openapi.json');
    assert.equal(res.status, 200);
    assert.match(res.body.openapi, /^3\./);
    const paths = Object.keys(res.body.paths);
    for (const p of [
      '/api/v1/publishers',
      '/api/v1/publishers/{pub}/offers',
      '/api/v1/publishers/{pub}/offers/{offer}',
      '/api/v1/publishers/{pub}/offers/{offer}/publish',
      '/api/v1/publishers/{pub}/offers/{offer}/status',
      '/api/v1/publishers/{pub}/operations/{opId}',
      '/api/v1/publishers/{pub}/offers/{offer}/golive',
      '/api/v1/publishers/{pub}/offers/{offer}/cancel',
      '/api/v1/publishers/{pub}/offers/{offer}/certification',
      '/api/v1/publishers/{pub}/tickets',
      '/api/v1/publishers/{pub}/offers/{offer}/leads',
      '/api/v1/catalog/offers',
      '/api/v1/catalog/offers/{key}',
      '/api/v1/catalog/keys',
      '/api/v1/catalog/offers/{key}/acquire',
      '/healthz',
      '/readyz',
    ]) {
      assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
    }
    const put = res.body.paths['/api/v1/publishers/{pub}/offers/{offer}'].put;
    const ref = put.requestBody.content['application/json'].schema.$ref as string;
    const offerSchema = res.body.components.schemas[ref.split('/').pop()!];
    assert.ok(offerSchema.properties.plans && offerSchema.properties.listing, 'the offer body is described by the offer schema');
    assert.ok(res.body.paths['/api/v1/catalog/offers/{key}/acquire'].post.responses['200'], 'answers are described');
  });

  test('health, readiness and metrics', async () => {
    assert.deepEqual((await server.api('GET', '/healthz')).body, { status: 'ok' });
    assert.deepEqual((await server.api('GET', '/readyz')).body, { status: 'ready', database: 'embedded' });
    const metrics = await server.api('GET', '/metrics', { token: server.operatorToken });
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /vmarket_http_requests_total\{method="GET",route="\/api\/v1\/catalog\/offers",status="200"\} \d+/);
    assert.match(metrics.body, /vmarket_operations\{status="running"\} 0/);
    assert.match(metrics.body, /vmarket_leads\{status="stored"\} \d+/);
  });

  test('the rate limit answers 429 RATE_LIMITED in the contract shape', async () => {
    const app = await buildServer({ ...server.ctx, config: { ...server.ctx.config, rateLimitPerMinute: 3 } });
    try {
      const statuses: number[] = [];
      let last: any;
      for (let i = 0; i < 5; i++) {
        const res = await app.inject({ method: 'GET', url: '/api/v1/catalog/keys' });
        statuses.push(res.statusCode);
        last = res.json();
      }
      assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
      assert.equal(last.error.code, 'RATE_LIMITED');
    } finally {
      await app.close();
    }
  });

  test('tokens never reach the log', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const app = await buildServer({ ...server.ctx, logger });
    try {
      const ok = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${contoso}` } });
      assert.equal(ok.statusCode, 200);
      const bad = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Bearer vmk_wrong-token-value' } });
      assert.equal(bad.statusCode, 401);
      const op = await app.inject({ method: 'POST', url: '/api/v1/publishers', headers: { authorization: `Bearer ${server.operatorToken}` }, payload: { id: 'logged', name: 'Logged' } });
      assert.equal(op.statusCode, 201);
      assert.ok(lines.length > 0, 'requests are logged');
      const text = lines.join('');
      for (const secret of [contoso, 'vmk_wrong-token-value', server.operatorToken, op.json().token]) assert.ok(!text.includes(secret), 'a token was logged');
    } finally {
      await app.close();
    }
  });

  test('the storefront page lists live offers only', async () => {
    const res = await server.api('GET', '/');
    assert.equal(res.status, 200);
    assert.match(String(res.body), /Hardened Web Server/);
    assert.doesNotMatch(String(res.body), /Secret Database/);
    const page = await server.api('GET', '/offers/contoso.web-server');
    assert.match(String(page.body), /Hardened Web Server/);
    assert.equal((await server.api('GET', '/offers/contoso.secret-db')).status, 404);
  });
});

describe('the built web app', () => {
  test('is served at /, with /portal and /offers/… answered by its index.html', async () => {
    const dist = await mkdtemp(path.join(os.tmpdir(), 'vmarket-web-'));
    await mkdir(path.join(dist, 'assets'));
    await writeFile(path.join(dist, 'index.html'), '<!doctype html><div id="root">vmarket app</div>');
    await writeFile(path.join(dist, 'assets', 'app.js'), 'console.log(1)');
    const app = await buildServer(server.ctx, { webDistDir: dist });
    try {
      for (const url of ['/', '/portal', '/portal/offers/x', '/offers/contoso.web-server']) {
        const res = await app.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 200, url);
        assert.match(res.body, /vmarket app/, url);
      }
      assert.equal((await app.inject({ method: 'GET', url: '/assets/app.js' })).body, 'console.log(1)');
      assert.equal((await app.inject({ method: 'GET', url: '/api/v1/catalog/keys' })).statusCode, 200, 'the API still answers');
    } finally {
      await app.close();
      await rm(dist, { recursive: true, force: true });
    }
  });
});

describe('signing keys (runs last: it empties the key table)', () => {
  test('concurrent first use creates exactly one key, and every caller signs with it', async () => {
    await server.ctx.db.kysely.deleteFrom('signing_keys').execute();
    const keys = await Promise.all(Array.from({ length: 6 }, () => getOrCreateSigningKey(new DbSigningKeyStore(server.ctx.db))));
    assert.equal(new Set(keys.map((k) => k.keyId)).size, 1);
    const published = await server.api('GET', '/api/v1/catalog/keys');
    assert.deepEqual(published.body.keys.map((k: any) => k.keyId), [keys[0].keyId]);
    assert.ok(!JSON.stringify(published.body).includes('PRIVATE'), 'only public keys are published');
  });
});
