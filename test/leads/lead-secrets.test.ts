/**
 * The offer's lead signing secret (issue 9, finding 1): publishers can no longer name a server
 * environment variable to sign leads with; the marketplace generates each offer's secret, shows it
 * once, rotates it on request, and keeps it encrypted at rest. Everything over real HTTP against a
 * real server with PGlite, a real HTTPS receiver checking the HMAC, and the real CLI.
 */
import assert from 'node:assert/strict';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { verifyHmacSignature } from '../../src/security/hmac.ts';
import { vmarket } from '../helpers/cli.ts';
import { baseLinuxTree, buildImage } from '../fixtures/images.ts';
import { imageFile, offerDocument, publishSlot, step, validOffer, waitForStatus } from '../helpers/offers.ts';
import { hasOpenssl, startHttpsReceiver, type HttpsReceiver } from '../helpers/receivers.ts';
import { startTestServer, TEST_OPERATOR_TOKEN, type TestServer } from '../helpers/server.ts';

let server: TestServer | undefined;
let receiver: HttpsReceiver | undefined;
let token: string;
let otherToken: string;
let skip: string | undefined;
let customer = 0;

before(async () => {
  if (!(await hasOpenssl())) {
    skip = 'openssl is not installed: the HTTPS receiver cannot be made';
    return;
  }
  receiver = await startHttpsReceiver([200]);
  server = await startTestServer({ config: { deliveries: { allowPrivateNetworks: true }, trustedCaFiles: [receiver.caFile] } });
  token = await server.createPublisher('contoso');
  otherToken = await server.createPublisher('fabrikam');
});
after(async () => {
  await server?.close();
  await receiver?.close();
});

const offerPath = (id: string, pub = 'contoso') => `/api/v1/publishers/${pub}/offers/${id}`;

async function httpsOffer(id: string, extra: Record<string, unknown> = {}) {
  return validOffer(server!, { id, publisher: 'contoso', osDisk: await imageFile(server!, `${id}.vhd`), leads: { destination: 'https', https: { url: receiver!.url, ...extra } } });
}

/** Acquires the live offer `id` as a new customer and waits (bounded) until its lead left `pending`. */
async function acquireAndWait(id: string): Promise<{ lead: any; request: any }> {
  const s = server!;
  const subscriptionId = `00000000-0000-4000-8000-${String(++customer).padStart(12, '0')}`;
  const acquired = await s.api('POST', `/api/v1/catalog/offers/contoso.${id}/acquire`, {
    body: { subscriptionId, plan: 'standard', contact: { name: 'Ada Lovelace', email: 'ada@example.com' } },
  });
  assert.equal(acquired.status, 200, JSON.stringify(acquired.body));
  let lead: any;
  for (let i = 0; i < 300; i++) {
    const leads = await s.api('GET', `${offerPath(id)}/leads`, { token });
    lead = leads.body.leads.find((l: any) => l.id === acquired.body.leadId);
    if (lead && lead.deliveryStatus !== 'pending') break;
    await sleep(100);
  }
  const request = receiver!.requests.find((r) => r.headers['x-vmarket-delivery'] === acquired.body.leadId);
  return { lead, request };
}

function signedWith(secret: string, request: any): boolean {
  return verifyHmacSignature(secret, request.body, String(request.headers['x-vmarket-signature']));
}

test('an offer naming a server environment variable as its lead secret is refused, and no lead is ever signed with one', async (t) => {
  if (skip) return t.skip(skip);
  const s = server!;
  const attack = await httpsOffer('env-oracle', { secretRef: 'VMARKET_OPERATOR_TOKEN' });
  const put = await s.api('PUT', offerPath('env-oracle'), { token, body: attack });
  assert.equal(put.status, 422, JSON.stringify(put.body));
  const problem = put.body.error.details.find((d: any) => d.path === 'leads.https.secretRef');
  assert.ok(problem, JSON.stringify(put.body.error.details));
  assert.match(problem.message, /marketplace generates/);
  assert.match(problem.message, /lead-secret|leads secret rotate/);
  // The same answer whether or not the variable exists: nothing tells the publisher which do.
  const missing = await s.api('PUT', offerPath('env-oracle'), { token, body: await httpsOffer('env-oracle', { secretRef: 'NO_SUCH_VARIABLE_ANYWHERE' }) });
  assert.equal(missing.status, 422);
  assert.equal(missing.body.error.details.find((d: any) => d.path === 'leads.https.secretRef').message, problem.message);
  assert.equal((await s.api('GET', offerPath('env-oracle'), { token })).status, 404, 'nothing was saved');

  // A live document stored before the change still carries secretRef: delivery ignores it and
  // signs with the offer's own generated secret.
  await publishSlot(s, token, 'live', await httpsOffer('env-oracle'));
  const live = await s.ctx.db.kysely.selectFrom('offers').select('live').where('id', '=', 'env-oracle').executeTakeFirstOrThrow();
  const doc = live.live as any;
  doc.offer.leads.https.secretRef = 'VMARKET_OPERATOR_TOKEN';
  await s.ctx.db.kysely.updateTable('offers').set({ live: JSON.stringify(doc) }).where('id', '=', 'env-oracle').execute();
  const rotated = await s.api('POST', `${offerPath('env-oracle')}/lead-secret`, { token });
  assert.equal(rotated.status, 200, JSON.stringify(rotated.body));

  const { lead, request } = await acquireAndWait('env-oracle');
  assert.equal(lead.deliveryStatus, 'delivered', JSON.stringify(lead));
  assert.ok(request, 'the receiver got the lead');
  assert.equal(signedWith(TEST_OPERATOR_TOKEN, request), false, 'never signed with the operator token');
  assert.ok(signedWith(rotated.body.secret, request), 'signed with the offer\'s generated secret');
});

test('the secret is generated on the first https save, shown once, verifies at the receiver, and rotates', async (t) => {
  if (skip) return t.skip(skip);
  const s = server!;
  const offer = await httpsOffer('signed-leads');
  const created = await s.api('PUT', offerPath('signed-leads'), { token, body: offer });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const first = created.body.leadSecret;
  assert.ok(first, 'the answer that created the secret shows it');
  assert.match(first.secret, /^vmls_[A-Za-z0-9_-]{43}$/, '256 random bits');
  assert.match(first.fingerprint, /^sha256:[0-9a-f]{16}$/);

  const again = await s.api('PUT', offerPath('signed-leads'), { token, body: offer });
  assert.equal(again.status, 200);
  assert.equal(again.body.leadSecret, undefined, 'shown exactly once');

  const meta = await s.api('GET', `${offerPath('signed-leads')}/lead-secret`, { token });
  assert.equal(meta.status, 200);
  assert.deepEqual(meta.body, { set: true, fingerprint: first.fingerprint, createdAt: first.createdAt });
  for (const answer of [meta, await s.api('GET', offerPath('signed-leads'), { token }), await s.api('GET', '/api/v1/publishers/contoso/offers', { token })]) {
    assert.ok(!JSON.stringify(answer.body).includes(first.secret), 'no read answer carries the secret');
  }

  await publishSlot(s, token, 'live', offer);
  const one = await acquireAndWait('signed-leads');
  assert.equal(one.lead.deliveryStatus, 'delivered', JSON.stringify(one.lead));
  assert.ok(signedWith(first.secret, one.request), 'the shown secret verifies the HMAC');

  const rotated = await s.api('POST', `${offerPath('signed-leads')}/lead-secret`, { token });
  assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
  assert.notEqual(rotated.body.secret, first.secret);
  assert.notEqual(rotated.body.fingerprint, first.fingerprint);
  const two = await acquireAndWait('signed-leads');
  assert.equal(two.lead.deliveryStatus, 'delivered');
  assert.ok(signedWith(rotated.body.secret, two.request), 'the new secret verifies');
  assert.equal(signedWith(first.secret, two.request), false, 'the old one no longer does');

  // another publisher: 403 on contoso's routes, 404 for contoso's offer id under its own name
  assert.equal((await s.api('POST', `${offerPath('signed-leads')}/lead-secret`, { token: otherToken })).status, 403);
  assert.equal((await s.api('GET', `${offerPath('signed-leads')}/lead-secret`, { token: otherToken })).status, 403);
  assert.equal((await s.api('POST', `${offerPath('signed-leads', 'fabrikam')}/lead-secret`, { token: otherToken })).status, 404);
  assert.equal((await s.api('POST', `${offerPath('signed-leads')}/lead-secret`)).status, 401);
  const still = await s.api('GET', `${offerPath('signed-leads')}/lead-secret`, { token });
  assert.equal(still.body.fingerprint, rotated.body.fingerprint, 'the refused calls changed nothing');
});

test('publishing: the registration test lead is signed with the offer\'s secret; an offer without one stops at package with a clear message', async (t) => {
  if (skip) return t.skip(skip);
  const s = server!;
  const image = path.join(s.importDirOf('contoso'), 'published-leads.vhd');
  await buildImage({ ...baseLinuxTree(), output: image });
  const leads = { destination: 'https', https: { url: receiver!.url } };
  const put = await s.api('PUT', offerPath('published-leads'), { token, body: offerDocument({ id: 'published-leads', publisher: 'contoso', osDisk: image, leads }) });
  assert.equal(put.status, 201, JSON.stringify(put.body));
  assert.equal((await s.api('POST', `${offerPath('published-leads')}/publish`, { token })).status, 202);
  await waitForStatus(s.api, token, 'contoso', 'published-leads', (d) => d.status === 'waitingForPublisherReview');
  const registration = receiver!.requests.filter((r) => r.headers['x-vmarket-event'] === 'lead.registration-test' && JSON.parse(r.body.toString('utf8')).offer === 'contoso.published-leads');
  assert.equal(registration.length, 1);
  assert.ok(signedWith(put.body.leadSecret.secret, registration[0]));

  // an offer whose secret is gone (e.g. saved before secrets were generated): nothing is sent
  const bare = await s.api('PUT', offerPath('unsigned-leads'), { token, body: offerDocument({ id: 'unsigned-leads', publisher: 'contoso', osDisk: image, leads }) });
  assert.equal(bare.status, 201);
  await s.ctx.db.kysely.deleteFrom('offer_lead_secrets').where('offer_id', '=', 'unsigned-leads').execute();
  assert.equal((await s.api('POST', `${offerPath('unsigned-leads')}/publish`, { token })).status, 202);
  const stopped = await waitForStatus(s.api, token, 'contoso', 'unsigned-leads', (d) => step(d, 'package')?.status === 'blocked');
  const said = step(stopped, 'package').messages.map((m: any) => m.text).join(' ');
  assert.match(said, /has no lead signing secret yet.*vmarket leads secret rotate --offer unsigned-leads/);
  assert.equal(receiver!.requests.filter((r) => JSON.parse(r.body.toString('utf8')).offer === 'contoso.unsigned-leads').length, 0, 'nothing went out unsigned');
});

test('an offer without an https destination has no secret until one is rotated in', async (t) => {
  if (skip) return t.skip(skip);
  const s = server!;
  const table = await validOffer(s, { id: 'table-leads', publisher: 'contoso', osDisk: await imageFile(s, 'table-leads.vhd') });
  const created = await s.api('PUT', offerPath('table-leads'), { token, body: table });
  assert.equal(created.status, 201);
  assert.equal(created.body.leadSecret, undefined);
  assert.deepEqual((await s.api('GET', `${offerPath('table-leads')}/lead-secret`, { token })).body, { set: false, fingerprint: null, createdAt: null });
  assert.equal((await s.api('GET', `${offerPath('no-such-offer')}/lead-secret`, { token })).status, 404);
});

test('vmarket offer push prints the secret its first https save generated; leads secret rotate prints a new one once, as text and as JSON', async (t) => {
  if (skip) return t.skip(skip);
  const s = server!;
  const env = { VMARKET_URL: s.url, VMARKET_TOKEN: token };
  const offerFile = path.join(s.root, 'cli-leads.json');
  await writeFile(offerFile, JSON.stringify(await httpsOffer('cli-leads')));
  const pushed = await vmarket(['offer', 'push', offerFile], { env });
  assert.equal(pushed.code, 0, pushed.stderr);
  const generated = pushed.stdout.match(/vmls_[A-Za-z0-9_-]{43}/)?.[0];
  assert.ok(generated, pushed.stdout);
  const pushedAgain = await vmarket(['offer', 'push', offerFile], { env });
  assert.equal(pushedAgain.code, 0, pushedAgain.stderr);
  assert.doesNotMatch(pushedAgain.stdout, /vmls_/, 'only the save that generated it shows it');
  const text = await vmarket(['leads', 'secret', 'rotate', '--offer', 'cli-leads'], { env });
  assert.equal(text.code, 0, text.stderr);
  const secret = text.stdout.match(/vmls_[A-Za-z0-9_-]{43}/)?.[0];
  assert.ok(secret, text.stdout);
  assert.notEqual(secret, generated);
  assert.equal(text.stdout.split(secret).length, 2, 'printed once');
  const json = await vmarket(['leads', 'secret', 'rotate', '--offer', 'cli-leads', '--json'], { env });
  assert.equal(json.code, 0, json.stderr);
  const answer = JSON.parse(json.stdout);
  assert.match(answer.secret, /^vmls_/);
  assert.notEqual(answer.secret, secret);
  const show = await vmarket(['leads', 'secret', 'show', '--offer', 'cli-leads', '--json'], { env });
  assert.equal(show.code, 0, show.stderr);
  assert.deepEqual(JSON.parse(show.stdout), { set: true, fingerprint: answer.fingerprint, createdAt: answer.createdAt });
  const help = await vmarket(['leads', 'secret', 'rotate', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--offer/);
  const unknown = await vmarket(['leads', 'secret', 'rotate', '--offer', 'not-there'], { env });
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /does not exist/);
});

test('secrets are stored encrypted with a 0600 key under dataDir; a wrong or corrupt key stops the server with a clear error', async (t) => {
  if (skip) return t.skip(skip);
  const s = server!;
  const put = await s.api('PUT', offerPath('at-rest'), { token, body: await httpsOffer('at-rest') });
  const secret: string = put.body.leadSecret.secret;
  const rows = await s.ctx.db.kysely.selectFrom('offer_lead_secrets').selectAll().execute();
  assert.ok(rows.length >= 1);
  const dump = JSON.stringify(rows);
  assert.ok(!dump.includes(secret), 'the row does not hold the plaintext');
  assert.ok(!dump.includes(secret.slice(5)), 'nor its random part');
  const keyFile = path.join(s.dataDir, 'secret-key');
  assert.equal((await stat(keyFile)).mode & 0o777, 0o600);

  // a damaged row: the lead is not sent (never unsigned), its error says what to do
  await publishSlot(s, token, 'live', await httpsOffer('at-rest'));
  const [version, nonce, body] = rows.find((r) => r.offer_id === 'at-rest')!.sealed.split('.');
  const damaged = `${version}.${nonce}.${body.startsWith('A') ? 'B' : 'A'}${body.slice(1)}`;
  await s.ctx.db.kysely.updateTable('offer_lead_secrets').set({ sealed: damaged }).where('offer_id', '=', 'at-rest').execute();
  const acquired = await s.api('POST', '/api/v1/catalog/offers/contoso.at-rest/acquire', {
    body: { subscriptionId: '00000000-0000-4000-8000-00000000dead', plan: 'standard', contact: { name: 'Ada Lovelace', email: 'ada@example.com' } },
  });
  assert.equal(acquired.status, 200, JSON.stringify(acquired.body));
  let lead: any;
  for (let i = 0; i < 300 && !lead?.lastError; i++) {
    lead = (await s.api('GET', `${offerPath('at-rest')}/leads`, { token })).body.leads.find((l: any) => l.id === acquired.body.leadId);
    await sleep(100);
  }
  assert.match(lead?.lastError ?? '', /damaged and cannot be decrypted; rotate it/);
  assert.notEqual(lead.deliveryStatus, 'delivered');
  assert.equal(receiver!.requests.filter((r) => r.headers['x-vmarket-delivery'] === acquired.body.leadId).length, 0, 'nothing was sent');

  await s.close({ keep: true });
  const wrongKey = path.join(s.root, 'wrong-key');
  await writeFile(wrongKey, `${Buffer.alloc(32, 7).toString('base64')}\n`, { mode: 0o600 });
  await assert.rejects(startTestServer({ root: s.root, config: { secrets: { keyFile: wrongKey } } }), (error: any) => {
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.match(error.message, /lead signing secret.*another key/s);
    assert.ok(!error.message.includes(Buffer.alloc(32, 7).toString('base64')), 'the key is not in the message');
    return true;
  });
  await writeFile(wrongKey, 'not a key\n');
  await assert.rejects(startTestServer({ root: s.root, config: { secrets: { keyFile: wrongKey } } }), (error: any) => {
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.match(error.message, /32 bytes/);
    return true;
  });
  // the right key (the generated one) still opens everything
  server = await startTestServer({ root: s.root, config: { deliveries: { allowPrivateNetworks: true }, trustedCaFiles: [receiver!.caFile] } });
  assert.equal((await server.api('GET', `${offerPath('at-rest')}/lead-secret`, { token })).body.fingerprint, put.body.leadSecret.fingerprint);
});
