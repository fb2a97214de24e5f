/**
 * Bad input over HTTP: each answer is one clear error in the contract's shape, and the stored
 * draft, preview and live slots stay exactly as they were.
 */
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { imageFile, publishSlot, validOffer } from '../helpers/offers.ts';

let server: TestServer;
let token: string;
const base = '/api/v1/publishers/contoso/offers/steady';
let offer: Record<string, unknown>;

/** Every slot of the offer as the API shows it; compared before and after each bad request. */
async function slots(): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const slot of ['draft', 'preview', 'live']) {
    const res = await server.api('GET', `${base}?slot=${slot}`, { token });
    out.push([res.status, res.body]);
  }
  return out;
}

function assertError(res: { status: number; body: any }, status: number, code: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.error.code, code, JSON.stringify(res.body));
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(Array.isArray(res.body.error.details));
  assert.ok(!JSON.stringify(res.body).includes('    at '), 'no stack trace');
}

before(async () => {
  server = await startTestServer({ workers: false, config: { bodyLimitBytes: 64 * 1024 } });
  token = await server.createPublisher('contoso');
  offer = await validOffer(server, { id: 'steady', publisher: 'contoso' });
  await publishSlot(server, token, 'live', offer);
});
after(() => server?.close());

test('malformed JSON answers 400 INVALID_JSON and stores nothing', async () => {
  const before = await slots();
  const res = await server.api('PUT', base, { token, rawBody: '{"id": "steady", "listing": {' });
  assertError(res, 400, 'INVALID_JSON');
  assert.deepEqual(await slots(), before);
});

test('schema violations are all reported at once, with their paths (422)', async () => {
  const before = await slots();
  const bad = structuredClone(offer) as any;
  bad.listing.title = 'x'.repeat(51);
  bad.listing.categories = [];
  bad.plans[0].id = 'No Caps';
  bad.plans[0].regions = ['westeurope', 'atlantis'];
  bad.plans[0].images[0].version = 'one';
  const res = await server.api('PUT', base, { token, body: bad });
  assertError(res, 422, 'VALIDATION_FAILED');
  const paths = res.body.error.details.map((d: any) => d.path);
  for (const p of ['listing.title', 'listing.categories', 'plans[0].id', 'plans[0].regions[1]', 'plans[0].images[0].version']) {
    assert.ok(paths.includes(p), `${p} in ${JSON.stringify(paths)}`);
  }
  assert.ok(res.body.error.details.every((d: any) => typeof d.message === 'string' && d.message.length > 0));
  assert.deepEqual(await slots(), before);
});

test('an unknown region is named with its path', async () => {
  const bad = structuredClone(offer) as any;
  bad.plans[0].regions = ['atlantis'];
  const res = await server.api('PUT', base, { token, body: bad });
  assertError(res, 422, 'VALIDATION_FAILED');
  const detail = res.body.error.details.find((d: any) => d.path === 'plans[0].regions[0]');
  assert.ok(detail && /atlantis/.test(detail.message), JSON.stringify(res.body.error.details));
});

test('image paths escaping the import dir by ../ or by a symlink are refused (422), draft unchanged', async () => {
  const before = await slots();
  const outside = path.join(path.dirname(server.importDir), 'outside');
  await mkdir(outside, { recursive: true });
  await writeFile(path.join(outside, 'secret.vhd'), 'not yours');
  await symlink(path.join(outside, 'secret.vhd'), path.join(server.importDirOf('contoso'), 'link.vhd'));
  for (const osDisk of [path.join(server.importDirOf('contoso'), '..', 'outside', 'secret.vhd'), path.join(server.importDirOf('contoso'), 'link.vhd')]) {
    const bad = structuredClone(offer) as any;
    bad.plans[0].images[0].osDisk = osDisk;
    const res = await server.api('PUT', base, { token, body: bad });
    assertError(res, 422, 'VALIDATION_FAILED');
    assert.ok(
      res.body.error.details.some((d: any) => d.path === 'plans[0].images[0].osDisk'),
      `${osDisk}: ${JSON.stringify(res.body.error.details)}`,
    );
  }
  assert.deepEqual(await slots(), before);
});

test('an oversized body answers 413 PAYLOAD_TOO_LARGE', async () => {
  const before = await slots();
  const big = structuredClone(offer) as any;
  big.listing.description = 'x'.repeat(100 * 1024);
  assertError(await server.api('PUT', base, { token, body: big }), 413, 'PAYLOAD_TOO_LARGE');
  assert.deepEqual(await slots(), before);
});

test('If-Match with another etag answers 412 and keeps the draft; the current etag updates it', async () => {
  const current = await server.api('GET', base, { token });
  assert.equal(current.status, 200);
  assert.equal(current.headers.etag, `"${current.body.etag}"`);
  const changed = structuredClone(offer) as any;
  changed.listing.summary = 'Changed summary.';
  const stale = await server.api('PUT', base, { token, body: changed, headers: { 'if-match': '"not-the-etag"' } });
  assertError(stale, 412, 'PRECONDITION_FAILED');
  const after = await server.api('GET', base, { token });
  assert.deepEqual(after.body, current.body);

  const ok = await server.api('PUT', base, { token, body: changed, headers: { 'if-match': current.headers.etag } });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.notEqual(ok.body.etag, current.body.etag);
  assert.equal(ok.headers.etag, `"${ok.body.etag}"`);
  assert.equal((await server.api('GET', base, { token })).body.offer.listing.summary, 'Changed summary.');
  // back to the original for the other tests
  assert.equal((await server.api('PUT', base, { token, body: offer })).status, 200);
});

test('If-None-Match: * creates an offer only once: the second creator gets 412 and the first draft stays', async () => {
  const id = 'created-once';
  const path = `/api/v1/publishers/contoso/offers/${id}`;
  const first = { ...(structuredClone(offer) as any), id };
  const created = await server.api('PUT', path, { token, body: first, headers: { 'if-none-match': '*' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const stored = await server.api('GET', path, { token });

  const second = structuredClone(first);
  second.listing.summary = 'Someone else wanted this id.';
  assertError(await server.api('PUT', path, { token, body: second, headers: { 'if-none-match': '*' } }), 412, 'PRECONDITION_FAILED');
  assert.deepEqual((await server.api('GET', path, { token })).body, stored.body);
  // anything but * is not a precondition an offer draft can meet
  assert.equal((await server.api('PUT', path, { token, body: second, headers: { 'if-none-match': '"abc"' } })).status, 422);
  assert.deepEqual((await server.api('GET', path, { token })).body, stored.body);
});

test('a document whose id or publisher differs from the URL is refused', async () => {
  const res = await server.api('PUT', '/api/v1/publishers/contoso/offers/other-id', { token, body: offer });
  assertError(res, 422, 'VALIDATION_FAILED');
  assert.ok(res.body.error.details.some((d: any) => d.path === 'id'), JSON.stringify(res.body.error.details));
  assert.equal((await server.api('GET', '/api/v1/publishers/contoso/offers/other-id', { token })).status, 404);
});

test('a reused image version (422), a publish while one runs (409), golive at the wrong time (409)', async () => {
  const before = await slots();
  const reused = await server.api('POST', `${base}/publish`, { token });
  assertError(reused, 422, 'VALIDATION_FAILED');
  assert.ok(reused.body.error.details.some((d: any) => /plans\[0\]\.images/.test(d.path)), JSON.stringify(reused.body.error.details));
  assert.deepEqual(await slots(), before);

  const next = structuredClone(offer) as any;
  next.plans[0].images[0].version = '1.1.0';
  next.plans[0].images[0].osDisk = await imageFile(server, 'os-1.1.vhd');
  assert.equal((await server.api('PUT', base, { token, body: next })).status, 200);
  const drafted = await slots();

  const early = await server.api('POST', `${base}/golive`, { token });
  assertError(early, 409, 'CONFLICT');

  const published = await server.api('POST', `${base}/publish`, { token, body: { notifyEmails: ['pm@contoso.example'] } });
  assert.equal(published.status, 202, JSON.stringify(published.body));
  assert.match(published.headers.location, /^\/api\/v1\/publishers\/contoso\/operations\/op-/);
  assert.equal(published.body.location, published.headers.location);
  const again = await server.api('POST', `${base}/publish`, { token });
  assertError(again, 409, 'CONFLICT');
  const golive = await server.api('POST', `${base}/golive`, { token });
  assertError(golive, 409, 'CONFLICT');
  // the documents stay as they were; only the offer's status says an operation runs
  const withStatus = (list: unknown[], status: string) => list.map((s: any) => (s[0] === 200 ? [200, { ...s[1], status }] : s));
  assert.deepEqual(await slots(), withStatus(drafted, 'running'));

  const op = await server.api('GET', published.headers.location, { token });
  assert.equal(op.status, 200);
  assert.equal(op.body.id, published.body.operationId);
  assert.equal(op.body.steps.length, 8);
  const canceled = await server.api('POST', `${base}/cancel`, { token });
  assert.equal(canceled.status, 202, JSON.stringify(canceled.body));
  assert.equal(canceled.body.operationId, published.body.operationId);
  assertError(await server.api('POST', `${base}/cancel`, { token }), 409, 'CONFLICT');
});

test('bad publish bodies and unknown slots are validation errors with paths', async () => {
  const res = await server.api('POST', `${base}/publish`, { token, body: { notifyEmails: ['not-an-address'] } });
  assertError(res, 422, 'VALIDATION_FAILED');
  assert.deepEqual(res.body.error.details.map((d: any) => d.path), ['notifyEmails[0]']);
  const slot = await server.api('GET', `${base}?slot=staging`, { token });
  assertError(slot, 422, 'VALIDATION_FAILED');
  assert.deepEqual(slot.body.error.details.map((d: any) => d.path), ['query.slot']);
});

test('unknown routes and offers answer 404 in the contract shape', async () => {
  assertError(await server.api('GET', '/api/v1/nothing-here', { token }), 404, 'NOT_FOUND');
  assertError(await server.api('GET', '/api/v1/publishers/contoso/offers/missing', { token }), 404, 'NOT_FOUND');
  assertError(await server.api('GET', '/api/v1/publishers/contoso/offers/missing/status', { token }), 404, 'NOT_FOUND');
});
