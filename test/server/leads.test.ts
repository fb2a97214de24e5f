/**
 * Lead delivery end to end: acquire → lead row + job in one transaction → the lead worker → a
 * real HTTPS receiver on loopback (self-signed certificate the server trusts, HMAC header
 * checked), including one that fails twice before it accepts, and email to smtp-server.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { verifyHmacSignature } from '../../src/security/hmac.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { hasOpenssl, startHttpsReceiver, startSmtpReceiver, type HttpsReceiver, type SmtpReceiver } from '../helpers/receivers.ts';
import { imageFile, publishSlot, validOffer } from '../helpers/offers.ts';

const CUSTOMER = '00000000-0000-4000-8000-0000000000c1';

let server: TestServer | undefined;
let token: string;
let ok: HttpsReceiver | undefined;
let flaky: HttpsReceiver | undefined;
let smtp: SmtpReceiver;
let skip: string | undefined;

before(async () => {
  if (!(await hasOpenssl())) {
    skip = 'openssl is not installed: the HTTPS receivers cannot be made';
    return;
  }
  ok = await startHttpsReceiver([200]);
  flaky = await startHttpsReceiver([500, 503, 202]);
  smtp = await startSmtpReceiver();
  server = await startTestServer({
    config: {
      deliveries: { allowPrivateNetworks: true },
      trustedCaFiles: [ok.caFile, flaky.caFile],
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, allowSelfSigned: false, from: 'vmarket <market@example.org>' },
    },
  });
  token = await server.createPublisher('contoso');
});
after(async () => {
  await server?.close();
  await ok?.close();
  await flaky?.close();
  await smtp?.close();
});

/**
 * Makes `id` live with `leads`, acquires it, and waits (bounded) until the lead is no longer
 * pending. `secret` is the lead signing secret the first save showed (https destinations).
 */
async function acquireAndWait(id: string, leads: Record<string, unknown>) {
  const s = server!;
  const offer = await validOffer(s, { id, publisher: 'contoso', leads, osDisk: await imageFile(s, `${id}.vhd`) });
  const saved = await s.api('PUT', `/api/v1/publishers/contoso/offers/${id}`, { token, body: offer });
  assert.equal(saved.status, 201, JSON.stringify(saved.body));
  const secret: string | undefined = saved.body.leadSecret?.secret;
  await publishSlot(s, token, 'live', offer);
  const acquired = await s.api('POST', `/api/v1/catalog/offers/contoso.${id}/acquire`, {
    body: { subscriptionId: CUSTOMER, plan: 'standard', contact: { name: 'Grace Hopper', email: 'grace@example.com', company: 'Navy' } },
  });
  assert.equal(acquired.status, 200, JSON.stringify(acquired.body));
  let lead: any;
  for (let i = 0; i < 300; i++) {
    const leads = await s.api('GET', `/api/v1/publishers/contoso/offers/${id}/leads`, { token });
    lead = leads.body.leads.find((l: any) => l.id === acquired.body.leadId);
    if (lead && lead.deliveryStatus !== 'pending') break;
    await sleep(100);
  }
  return { leadId: acquired.body.leadId as string, lead, secret };
}

test('an https lead is POSTed once, signed with the HMAC of its body', async (t) => {
  if (skip) return t.skip(skip);
  const { leadId, lead, secret } = await acquireAndWait('https-lead', { destination: 'https', https: { url: ok!.url } });
  assert.equal(lead.deliveryStatus, 'delivered', JSON.stringify(lead));
  assert.equal(lead.deliveryAttempts, 1);
  assert.ok(lead.deliveredAt);
  const received = ok!.requests.filter((r) => JSON.parse(r.body.toString('utf8')).id === leadId);
  assert.equal(received.length, 1);
  const request = received[0];
  assert.equal(request.headers['x-vmarket-event'], 'lead.created');
  assert.ok(verifyHmacSignature(secret!, request.body, String(request.headers['x-vmarket-signature'])), 'the HMAC header verifies with the secret the save showed');
  assert.equal(verifyHmacSignature('another-key', request.body, String(request.headers['x-vmarket-signature'])), false);
  const body = JSON.parse(request.body.toString('utf8'));
  assert.deepEqual([body.offer, body.plan, body.subscriptionId, body.contact], [
    'contoso.https-lead',
    'standard',
    CUSTOMER,
    { name: 'Grace Hopper', email: 'grace@example.com', company: 'Navy' },
  ]);
});

test('a receiver that fails twice before it accepts gets the lead on the third attempt', async (t) => {
  if (skip) return t.skip(skip);
  const { leadId, lead, secret } = await acquireAndWait('flaky-lead', { destination: 'https', https: { url: flaky!.url } });
  assert.equal(lead.deliveryStatus, 'delivered', JSON.stringify(lead));
  assert.equal(lead.deliveryAttempts, 3);
  assert.equal(lead.lastError, null);
  assert.equal(flaky!.requests.length, 3);
  for (const r of flaky!.requests) {
    assert.equal(JSON.parse(r.body.toString('utf8')).id, leadId, 'every attempt carries the same lead id');
    assert.ok(verifyHmacSignature(secret!, r.body, String(r.headers['x-vmarket-signature'])));
  }
});

test('an email lead is sent through the operator\'s SMTP relay', async (t) => {
  if (skip) return t.skip(skip);
  const { leadId, lead } = await acquireAndWait('mail-lead', { destination: 'email', email: { to: ['sales@contoso.example'] } });
  assert.equal(lead.deliveryStatus, 'delivered', JSON.stringify(lead));
  const mails = smtp.messages.filter((m) => m.raw.includes(leadId));
  assert.equal(mails.length, 1);
  assert.deepEqual(mails[0].to, ['sales@contoso.example']);
  assert.match(mails[0].subject, /new lead for contoso\.mail-lead/);
  assert.ok(mails[0].raw.includes('grace@example.com'));
});
