/**
 * The live status stream (`…/status/events`, Server-Sent Events) over real HTTP, read the way the
 * portal reads it (fetch + a stream reader with the Authorization header): the first event is
 * the status document, a state change sends another, access is checked before the stream starts,
 * and closing the server ends open streams.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { validOffer } from '../helpers/offers.ts';
import { type SseEvent, sseReader } from '../helpers/sse.ts';

let server: TestServer;
let token: string;
let otherToken: string;
const STREAM = '/api/v1/publishers/contoso/offers/live-status/status/events';

before(async () => {
  // no workers: a published operation stays `running` with its steps not started, so the
  // documents the stream sends are predictable
  server = await startTestServer({ workers: false });
  token = await server.createPublisher('contoso');
  otherToken = await server.createPublisher('fabrikam');
  const offer = await validOffer(server, { id: 'live-status', publisher: 'contoso' });
  const put = await server.api('PUT', '/api/v1/publishers/contoso/offers/live-status', { token, body: offer });
  assert.equal(put.status, 201, JSON.stringify(put.body));
});
after(async () => {
  await server?.close();
});

async function openStream(authToken: string | undefined, path = STREAM): Promise<Response> {
  return fetch(server.url + path, { headers: authToken ? { authorization: `Bearer ${authToken}` } : {} });
}

test('the stream starts with retry, then the status document, and sends it again when it changes', async () => {
  const res = await openStream(token);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  assert.equal(res.headers.get('cache-control'), 'no-cache, no-transform');
  assert.equal(res.headers.get('x-accel-buffering'), 'no');
  const events = sseReader(res);
  try {
    assert.deepEqual(await events.next(), { retry: '2000' });
    const first = await events.next();
    assert.equal(first?.event, 'status');
    const firstDoc = JSON.parse(first!.data!);
    // the same document the status route answers
    const status = await server.api('GET', '/api/v1/publishers/contoso/offers/live-status/status', { token });
    assert.deepEqual(firstDoc, status.body);
    assert.equal(firstDoc.status, 'neverPublished');
    assert.equal(firstDoc.steps.length, 8);
    assert.equal(firstDoc.steps[0].ticketId, null);

    const published = await server.api('POST', '/api/v1/publishers/contoso/offers/live-status/publish', { token });
    assert.equal(published.status, 202, JSON.stringify(published.body));
    const second = await events.next();
    assert.equal(second?.event, 'status');
    const secondDoc = JSON.parse(second!.data!);
    assert.equal(secondDoc.status, 'running');
    assert.equal(secondDoc.operationId, published.body.operationId);

    // a second watcher of the same offer starts from the current document
    const again = sseReader(await openStream(server.operatorToken));
    try {
      await again.next();
      assert.equal(JSON.parse((await again.next())!.data!).status, 'running');
      const canceled = await server.api('POST', '/api/v1/publishers/contoso/offers/live-status/cancel', { token });
      assert.equal(canceled.status, 202, JSON.stringify(canceled.body));
      // both watchers see the cancel (one shared poller, each subscriber handed the change)
      assert.equal(JSON.parse((await events.next())!.data!).status, 'canceled');
      assert.equal(JSON.parse((await again.next())!.data!).status, 'canceled');
    } finally {
      await again.cancel();
    }
  } finally {
    await events.cancel();
  }
});

test('access is checked before the stream starts: 401, 403 and 404 answer the JSON error', async () => {
  const none = await openStream(undefined);
  assert.equal(none.status, 401);
  assert.equal((await none.json()).error.code, 'UNAUTHORIZED');
  const other = await openStream(otherToken);
  assert.equal(other.status, 403);
  assert.equal((await other.json()).error.code, 'FORBIDDEN');
  const missing = await openStream(token, '/api/v1/publishers/contoso/offers/no-such-offer/status/events');
  assert.equal(missing.status, 404);
  const body = await missing.json();
  assert.equal(body.error.code, 'NOT_FOUND');
  assert.deepEqual(body.error.details, []);
});

test('the stream is described in the OpenAPI document as text/event-stream', async () => {
  const doc = await server.api('GET', '/api/v1/openapi.json');
  const op = doc.body.paths['/api/v1/publishers/{pub}/offers/{offer}/status/events']?.get;
  assert.ok(op, 'the route is in the document');
  assert.ok(op.responses['200'].content['text/event-stream'], JSON.stringify(op.responses['200']));
});

// last: it closes the file's server
test('closing the server ends open streams', async () => {
  const events = sseReader(await openStream(token));
  await events.next();
  await events.next();
  const closed = server.close();
  let end: SseEvent | null | undefined;
  for (let i = 0; i < 10 && end !== null; i++) end = await events.next(10_000);
  assert.equal(end, null, 'the stream ended');
  await closed;
});
