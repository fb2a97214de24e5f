/**
 * Anonymous acquire is limited per subscription id and per client address (issue 9, finding 10),
 * and the limits keep one flooder from blocking anyone else: a subscription over its limit gets
 * 429 with Retry-After while another subscription still acquires; an address over its limit
 * (behind a trusted proxy here, so the test can be several clients) while another address still
 * acquires. Real server, real HTTP, a live offer in the catalogue.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { publishSlot, validOffer } from '../helpers/offers.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PER_SUBSCRIPTION = 3;
const PER_ADDRESS = 8;
let server: TestServer;

before(async () => {
  server = await startTestServer({
    workers: false,
    config: { trustProxy: ['127.0.0.1'], limits: { acquiresPerSubscriptionPerMinute: PER_SUBSCRIPTION, acquiresPerAddressPerMinute: PER_ADDRESS } },
  });
  const token = await server.createPublisher('contoso');
  await publishSlot(server, token, 'live', await validOffer(server, { id: 'wanted', publisher: 'contoso' }));
});
after(async () => server?.close());

const subscription = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function acquire(sub: string, address: string) {
  return server.api('POST', '/api/v1/catalog/offers/contoso.wanted/acquire', {
    headers: { 'x-forwarded-for': address },
    body: { subscriptionId: sub, plan: 'standard', contact: { name: 'Ada', email: 'ada@example.com' } },
  });
}

test('a subscription flooding acquire is refused with 429 and Retry-After; another subscription is not', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < PER_SUBSCRIPTION + 2; i++) statuses.push((await acquire(subscription(1), `192.0.2.${i + 1}`)).status);
  assert.deepEqual(statuses, [...Array(PER_SUBSCRIPTION).fill(200), 429, 429], 'from different addresses, still one subscription');
  const refused = await acquire(subscription(1), '192.0.2.99');
  assert.equal(refused.status, 429);
  assert.equal(refused.body.error.code, 'RATE_LIMITED');
  assert.match(refused.body.error.message, /limits\.acquiresPerSubscriptionPerMinute/);
  assert.ok(Number(refused.headers['retry-after']) >= 1, JSON.stringify(refused.headers));
  assert.equal((await acquire(subscription(2), '192.0.2.100')).status, 200, 'another customer still acquires');
});

test('an address flooding acquire with ever new subscription ids is refused; another address is not', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < PER_ADDRESS + 2; i++) statuses.push((await acquire(subscription(100 + i), '198.51.100.7')).status);
  assert.deepEqual(statuses, [...Array(PER_ADDRESS).fill(200), 429, 429]);
  const refused = await acquire(subscription(200), '198.51.100.7');
  assert.match(refused.body.error.message, /limits\.acquiresPerAddressPerMinute/);
  assert.equal((await acquire(subscription(201), '198.51.100.8')).status, 200, 'another address still acquires');
  const leads = await server.api('GET', '/api/v1/publishers/contoso/leads?limit=500', { token: server.operatorToken });
  assert.equal(leads.body.leads.length, PER_SUBSCRIPTION + 1 + PER_ADDRESS + 1, 'a refused acquire stores no lead');
});
