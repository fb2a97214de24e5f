import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliverLead, registerLeadDestination, verifyHmacSignature, type Lead, type LeadContext } from '../../src/leads/index.ts';
import { hasOpenssl, startHttpsReceiver, startSmtpReceiver } from '../helpers/receivers.ts';
import { rejectsWith } from '../helpers/assert.ts';
import { VmarketError } from '../../src/errors.ts';

const lead: Lead = {
  id: '5b0f3c1e-0000-4000-8000-000000000001',
  offer: 'contoso.ubuntu-hardened',
  plan: 'standard',
  subscriptionId: '2f3c9a10-1111-4222-8333-444455556666',
  contact: { name: 'Ada Lovelace', email: 'ada@example.com', company: 'Analytical Engines' },
  createdAt: '2026-11-24T12:00:00.000Z',
  kind: 'lead',
};

function context(caFile: string | undefined, extra: Partial<LeadContext> = {}): LeadContext {
  return {
    config: { deliveries: { allowPrivateNetworks: true }, trustedCaFiles: caFile ? [caFile] : [], smtp: undefined },
    // the operator's environment holds a variable named like a secret: no delivery reads it
    env: { LEADS_SECRET: 'server-variable' },
    signingSecret: async () => 'lead-hmac-key',
    retry: { baseDelayMs: 1 },
    ...extra,
  };
}


test('an https lead is signed, retried through two 500s and delivered once', async (t) => {
  if (!(await hasOpenssl())) return t.skip('openssl not installed');
  const receiver = await startHttpsReceiver([500, 500, 204]);
  t.after(() => receiver.close());
  const destination = { destination: 'https' as const, https: { url: receiver.url} };

  const result = await deliverLead(destination, lead, context(receiver.caFile));
  assert.equal(result.sent, true);
  assert.equal(result.attempts, 3);
  assert.equal(result.status, 204);
  assert.equal(receiver.requests.length, 3);
  const ids = new Set(receiver.requests.map((r) => r.headers['x-vmarket-delivery']));
  assert.deepEqual([...ids], [lead.id], 'the lead id is the delivery id on every retry (and on a redelivered job)');
  for (const request of receiver.requests) {
    assert.equal(request.method, 'POST');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['x-vmarket-event'], 'lead.created');
    assert.ok(verifyHmacSignature('lead-hmac-key', request.body, request.headers['x-vmarket-signature'] as string));
    assert.equal(verifyHmacSignature('wrong-key', request.body, request.headers['x-vmarket-signature'] as string), false);
    assert.equal(verifyHmacSignature('server-variable', request.body, request.headers['x-vmarket-signature'] as string), false);
    assert.deepEqual(JSON.parse(request.body.toString('utf8')), lead);
  }
});

test('https destinations fail with one clear error: status, missing or undecryptable secret, trust, private address', async (t) => {
  if (!(await hasOpenssl())) return t.skip('openssl not installed');
  const receiver = await startHttpsReceiver([403]);
  t.after(() => receiver.close());
  const destination = { destination: 'https' as const, https: { url: receiver.url} };

  // a 403 is not retried and the registration error names it
  await rejectsWith(registerLeadDestination(destination, { ...context(receiver.caFile), offer: lead.offer }), 'LEAD_DELIVERY_FAILED', 'HTTP 403');
  assert.equal(receiver.requests.length, 1);
  assert.equal(receiver.requests[0].headers['x-vmarket-event'], 'lead.registration-test');

  // no secret, or one that does not decrypt: a clear failure, never an unsigned request
  await rejectsWith(deliverLead(destination, lead, context(receiver.caFile, { signingSecret: undefined })), 'LEAD_DELIVERY_FAILED', 'no lead signing secret');
  const undecryptable = async (): Promise<string> => {
    throw new VmarketError('LEAD_DELIVERY_FAILED', 'The stored lead signing secret of contoso/ubuntu-hardened is damaged and cannot be decrypted; rotate it to make a new one.');
  };
  await rejectsWith(deliverLead(destination, lead, context(receiver.caFile, { signingSecret: undecryptable })), 'LEAD_DELIVERY_FAILED', 'cannot be decrypted');
  // the self-signed certificate is not trusted without the CA file
  await rejectsWith(deliverLead(destination, lead, context(undefined, { retry: { attempts: 2, baseDelayMs: 1 } })), 'LEAD_DELIVERY_FAILED', receiver.url.replace('/hook', ''));
  const strict = context(receiver.caFile);
  strict.config = { ...strict.config, deliveries: { allowPrivateNetworks: false } };
  await rejectsWith(deliverLead(destination, lead, strict), 'URL_NOT_ALLOWED', '127.0.0.1');
  await rejectsWith(deliverLead({ ...destination, https: { ...destination.https, url: receiver.url.replace('https', 'http') } }, lead, context(receiver.caFile)), 'URL_NOT_ALLOWED', 'https');
  assert.equal(receiver.requests.length, 1, 'no request reached the receiver after the first');
});

test('a registration test lead accepted by an https destination', async (t) => {
  if (!(await hasOpenssl())) return t.skip('openssl not installed');
  const receiver = await startHttpsReceiver([200]);
  t.after(() => receiver.close());
  const result = await registerLeadDestination(
    { destination: 'https', https: { url: receiver.url} },
    { ...context(receiver.caFile), offer: 'contoso.ubuntu-hardened' },
  );
  assert.equal(result.sent, true);
  assert.equal(result.lead.kind, 'registration-test');
  const body = JSON.parse(receiver.requests[0].body.toString('utf8'));
  assert.equal(body.kind, 'registration-test');
  assert.equal(body.offer, 'contoso.ubuntu-hardened');
});

test('an email lead reaches the SMTP server with the lead fields; a refused address is named', async (t) => {
  const smtp = await startSmtpReceiver(['nobody@example.com']);
  t.after(() => smtp.close());
  const ctx = context(undefined);
  ctx.config = { ...ctx.config, smtp: { host: '127.0.0.1', port: smtp.port, secure: false, allowSelfSigned: false, from: 'vmarket <market@example.org>' } };

  const result = await deliverLead({ destination: 'email', email: { to: ['sales@contoso.example', 'crm@contoso.example'] } }, lead, ctx);
  assert.equal(result.sent, true);
  assert.equal(smtp.messages.length, 1);
  const mail = smtp.messages[0];
  assert.deepEqual(mail.to, ['sales@contoso.example', 'crm@contoso.example']);
  assert.equal(mail.from, 'market@example.org');
  assert.equal(mail.subject, 'vmarket: new lead for contoso.ubuntu-hardened (standard)');
  for (const field of ['Ada Lovelace', 'ada@example.com', 'Analytical Engines', lead.subscriptionId, 'Plan: standard']) {
    assert.ok(mail.raw.includes(field), field);
  }

  await rejectsWith(
    registerLeadDestination({ destination: 'email', email: { to: ['nobody@example.com'] } }, { ...ctx, offer: lead.offer }),
    'LEAD_DELIVERY_FAILED',
    '550',
  );
  const noSmtp = context(undefined);
  await rejectsWith(deliverLead({ destination: 'email', email: { to: ['a@b.example'] } }, lead, noSmtp), 'LEAD_DELIVERY_FAILED', 'smtp');
});

test('an email lead on a relay whose password variable is unset fails without naming the operator\'s variable', async () => {
  // The lead's error is the publisher's to read (GET …/leads, the package step's message): it
  // must not tell which environment variables the server has or lacks.
  const ctx = context(undefined);
  ctx.config = { ...ctx.config, smtp: { host: '127.0.0.1', port: 1, secure: false, allowSelfSigned: false, user: 'market', passwordEnv: 'OPERATOR_SMTP_PASSWORD', from: 'vmarket <market@example.org>' } };
  await assert.rejects(deliverLead({ destination: 'email', email: { to: ['sales@contoso.example'] } }, lead, ctx), (error: any) => {
    assert.equal(error.code, 'LEAD_DELIVERY_FAILED');
    assert.match(error.message, /mail settings/);
    assert.ok(!error.message.includes('OPERATOR_SMTP_PASSWORD'), error.message);
    return true;
  });
});

test('table and none destinations send nothing', async () => {
  assert.deepEqual(await deliverLead({ destination: 'table' }, lead, context(undefined)), { destination: 'table', sent: false, attempts: 0 });
  assert.deepEqual(await deliverLead({ destination: 'none' }, lead, context(undefined)), { destination: 'none', sent: false, attempts: 0 });
});

test("a lead destination's endless answer is not read: the connection is closed once the status is known", async (t) => {
  if (!(await hasOpenssl())) return t.skip('openssl not installed');
  let closed!: (finished: boolean) => void;
  const ended = new Promise<boolean>((resolve) => (closed = resolve));
  const timers = new Set<NodeJS.Timeout>();
  t.after(() => timers.forEach((timer) => clearInterval(timer)));
  // 200, then 64 KiB every 50 ms for at most 5 s (bounded, so a reader that drains it still ends)
  const receiver = await startHttpsReceiver([200], undefined, (_req, res) => {
    res.writeHead(200);
    let left = 100;
    const timer = setInterval(() => (--left <= 0 ? res.end() : res.write(Buffer.alloc(64 * 1024))), 50);
    timers.add(timer);
    res.on('close', () => {
      clearInterval(timer);
      closed(res.writableFinished);
    });
  });
  t.after(() => receiver.close());
  const result = await deliverLead({ destination: 'https', https: { url: receiver.url } }, lead, context(receiver.caFile));
  assert.equal(result.status, 200);
  assert.equal(await ended, false, 'the delivery hung up before the receiver finished its answer');
});
