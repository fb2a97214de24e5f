import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyHmacSignature } from '../../src/security/hmac.ts';
import { Notifier, type NotifierOptions, type NotifyEvent } from '../../src/notify/index.ts';
import { notificationEmail } from '../../src/notify/notifier.ts';
import { hasOpenssl, startHttpsReceiver, startSmtpReceiver } from '../helpers/receivers.ts';

const event: NotifyEvent = {
  type: 'operation.waitingForSignoff',
  publisher: 'contoso',
  offer: 'ubuntu-hardened',
  operationId: 'op-123',
  message: 'The preview of ubuntu-hardened is ready; review it and go live.',
  links: { status: 'http://127.0.0.1:8080/api/v1/publishers/contoso/offers/ubuntu-hardened/status' },
};

function recordingLogger() {
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, msg });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}

test('an event is emailed to the recipients and POSTed, signed, to the webhooks that want it', async (t) => {
  if (!(await hasOpenssl())) return t.skip('openssl not installed');
  const smtp = await startSmtpReceiver();
  const hook = await startHttpsReceiver([200]);
  const failuresOnly = await startHttpsReceiver([200]);
  t.after(async () => {
    await smtp.close();
    await hook.close();
    await failuresOnly.close();
  });
  const { lines, logger } = recordingLogger();
  const notifier = new Notifier({
    config: {
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, allowSelfSigned: false, from: 'vmarket <market@example.org>' },
      webhooks: [
        { url: hook.url, secretEnv: 'HOOK_SECRET' },
        { url: failuresOnly.url, events: ['operation.failed'] },
      ],
      deliveries: { allowPrivateNetworks: true },
      trustedCaFiles: [hook.caFile, failuresOnly.caFile],
    },
    env: { HOOK_SECRET: 'webhook-key' },
    logger,
    retry: { baseDelayMs: 1 },
  });
  t.after(() => notifier.close());

  const result = await notifier.notify(event, ['dev@contoso.example', 'pm@contoso.example']);
  assert.equal(result.email, 'sent');
  assert.deepEqual(result.webhooks, [{ url: hook.url, delivered: true, status: 200 }]);

  assert.equal(smtp.messages.length, 1);
  const mail = smtp.messages[0];
  assert.deepEqual(mail.to, ['dev@contoso.example', 'pm@contoso.example']);
  assert.equal(mail.subject, 'vmarket: contoso.ubuntu-hardened: the preview is ready for your sign-off');
  assert.ok(mail.raw.includes(event.message));
  assert.ok(mail.raw.includes('Operation: op-123'));
  assert.ok(mail.raw.includes(event.links!.status));

  assert.equal(hook.requests.length, 1);
  const request = hook.requests[0];
  assert.equal(request.headers['x-vmarket-event'], 'operation.waitingForSignoff');
  assert.ok(verifyHmacSignature('webhook-key', request.body, request.headers['x-vmarket-signature'] as string));
  const body = JSON.parse(request.body.toString('utf8'));
  assert.equal(body.id, request.headers['x-vmarket-delivery']);
  assert.equal(body.operationId, 'op-123');
  assert.equal(body.message, event.message);
  assert.equal(failuresOnly.requests.length, 0, 'a webhook only hears the events it lists');
  assert.ok(!JSON.stringify(lines).includes('webhook-key'), 'the secret is never logged');
});

test('without SMTP one warning is logged; failing webhooks are retried, logged, never thrown', async (t) => {
  if (!(await hasOpenssl())) return t.skip('openssl not installed');
  const broken = await startHttpsReceiver([500]);
  const ok = await startHttpsReceiver([200]);
  t.after(async () => {
    await broken.close();
    await ok.close();
  });
  const { lines, logger } = recordingLogger();
  const options: NotifierOptions = {
    config: {
      smtp: undefined,
      webhooks: [{ url: broken.url }, { url: ok.url, secretEnv: 'UNSET_SECRET' }, { url: 'http://127.0.0.1:9/plain' }],
      deliveries: { allowPrivateNetworks: true },
      trustedCaFiles: [broken.caFile, ok.caFile],
    },
    env: {},
    logger,
    retry: { attempts: 3, baseDelayMs: 1 },
  };
  const notifier = new Notifier(options);
  const first = await notifier.notify({ ...event, type: 'operation.failed' }, ['dev@contoso.example']);
  const second = await notifier.notify({ ...event, type: 'step.stuck', step: 'deploy' }, ['dev@contoso.example']);
  assert.equal(first.email, 'skipped');
  assert.equal(second.email, 'skipped');
  assert.equal(lines.filter((l) => l.level === 'warn' && /SMTP is not configured/.test(l.msg ?? '')).length, 1);

  assert.equal(broken.requests.length, 6, 'three attempts per event');
  assert.equal(ok.requests.length, 0, 'a webhook whose secret variable is unset is not sent');
  assert.deepEqual(
    first.webhooks.map((w) => w.delivered),
    [false, false, false],
  );
  assert.match(first.webhooks[0].error ?? '', /HTTP 500/);
  assert.match(first.webhooks[1].error ?? '', /UNSET_SECRET/);
  assert.match(first.webhooks[2].error ?? '', /https/);
  assert.ok(lines.some((l) => l.level === 'error' && l.msg === 'webhook delivery failed'));

  // private addresses are refused unless the operator allows them
  const strict = new Notifier({ ...options, config: { ...options.config, deliveries: { allowPrivateNetworks: false }, webhooks: [{ url: ok.url }] } });
  const refused = await strict.notify(event, []);
  assert.equal(refused.webhooks[0].delivered, false);
  assert.match(refused.webhooks[0].error ?? '', /127\.0\.0\.1.*non-public address/);
  assert.equal(ok.requests.length, 0);
});

test('an event published in German is e-mailed in German; webhooks still get the English, without translations', async (t) => {
  if (!(await hasOpenssl())) return t.skip('openssl not installed');
  const german: NotifyEvent = {
    ...event,
    type: 'step.stuck',
    step: 'certify',
    message: 'The step "Certification" of contoso.ubuntu-hardened is running past its expected maximum of 3 days; a support ticket was opened.',
    translations: { de: { message: 'Der Schritt „Zertifizierung“ von contoso.ubuntu-hardened läuft länger als erwartet (Höchstdauer: 3 Tage); ein Support-Ticket wurde eröffnet.' } },
    locale: 'de',
  };
  const { subject, text } = notificationEmail(german);
  assert.equal(subject, 'vmarket: contoso.ubuntu-hardened: der Schritt certify dauert länger als erwartet');
  assert.ok(text.startsWith(`${german.translations!.de!.message}\n\nAngebot: contoso.ubuntu-hardened\nVorgang: op-123\nSchritt: certify\n`), text);
  assert.equal(notificationEmail({ ...german, locale: 'en' }).subject, 'vmarket: contoso.ubuntu-hardened: step certify is taking longer than expected');
  assert.ok(notificationEmail({ ...german, locale: undefined }).text.startsWith(`${german.message}\n\nOffer: `), 'English without a locale');

  const smtp = await startSmtpReceiver();
  const hook = await startHttpsReceiver([200]);
  t.after(async () => {
    await smtp.close();
    await hook.close();
  });
  const notifier = new Notifier({
    config: {
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, allowSelfSigned: false, from: 'vmarket <market@example.org>' },
      webhooks: [{ url: hook.url }],
      deliveries: { allowPrivateNetworks: true },
      trustedCaFiles: [hook.caFile],
    },
    logger: recordingLogger().logger,
    retry: { baseDelayMs: 1 },
  });
  t.after(() => notifier.close());
  const result = await notifier.notify(german, ['dev@contoso.example']);
  assert.equal(result.email, 'sent');
  assert.match(smtp.messages[0].raw, /Vorgang: op-123/);
  const body = JSON.parse(hook.requests[0].body.toString('utf8'));
  assert.equal(body.message, german.message);
  assert.equal('translations' in body || 'locale' in body, false, JSON.stringify(body));
});
