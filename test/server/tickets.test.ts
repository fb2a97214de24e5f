/**
 * A ticket's conversation over real HTTP: one ticket with its comments oldest first, adding a
 * comment (bumps the ticket's updatedAt), closing and reopening, bad input refused with nothing
 * stored, another publisher's ticket answering 404, and the operator's list of every ticket.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let token: string;
let otherToken: string;
let ticketId: string;
const TICKETS = '/api/v1/publishers/contoso/tickets';

before(async () => {
  server = await startTestServer({ workers: false });
  token = await server.createPublisher('contoso');
  otherToken = await server.createPublisher('fabrikam');
  const opened = await server.api('POST', TICKETS, { token, body: { title: 'Preview link broken', body: 'The preview answers 404.' } });
  assert.equal(opened.status, 201, JSON.stringify(opened.body));
  ticketId = opened.body.id;
});
after(async () => {
  await server?.close();
});

test('a conversation: comments by the publisher and the operator, oldest first; updatedAt moves', async () => {
  const before = await server.api('GET', `${TICKETS}/${ticketId}`, { token });
  assert.equal(before.status, 200, JSON.stringify(before.body));
  assert.equal(before.body.id, ticketId);
  assert.equal(before.body.title, 'Preview link broken');
  assert.deepEqual(before.body.comments, []);

  const mine = await server.api('POST', `${TICKETS}/${ticketId}/comments`, { token, body: { body: '  Still broken today.  ' } });
  assert.equal(mine.status, 201, JSON.stringify(mine.body));
  assert.equal(mine.body.author, 'publisher:contoso');
  assert.equal(mine.body.body, 'Still broken today.', 'trimmed');
  const theirs = await server.api('POST', `${TICKETS}/${ticketId}/comments`, { token: server.operatorToken, body: { body: 'Fixed, please retry.' } });
  assert.equal(theirs.status, 201, JSON.stringify(theirs.body));
  assert.equal(theirs.body.author, 'operator');

  const after = await server.api('GET', `${TICKETS}/${ticketId}`, { token });
  assert.deepEqual(
    after.body.comments.map((c: any) => [c.id, c.author, c.body]),
    [
      [mine.body.id, 'publisher:contoso', 'Still broken today.'],
      [theirs.body.id, 'operator', 'Fixed, please retry.'],
    ],
  );
  assert.ok(after.body.updatedAt > before.body.updatedAt, `${after.body.updatedAt} > ${before.body.updatedAt}`);
  assert.equal(after.body.updatedAt, theirs.body.createdAt);
});

test('bad comments are refused in the contract shape and nothing is stored', async () => {
  const count = async () => (await server.api('GET', `${TICKETS}/${ticketId}`, { token })).body.comments.length;
  const was = await count();
  const blank = await server.api('POST', `${TICKETS}/${ticketId}/comments`, { token, body: { body: '   ' } });
  assert.equal(blank.status, 422);
  assert.equal(blank.body.error.code, 'VALIDATION_FAILED');
  assert.deepEqual(blank.body.error.details.map((d: any) => d.path), ['body']);
  const long = await server.api('POST', `${TICKETS}/${ticketId}/comments`, { token, body: { body: 'x'.repeat(10_001) } });
  assert.equal(long.status, 422);
  const none = await server.api('POST', `${TICKETS}/${ticketId}/comments`, { token });
  assert.equal(none.status, 422);
  assert.equal(none.body.error.code, 'VALIDATION_FAILED');
  const broken = await server.api('POST', `${TICKETS}/${ticketId}/comments`, { token, rawBody: '{"body":' });
  assert.equal(broken.status, 400);
  assert.equal(broken.body.error.code, 'INVALID_JSON');
  const status = await server.api('PATCH', `${TICKETS}/${ticketId}`, { token, body: { status: 'resolved' } });
  assert.equal(status.status, 422);
  assert.equal(status.body.error.details[0].path, 'status');
  assert.equal(await count(), was);
  assert.equal((await server.api('GET', `${TICKETS}/${ticketId}`, { token })).body.status, 'open');
});

test('close and reopen', async () => {
  const closed = await server.api('PATCH', `${TICKETS}/${ticketId}`, { token, body: { status: 'closed' } });
  assert.equal(closed.status, 200, JSON.stringify(closed.body));
  assert.equal(closed.body.status, 'closed');
  assert.equal((await server.api('GET', `${TICKETS}/${ticketId}`, { token })).body.status, 'closed');
  const reopened = await server.api('PATCH', `${TICKETS}/${ticketId}`, { token: server.operatorToken, body: { status: 'open' } });
  assert.equal(reopened.body.status, 'open');
});

test('another publisher\'s ticket is not revealed: 404 under its own name, 403 under ours', async () => {
  const mine = await server.api('POST', '/api/v1/publishers/fabrikam/tickets', { token: otherToken, body: { title: 'Mine', body: 'Private.' } });
  assert.equal(mine.status, 201);
  // contoso asks for fabrikam's ticket under its own publisher id
  for (const [method, path, body] of [
    ['GET', `${TICKETS}/${mine.body.id}`, undefined],
    ['POST', `${TICKETS}/${mine.body.id}/comments`, { body: 'peek' }],
    ['PATCH', `${TICKETS}/${mine.body.id}`, { status: 'closed' }],
  ] as const) {
    const res = await server.api(method, path, { token, body });
    assert.equal(res.status, 404, `${method} ${path}`);
    assert.equal(res.body.error.code, 'NOT_FOUND');
  }
  const forbidden = await server.api('GET', `/api/v1/publishers/fabrikam/tickets/${mine.body.id}`, { token });
  assert.equal(forbidden.status, 403);
  const unauthenticated = await server.api('GET', `${TICKETS}/${ticketId}`);
  assert.equal(unauthenticated.status, 401);
  const theirs = await server.api('GET', `/api/v1/publishers/fabrikam/tickets/${mine.body.id}`, { token: otherToken });
  assert.deepEqual(theirs.body.comments, [], 'the peek was not stored');
  assert.equal(theirs.body.status, 'open');
});

test('the operator lists every publisher\'s tickets, newest first, filtered by status; publishers may not', async () => {
  const all = await server.api('GET', '/api/v1/tickets', { token: server.operatorToken });
  assert.equal(all.status, 200, JSON.stringify(all.body));
  assert.deepEqual(new Set(all.body.tickets.map((t: any) => t.publisherId)), new Set(['contoso', 'fabrikam']));
  const created = all.body.tickets.map((t: any) => t.createdAt);
  assert.deepEqual(created, [...created].sort().reverse());

  const toClose = all.body.tickets.find((t: any) => t.publisherId === 'fabrikam');
  await server.api('PATCH', `/api/v1/publishers/fabrikam/tickets/${toClose.id}`, { token: otherToken, body: { status: 'closed' } });
  const closed = await server.api('GET', '/api/v1/tickets?status=closed', { token: server.operatorToken });
  assert.deepEqual(closed.body.tickets.map((t: any) => t.id), [toClose.id]);
  const open = await server.api('GET', '/api/v1/tickets?status=open', { token: server.operatorToken });
  assert.ok(open.body.tickets.every((t: any) => t.status === 'open') && open.body.tickets.length === all.body.tickets.length - 1);

  assert.equal((await server.api('GET', '/api/v1/tickets', { token })).status, 403);
  assert.equal((await server.api('GET', '/api/v1/tickets')).status, 401);
  assert.equal((await server.api('GET', '/api/v1/tickets?status=maybe', { token: server.operatorToken })).status, 422);
});
