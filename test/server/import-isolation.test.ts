/**
 * Publishers do not trust each other: over real HTTP, publisher B cannot import publisher A's
 * image (relative, absolute, `../A/…`, a symlink), and B cannot tell A's existing file from a
 * missing one by the refusal. A itself, and the operator acting for A, still can.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { imageFile, offerDocument } from '../helpers/offers.ts';

let server: TestServer;
let tokenA: string;
let tokenB: string;
let imageOfA: string;

before(async () => {
  server = await startTestServer({ workers: false });
  tokenA = await server.createPublisher('contoso');
  tokenB = await server.createPublisher('fabrikam');
  imageOfA = await imageFile(server, 'secret-os.vhd', 'contoso');
  await imageFile(server, 'own.vhd', 'fabrikam');
});
after(() => server?.close());

/** PUTs an offer of `publisher` whose OS disk is `osDisk`; answers the problem at the OS disk, if any. */
async function osDiskProblem(publisher: string, token: string, osDisk: string, language = 'en'): Promise<{ status: number; message?: string }> {
  const res = await server.api('PUT', `/api/v1/publishers/${publisher}/offers/probe`, {
    token,
    headers: { 'accept-language': language },
    body: offerDocument({ id: 'probe', publisher, osDisk }),
  });
  const detail = res.body?.error?.details?.find((d: any) => d.path === 'plans[0].images[0].osDisk');
  return { status: res.status, message: detail?.message };
}

test("publisher B cannot import publisher A's image by relative path, absolute path, ../A/ or a symlink", async () => {
  await symlink(imageOfA, path.join(server.importDirOf('fabrikam'), 'borrowed.vhd'));
  for (const osDisk of ['secret-os.vhd', 'contoso/secret-os.vhd', imageOfA, '../contoso/secret-os.vhd', path.join(server.importDirOf('fabrikam'), '..', 'contoso', 'secret-os.vhd'), 'borrowed.vhd']) {
    const answer = await osDiskProblem('fabrikam', tokenB, osDisk);
    assert.equal(answer.status, 422, `${osDisk} must be refused: ${JSON.stringify(answer)}`);
    assert.ok(answer.message?.includes(osDisk), answer.message);
  }
  const draft = await server.api('GET', '/api/v1/publishers/fabrikam/offers/probe?slot=draft', { token: tokenB });
  assert.equal(draft.status, 404, 'nothing was stored');
});

test("the refusal for someone else's existing file reads exactly like the one for a missing file", async () => {
  const missing = path.join(server.importDir, 'contoso', 'no-such.vhd');
  const [theirs, absent, directory] = await Promise.all([
    osDiskProblem('fabrikam', tokenB, imageOfA),
    osDiskProblem('fabrikam', tokenB, missing),
    osDiskProblem('fabrikam', tokenB, server.importDirOf('fabrikam')),
  ]);
  const shape = (answer: { message?: string }, wrote: string) => answer.message?.replace(wrote, '<path>');
  assert.ok(theirs.message, 'refused');
  assert.equal(shape(theirs, imageOfA), shape(absent, missing));
  assert.equal(shape(directory, server.importDirOf('fabrikam')), shape(absent, missing), 'a directory reads the same too');
  const relative = await osDiskProblem('fabrikam', tokenB, 'secret-os.vhd');
  assert.ok(!relative.message!.includes(server.importDir), `no path beyond what was written: ${relative.message}`);
  const german = await osDiskProblem('fabrikam', tokenB, 'secret-os.vhd', 'de');
  assert.ok(german.message && german.message !== relative.message && german.message.includes('secret-os.vhd'), `the refusal is localized: ${german.message}`);
});

test('publisher A, and the operator acting for A, import from A\'s own subtree', async () => {
  for (const [token, osDisk] of [[tokenA, 'secret-os.vhd'], [server.operatorToken, imageOfA]]) {
    const res = await server.api('PUT', '/api/v1/publishers/contoso/offers/mine', { token, body: offerDocument({ id: 'mine', publisher: 'contoso', osDisk }) });
    assert.ok([200, 201].includes(res.status), `${osDisk}: ${JSON.stringify(res.body)}`);
  }
  // B's own file is fine for B, and the operator acting for A cannot reach B's
  assert.equal((await osDiskProblem('fabrikam', tokenB, 'own.vhd')).status, 201);
  assert.equal((await osDiskProblem('contoso', server.operatorToken, '../fabrikam/own.vhd')).status, 422);
});

test('imports.publisherDirs replaces the default subtree for a publisher', async (t) => {
  const mirror = await mkdtemp(path.join(os.tmpdir(), 'vmarket-mirror-'));
  t.after(() => rm(mirror, { recursive: true, force: true }));
  await writeFile(path.join(mirror, 'mirrored.vhd'), Buffer.alloc(4096, 1));
  const mapped = await startTestServer({ workers: false, config: { imports: { allowedDirs: [], publisherDirs: { contoso: [mirror] } } } });
  t.after(() => mapped.close());
  const token = await mapped.createPublisher('contoso');
  const put = (osDisk: string) => mapped.api('PUT', '/api/v1/publishers/contoso/offers/mapped', { token, body: offerDocument({ id: 'mapped', publisher: 'contoso', osDisk }) });
  assert.equal((await put('mirrored.vhd')).status, 201);
  const other = await mapped.createPublisher('fabrikam');
  const theirs = await mapped.api('PUT', '/api/v1/publishers/fabrikam/offers/mapped', { token: other, body: offerDocument({ id: 'mapped', publisher: 'fabrikam', osDisk: path.join(mirror, 'mirrored.vhd') }) });
  assert.equal(theirs.status, 422, 'the mapping is contoso\'s alone');
});
