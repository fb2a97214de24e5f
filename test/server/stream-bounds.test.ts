/**
 * The status streams are long-lived work, so they are bounded (issue 9, findings 10 and 11): one
 * token holds at most `limits.streamsPerToken` at once and one offer `limits.streamsPerOffer`
 * (429 beyond, with the key to raise), a stream ends once its token stops being valid (rotated),
 * and the request timeout that cuts slow clients does not cut a stream. Real server, real HTTP,
 * read with fetch as the portal reads it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { rotatePublisherToken } from '../../src/app/publishers.ts';
import { validOffer } from '../helpers/offers.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { sseReader } from '../helpers/sse.ts';

const PER_TOKEN = 10;
const PER_OFFER = 12;
let server: TestServer;
let token: string;

before(async () => {
  server = await startTestServer({
    workers: false,
    config: { limits: { streamsPerToken: PER_TOKEN, streamsPerOffer: PER_OFFER }, http: { requestTimeoutMs: 1_000 } },
  });
  token = await server.createPublisher('contoso');
  for (const id of ['watched', 'other', 'rotated']) {
    const put = await server.api('PUT', `/api/v1/publishers/contoso/offers/${id}`, { token, body: await validOffer(server, { id, publisher: 'contoso' }) });
    assert.equal(put.status, 201, JSON.stringify(put.body));
  }
});
after(async () => server?.close());

const stream = (offer: string) => `/api/v1/publishers/contoso/offers/${offer}/status/events`;

function open(authToken: string, offer = 'watched'): Promise<Response> {
  return fetch(server.url + stream(offer), { headers: { authorization: `Bearer ${authToken}` } });
}

async function closeAll(answers: Response[]): Promise<void> {
  await Promise.all(answers.map((r) => r.body?.cancel().catch(() => {})));
}

test('50 concurrent streams from one token: the first streamsPerToken open, the rest answer 429 with the limit', async () => {
  const answers = await Promise.all(Array.from({ length: 50 }, () => open(token)));
  try {
    const opened = answers.filter((r) => r.status === 200);
    const refused = answers.filter((r) => r.status === 429);
    assert.equal(opened.length, PER_TOKEN);
    assert.equal(refused.length, 50 - PER_TOKEN);
    const body = await refused[0]!.json();
    assert.equal(body.error.code, 'RATE_LIMITED');
    assert.match(body.error.message, /limits\.streamsPerToken/);
    assert.ok(refused[0]!.headers.get('retry-after'));
    // another offer does not open a way around the token's limit
    const elsewhere = await open(token, 'other');
    assert.equal(elsewhere.status, 429);
    await elsewhere.body?.cancel();
  } finally {
    await closeAll(answers);
  }
  // closed streams give their places back
  let again: Response | undefined;
  for (let i = 0; i < 50 && again?.status !== 200; i++) {
    await again?.body?.cancel().catch(() => {});
    again = await open(token);
  }
  assert.equal(again?.status, 200);
  await again?.body?.cancel();
});

test('one offer holds at most streamsPerOffer streams, whichever tokens open them', async () => {
  const mine: Response[] = [];
  try {
    for (let i = 0; i < PER_TOKEN; i++) mine.push(await open(token));
    for (let i = 0; i < PER_OFFER - PER_TOKEN; i++) mine.push(await open(server.operatorToken));
    assert.deepEqual(mine.map((r) => r.status), Array(PER_OFFER).fill(200));
    const over = await open(server.operatorToken);
    assert.equal(over.status, 429);
    const body = await over.json();
    assert.equal(body.error.code, 'RATE_LIMITED');
    assert.match(body.error.message, /limits\.streamsPerOffer/);
    const german = await fetch(server.url + stream('watched'), { headers: { authorization: `Bearer ${server.operatorToken}`, 'accept-language': 'de' } });
    assert.match((await german.json()).error.message, /Status-Streams/);
  } finally {
    await closeAll(mine);
  }
});

test('a stream ends when its token is rotated; the new token opens one', async () => {
  const own = await server.createPublisher('rotating');
  const put = await server.api('PUT', '/api/v1/publishers/rotating/offers/watched', { token: own, body: await validOffer(server, { id: 'watched', publisher: 'rotating' }) });
  assert.equal(put.status, 201, JSON.stringify(put.body));
  const path = '/api/v1/publishers/rotating/offers/watched/status/events';
  const res = await fetch(server.url + path, { headers: { authorization: `Bearer ${own}` } });
  assert.equal(res.status, 200);
  const events = sseReader(res);
  try {
    await events.next();
    await events.next();
    const rotatedAt = Date.now();
    const fresh = await rotatePublisherToken(server.ctx.db, 'rotating');
    let end: unknown;
    for (let i = 0; i < 5 && end !== null; i++) end = await events.next(30_000);
    assert.equal(end, null, 'the stream of the old token ended');
    console.log(`# the stream ended ${Date.now() - rotatedAt} ms after the rotation`);
    const stale = await fetch(server.url + path, { headers: { authorization: `Bearer ${own}` } });
    assert.equal(stale.status, 401);
    const renewed = await fetch(server.url + path, { headers: { authorization: `Bearer ${fresh}` } });
    assert.equal(renewed.status, 200);
    await renewed.body?.cancel();
  } finally {
    await events.cancel();
  }
});

test('the request timeout (1 s here) does not cut a status stream that lasts longer', async () => {
  const res = await open(token, 'other');
  assert.equal(res.status, 200);
  const events = sseReader(res);
  try {
    await events.next();
    assert.equal(JSON.parse((await events.next())!.data!).status, 'neverPublished');
    // well past the request timeout and Node's check of it
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const published = await server.api('POST', '/api/v1/publishers/contoso/offers/other/publish', { token });
    assert.equal(published.status, 202, JSON.stringify(published.body));
    assert.equal(JSON.parse((await events.next())!.data!).status, 'running', 'the stream still delivers');
  } finally {
    await events.cancel();
  }
});
