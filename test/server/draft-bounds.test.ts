/**
 * A publisher's draft is bounded work (issue 9, finding 10): an offer naming thousands of image
 * files (the 895 KB draft that made 34,000 source checks) is refused with one problem before any
 * file is looked at, a source repeated across versions and disks is checked once and still
 * reported at every place it is used, and one publisher holds at most `limits.offersPerPublisher`
 * offers. Real server, real HTTP; nothing refused is stored.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { MAX_IMAGE_SOURCES } from '../../src/offers/schema.ts';
import { imageFile, offerDocument, validOffer } from '../helpers/offers.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const MAX_OFFERS = 3;
let server: TestServer;
let token: string;

before(async () => {
  server = await startTestServer({ workers: false, config: { limits: { offersPerPublisher: MAX_OFFERS } } });
  token = await server.createPublisher('contoso');
});
after(async () => server?.close());

/** A plan with `versions` image versions, each an OS disk and `disks` data disks, all `source`. */
function bigPlan(id: string, versions: number, disks: number, source: string) {
  const plan = (offerDocument({ id: 'x', publisher: 'contoso', osDisk: source }).plans as Record<string, unknown>[])[0]!;
  return {
    ...plan,
    id,
    images: Array.from({ length: versions }, (_, v) => ({ version: `1.0.${v}`, osDisk: source, dataDisks: Array.from({ length: disks }, (_, d) => ({ lun: d, source })) })),
  };
}

test('a draft naming thousands of image files is refused at once, and nothing is saved', async () => {
  const source = await imageFile(server, 'same.vhd');
  // 20 plans x 20 versions x (OS + 16 data disks) = 6,800 image files, under the 1 MiB body limit
  const doc = { ...offerDocument({ id: 'huge-draft', publisher: 'contoso', osDisk: source }), plans: Array.from({ length: 20 }, (_, p) => bigPlan(`plan-${p}`, 20, 16, source)) };
  const bytes = JSON.stringify(doc).length;
  const started = performance.now();
  const put = await server.api('PUT', '/api/v1/publishers/contoso/offers/huge-draft', { token, body: doc });
  console.log(`# a ${bytes}-byte draft naming 6,800 image files: ${put.status} in ${Math.round(performance.now() - started)} ms`);
  assert.equal(put.status, 422, JSON.stringify(put.body).slice(0, 500));
  assert.equal(put.body.error.code, 'VALIDATION_FAILED');
  assert.deepEqual(put.body.error.details.map((d: { path: string }) => d.path), ['plans']);
  assert.match(put.body.error.details[0].message, new RegExp(`more than ${MAX_IMAGE_SOURCES} image files`));
  assert.equal((await server.api('GET', '/api/v1/publishers/contoso/offers/huge-draft', { token })).status, 404, 'nothing was saved');

  const tooManyVersions = { ...doc, plans: [bigPlan('standard', 21, 0, source)] };
  const versions = await server.api('PUT', '/api/v1/publishers/contoso/offers/huge-draft', { token, body: tooManyVersions });
  assert.equal(versions.status, 422);
  assert.deepEqual(versions.body.error.details.map((d: { path: string; message: string }) => [d.path, d.message]), [['plans[0].images', 'at most 20 image versions per plan']]);
});

test('a source repeated across versions and disks is reported at every place it is used', async () => {
  const outside = path.join(server.root, 'outside.vhd');
  const doc = { ...offerDocument({ id: 'repeated', publisher: 'contoso', osDisk: outside }), plans: [bigPlan('standard', 10, 9, outside)] };
  const put = await server.api('PUT', '/api/v1/publishers/contoso/offers/repeated', { token, body: doc });
  assert.equal(put.status, 422);
  const paths = put.body.error.details.map((d: { path: string }) => d.path);
  assert.equal(paths.length, 100, 'ten versions, each an OS disk and nine data disks');
  assert.ok(paths.includes('plans[0].images[9].dataDisks[8].source'));
  assert.equal(new Set(put.body.error.details.map((d: { message: string }) => d.message)).size, 1, 'the same problem everywhere');
});

test('a publisher holds at most limits.offersPerPublisher offers; updating one still works', async () => {
  const ids = Array.from({ length: MAX_OFFERS }, (_, i) => `offer-${i}`);
  for (const id of ids) {
    const put = await server.api('PUT', `/api/v1/publishers/contoso/offers/${id}`, { token, body: await validOffer(server, { id, publisher: 'contoso' }) });
    assert.equal(put.status, 201, JSON.stringify(put.body));
  }
  for (const headers of [{}, { 'if-none-match': '*' }] as Record<string, string>[]) {
    const over = await server.api('PUT', '/api/v1/publishers/contoso/offers/one-too-many', { token, headers, body: await validOffer(server, { id: 'one-too-many', publisher: 'contoso' }) });
    assert.equal(over.status, 409, JSON.stringify(over.body));
    assert.equal(over.body.error.code, 'CONFLICT');
    assert.match(over.body.error.message, new RegExp(`already has ${MAX_OFFERS} offers.*limits\\.offersPerPublisher`));
  }
  assert.equal((await server.api('GET', '/api/v1/publishers/contoso/offers/one-too-many', { token })).status, 404, 'nothing was saved');
  const update = await server.api('PUT', '/api/v1/publishers/contoso/offers/offer-0', { token, body: await validOffer(server, { id: 'offer-0', publisher: 'contoso', version: '1.0.1' }) });
  assert.equal(update.status, 200, JSON.stringify(update.body));
  // another publisher has its own count
  const other = await server.createPublisher('fabrikam');
  const theirs = await server.api('PUT', '/api/v1/publishers/fabrikam/offers/their-offer', { token: other, body: await validOffer(server, { id: 'their-offer', publisher: 'fabrikam' }) });
  assert.equal(theirs.status, 201);
});
