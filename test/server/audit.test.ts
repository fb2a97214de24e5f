/**
 * The audit log over real HTTP on real PGlite: a state change (a draft saved, a ticket opened and
 * closed, a plan acquired anonymously, a publisher created) leaves exactly one event with the
 * right actor, token fingerprint, route, target, outcome and address; refused requests (401, 403,
 * 422) are recorded as failed; a change whose transaction rolls back leaves no "succeeded" event;
 * the table refuses UPDATE, DELETE and TRUNCATE (PGlite and PostgreSQL); a publisher reads only its
 * own events; the pages walk every event once; no event holds a token or contact data.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config/load.ts';
import { openDatabase } from '../../src/db/database.ts';
import { newAuditScope, runInAuditScope } from '../../src/audit/scope.ts';
import { publishSlot, validOffer } from '../helpers/offers.ts';
import { postgresUnavailable, startPostgres } from '../helpers/postgres.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let contoso: string;
let fabrikam: string;
const OFFER = '/api/v1/publishers/contoso/offers/ubuntu';

const fingerprint = (token: string) => createHash('sha256').update(token).digest('hex').slice(0, 12);

/** The id of the transaction that wrote `table`'s row `id` (PostgreSQL's xmin): equal ids committed together. */
async function writtenBy(table: string, id: string): Promise<string> {
  const { rows } = await sql<{ xmin: string }>`select xmin::text as xmin from ${sql.table(table)} where id = ${id}`.execute(server.ctx.db.kysely);
  assert.equal(rows.length, 1, `${table} ${id}`);
  return rows[0].xmin;
}

/** Every event the operator reads for `query`, following nextCursor. */
async function allEvents(query = '', pageSize = 500): Promise<any[]> {
  const events: any[] = [];
  let cursor: string | null = null;
  do {
    const sep = query ? '&' : '';
    const res = await server.api('GET', `/api/v1/audit?${query}${sep}limit=${pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: server.operatorToken });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    events.push(...res.body.events);
    cursor = res.body.nextCursor;
  } while (cursor);
  return events;
}

/** The events of the requests made by `fn` (the operator's reads are not events). */
async function eventsOf(fn: () => Promise<unknown>): Promise<any[]> {
  const before = new Set((await allEvents()).map((e) => e.id));
  await fn();
  return (await allEvents()).filter((e) => !before.has(e.id));
}

before(async () => {
  server = await startTestServer({ workers: false });
  contoso = await server.createPublisher('contoso');
  fabrikam = await server.createPublisher('fabrikam');
});
after(async () => {
  await server?.close();
});

test('the demo publisher the server made at start is a system event', async () => {
  const events = await allEvents('actor=system');
  assert.equal(events.length, 1, JSON.stringify(events));
  assert.deepEqual(
    [events[0].method, events[0].route, events[0].target, events[0].publisherId, events[0].outcome, events[0].address],
    ['SYSTEM', 'start: demo publisher', 'publisher demo', 'demo', 'succeeded', null],
  );
});

test('saving a draft records one succeeded event: the publisher, its token id, the route, the target, the address', async () => {
  const offer = await validOffer(server, { id: 'ubuntu', publisher: 'contoso' });
  let status = 0;
  const events = await eventsOf(async () => {
    const put = await server.api('PUT', OFFER, { token: contoso, body: offer });
    status = put.status;
  });
  assert.equal(status, 201);
  assert.equal(events.length, 1, JSON.stringify(events));
  const [event] = events;
  assert.deepEqual(event.actor, { kind: 'publisher', publisherId: 'contoso', tokenId: fingerprint(contoso) });
  assert.equal(event.publisherId, 'contoso');
  assert.equal(event.method, 'PUT');
  assert.equal(event.route, '/api/v1/publishers/:pub/offers/:offer');
  assert.equal(event.target, 'offer contoso/ubuntu');
  assert.equal(event.outcome, 'succeeded');
  assert.equal(event.errorCode, null);
  assert.equal(event.address, '127.0.0.1');
  assert.ok(event.requestId, 'the request id');
  assert.ok(Math.abs(Date.parse(event.at) - Date.now()) < 10 * 60_000, 'at is now-ish');
});

test('rotating an offer\'s lead secret: one event, committed with the rotation; the secret is not in the log', async () => {
  let secret = '';
  const events = await eventsOf(async () => {
    const rotated = await server.api('POST', `${OFFER}/lead-secret`, { token: contoso });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    secret = rotated.body.secret;
  });
  assert.ok(secret.length >= 32, 'the answer shows the secret');
  assert.equal(events.length, 1, JSON.stringify(events));
  assert.equal(events[0].route, '/api/v1/publishers/:pub/offers/:offer/lead-secret');
  assert.equal(events[0].target, 'offer contoso/ubuntu');
  assert.equal(events[0].outcome, 'succeeded');
  const { rows } = await sql<{ xmin: string }>`select xmin::text as xmin from offer_lead_secrets where publisher_id = 'contoso' and offer_id = 'ubuntu'`.execute(server.ctx.db.kysely);
  assert.equal(await writtenBy('audit_events', events[0].id), rows[0].xmin, 'the event commits with the rotation');
  assert.ok(!JSON.stringify(await allEvents()).includes(secret));
});

test('the operator opening and closing a ticket: two events, the operator and its token id', async () => {
  let ticketId = '';
  const events = await eventsOf(async () => {
    const opened = await server.api('POST', '/api/v1/publishers/contoso/tickets', { token: server.operatorToken, body: { title: 'Check your listing', body: 'Please.' } });
    assert.equal(opened.status, 201, JSON.stringify(opened.body));
    ticketId = opened.body.id;
    const closed = await server.api('PATCH', `/api/v1/publishers/contoso/tickets/${ticketId}`, { token: server.operatorToken, body: { status: 'closed' } });
    assert.equal(closed.status, 200, JSON.stringify(closed.body));
  });
  assert.deepEqual(
    events.map((e) => [e.method, e.route, e.target, e.outcome, e.actor.kind, e.actor.tokenId, e.publisherId]).sort(),
    [
      ['PATCH', '/api/v1/publishers/:pub/tickets/:ticketId', `ticket contoso/${ticketId}`, 'succeeded', 'operator', fingerprint(server.operatorToken), 'contoso'],
      ['POST', '/api/v1/publishers/:pub/tickets', `ticket contoso/${ticketId}`, 'succeeded', 'operator', fingerprint(server.operatorToken), 'contoso'],
    ].sort(),
  );
  // closing is one UPDATE (the ticket's last write): its event was committed by the same transaction
  const closing = events.find((e) => e.method === 'PATCH');
  assert.equal(await writtenBy('audit_events', closing.id), await writtenBy('tickets', ticketId), 'the event commits with the change');
});

test('creating a publisher is the operator\'s event about that publisher; its new token is nowhere in the log', async () => {
  let token = '';
  const events = await eventsOf(async () => {
    const created = await server.api('POST', '/api/v1/publishers', { token: server.operatorToken, body: { id: 'northwind', name: 'Northwind' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    token = created.body.token;
  });
  assert.equal(events.length, 1, JSON.stringify(events));
  assert.equal(events[0].target, 'publisher northwind');
  assert.equal(await writtenBy('audit_events', events[0].id), await writtenBy('publishers', 'northwind'), 'the event commits with the publisher');
  assert.equal(events[0].publisherId, 'northwind');
  assert.equal(events[0].outcome, 'succeeded');
  const everything = JSON.stringify(await allEvents());
  assert.ok(!everything.includes(token) && !everything.includes(server.operatorToken) && !everything.includes(contoso), 'no token in the log');
});

test('an anonymous acquire is recorded without the contact data', async () => {
  const offer = await validOffer(server, { id: 'catalogued', publisher: 'contoso' });
  await publishSlot(server, contoso, 'live', offer);
  const events = await eventsOf(async () => {
    const acquired = await server.api('POST', '/api/v1/catalog/offers/contoso.catalogued/acquire', {
      body: { subscriptionId: '11111111-2222-4333-8444-555555555555', plan: 'standard', contact: { name: 'Erika Mustermann', email: 'erika@example.org', company: 'Beispiel AG' } },
    });
    assert.equal(acquired.status, 200, JSON.stringify(acquired.body));
  });
  assert.equal(events.length, 1, JSON.stringify(events));
  assert.deepEqual(events[0].actor, { kind: 'anonymous', publisherId: null, tokenId: null });
  assert.equal(events[0].publisherId, 'contoso');
  assert.equal(events[0].target, 'offer contoso/catalogued');
  assert.equal(events[0].route, '/api/v1/catalog/offers/:key/acquire');
  assert.equal(events[0].outcome, 'succeeded');
  const text = JSON.stringify(events);
  for (const personal of ['Erika', 'erika@example.org', 'Beispiel', '11111111-2222-4333-8444-555555555555']) assert.ok(!text.includes(personal), `no ${personal} in the log`);
});

test('refused requests are recorded as failed with status and code; another publisher\'s attempt is not in the victim\'s log', async () => {
  const offer = await validOffer(server, { id: 'ubuntu', publisher: 'contoso' });
  const events = await eventsOf(async () => {
    assert.equal((await server.api('PUT', OFFER, { token: fabrikam, body: offer })).status, 403);
    assert.equal((await server.api('PUT', OFFER, { token: contoso, body: { ...offer, plans: 'none' } })).status, 422);
    assert.equal((await server.api('POST', '/api/v1/publishers/contoso/tickets', { token: 'vmk_not-a-token', body: { title: 't', body: 'b' } })).status, 401);
  });
  const byStatus = new Map(events.map((e) => [e.status, e]));
  assert.equal(events.length, 3, JSON.stringify(events));
  assert.ok(events.every((e) => e.outcome === 'failed'));
  const forbidden = byStatus.get(403);
  assert.equal(forbidden.errorCode, 'FORBIDDEN');
  assert.deepEqual(forbidden.actor, { kind: 'publisher', publisherId: 'fabrikam', tokenId: fingerprint(fabrikam) });
  assert.equal(forbidden.publisherId, 'fabrikam', 'the attempt is the actor\'s event');
  assert.equal(forbidden.target, 'offer contoso/ubuntu');
  assert.equal(byStatus.get(422).errorCode, 'VALIDATION_FAILED');
  assert.equal(byStatus.get(422).actor.publisherId, 'contoso');
  const unauthorized = byStatus.get(401);
  assert.equal(unauthorized.errorCode, 'UNAUTHORIZED');
  assert.deepEqual(unauthorized.actor, { kind: 'anonymous', publisherId: null, tokenId: null }, 'an invalid token gets no fingerprint');

  const contosoLog = await server.api('GET', '/api/v1/publishers/contoso/audit?outcome=failed&limit=500', { token: contoso });
  assert.equal(contosoLog.status, 200, JSON.stringify(contosoLog.body));
  assert.ok(!contosoLog.body.events.some((e: any) => e.id === forbidden.id), 'fabrikam wrote nothing into contoso\'s log');
});

test('a path without a route is not recorded: its text is whatever the caller typed', async () => {
  const events = await eventsOf(async () => {
    assert.equal((await server.api('POST', '/api/v1/no/such/route', { token: contoso, body: {} })).status, 404);
    assert.equal((await server.api('DELETE', '/api/v1/publishers/contoso', { token: contoso })).status, 404);
  });
  assert.deepEqual(events, []);
});

test('a change whose transaction rolls back leaves no succeeded event, only the failure', async () => {
  const offer = await validOffer(server, { id: 'ubuntu', publisher: 'contoso' });
  const stored = await server.api('GET', OFFER, { token: contoso });
  const events = await eventsOf(async () => {
    // the UPDATE runs in the transaction, finds the etag changed, and the transaction rolls back
    const stale = await server.api('PUT', OFFER, { token: contoso, body: { ...offer, listing: { ...(offer.listing as object), title: 'Overwritten' } }, headers: { 'if-match': '"stale"' } });
    assert.equal(stale.status, 412, JSON.stringify(stale.body));
    // a token rotation for a publisher that does not exist changes nothing either
    await assert.rejects(() => import('../../src/app/publishers.ts').then((m) => m.rotatePublisherToken(server.ctx.db, 'nobody')));
  });
  assert.equal(events.length, 1, JSON.stringify(events));
  assert.equal(events[0].outcome, 'failed');
  assert.equal(events[0].status, 412);
  assert.equal(events[0].errorCode, 'PRECONDITION_FAILED');
  const now = await server.api('GET', OFFER, { token: contoso });
  assert.equal(now.headers.etag, stored.headers.etag, 'the draft is as it was');
});

test('Db.transaction in an audit scope: the event commits with the change, or rolls back with it', async () => {
  const scope = () =>
    newAuditScope({ actor: { kind: 'operator', publisherId: null, tokenId: null }, method: 'POST', route: '/test/rollback', target: 'ticket contoso/tk-rolled-back', publisherId: 'contoso', address: '127.0.0.1', requestId: 'test' });
  const insertTicket = (trx: any, id: string) =>
    trx.insertInto('tickets').values({ id, publisher_id: 'contoso', offer_id: null, operation_id: null, step_id: null, source: 'operator', title: 't', body: 'b', status: 'open' }).execute();
  await assert.rejects(
    runInAuditScope(scope(), () =>
      server.ctx.db.transaction(async (trx) => {
        await insertTicket(trx, 'tk-rolled-back');
        throw new Error('the change fails after its first statement');
      }),
    ),
    /fails after/,
  );
  assert.equal((await allEvents(`route=${encodeURIComponent('/test/rollback')}`)).length, 0, 'no event of a change that rolled back');
  assert.equal((await server.api('GET', '/api/v1/publishers/contoso/tickets/tk-rolled-back', { token: contoso })).status, 404);

  const committed = scope();
  await runInAuditScope(committed, async () => {
    await server.ctx.db.transaction((trx) => insertTicket(trx, 'tk-committed'));
    // a second transaction of the same action appends nothing more
    await server.ctx.db.transaction((trx) => trx.updateTable('tickets').set({ title: 'u' }).where('id', '=', 'tk-committed').execute());
  });
  const events = await allEvents(`route=${encodeURIComponent('/test/rollback')}`);
  assert.equal(events.length, 1, JSON.stringify(events));
  assert.equal(events[0].outcome, 'succeeded');
  assert.equal(committed.recorded, true);
});

test('audit_events refuses UPDATE, DELETE and TRUNCATE (PGlite); the rows stay', async () => {
  const before = await allEvents();
  assert.ok(before.length > 0);
  const db = server.ctx.db.kysely;
  await assert.rejects(db.updateTable('audit_events').set({ outcome: 'succeeded' }).execute(), /append-only/);
  await assert.rejects(db.deleteFrom('audit_events').execute(), /append-only/);
  await assert.rejects(sql`TRUNCATE audit_events`.execute(db), /append-only/);
  assert.deepEqual(await allEvents(), before);
});

test('a publisher reads only its own events: another publisher\'s log answers 403', async () => {
  const mine = await server.api('GET', '/api/v1/publishers/fabrikam/audit', { token: fabrikam });
  assert.equal(mine.status, 200, JSON.stringify(mine.body));
  assert.ok(mine.body.events.length > 0, 'fabrikam has its refused attempt');
  assert.ok(mine.body.events.every((e: any) => e.publisherId === 'fabrikam'));
  const theirs = await server.api('GET', '/api/v1/publishers/contoso/audit', { token: fabrikam });
  assert.equal(theirs.status, 403);
  assert.equal(theirs.body.error.code, 'FORBIDDEN');
  // the filter cannot widen the scope: `publisher` is not a filter of the publisher's route
  const widened = await server.api('GET', '/api/v1/publishers/fabrikam/audit?publisher=contoso', { token: fabrikam });
  assert.ok(widened.status === 200 ? widened.body.events.every((e: any) => e.publisherId === 'fabrikam') : widened.status === 422);
  assert.equal((await server.api('GET', '/api/v1/audit', { token: contoso })).status, 403, 'the whole log is the operator\'s');
  assert.equal((await server.api('GET', '/api/v1/audit')).status, 401);
});

test('pages walk every event exactly once; filters narrow the list', async () => {
  for (let i = 0; i < 7; i++) {
    const res = await server.api('POST', '/api/v1/publishers/fabrikam/tickets', { token: fabrikam, body: { title: `t${i}`, body: 'b' } });
    assert.equal(res.status, 201);
  }
  const whole = await allEvents();
  const paged = await allEvents('', 2);
  assert.deepEqual(paged.map((e) => e.id), whole.map((e) => e.id));
  assert.equal(new Set(paged.map((e) => e.id)).size, paged.length, 'no event twice');
  assert.ok(whole.every((e, i) => i === 0 || whole[i - 1].at >= e.at), 'newest first');

  const failed = await allEvents('outcome=failed');
  assert.ok(failed.length >= 4 && failed.every((e) => e.outcome === 'failed'));
  const anonymous = await allEvents('actor=anonymous');
  assert.ok(anonymous.length >= 2 && anonymous.every((e) => e.actor.kind === 'anonymous'));
  const tickets = await allEvents(`publisher=fabrikam&route=${encodeURIComponent('/api/v1/publishers/:pub/tickets')}&method=POST`);
  assert.equal(tickets.length, 7);
  const byToken = await allEvents(`tokenId=${fingerprint(fabrikam)}`);
  assert.equal(byToken.length, 8, 'seven tickets and the refused PUT');
  const offerEvents = await allEvents(`target=${encodeURIComponent('offer contoso/ubuntu')}`);
  assert.ok(offerEvents.length >= 4 && offerEvents.every((e) => e.target.startsWith('offer contoso/ubuntu')));
  const literal = await allEvents(`target=${encodeURIComponent('offer contoso/%')}`);
  assert.equal(literal.length, 0, 'a % in the filter is a character, not a wildcard');
  const newest = whole[0];
  assert.deepEqual((await allEvents(`since=${encodeURIComponent(newest.at)}`)).map((e) => e.id).includes(newest.id), true);
  assert.equal((await allEvents(`until=${encodeURIComponent(whole.at(-1).at)}`)).length, 0);

  const bad = await server.api('GET', '/api/v1/audit?cursor=not-a-cursor', { token: server.operatorToken });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'BAD_REQUEST');
  assert.equal((await server.api('GET', '/api/v1/audit?since=yesterday', { token: server.operatorToken })).status, 422);
});

test('a path with control characters is stored with them written out, never as an escape sequence', async () => {
  const events = await eventsOf(async () => {
    const res = await server.api('POST', '/api/v1/publishers/contoso/offers/%1b%5b2J%1b%5b31mevil/golive', { token: fabrikam });
    assert.equal(res.status, 403);
  });
  assert.equal(events.length, 1, JSON.stringify(events));
  assert.equal(events[0].target, 'offer contoso/\\x1b[2J\\x1b[31mevil');
  assert.ok(!/[\u0000-\u001f]/.test(events[0].target));
});

test('requests the rate limiter refuses (429) are not recorded: a flood grows the log no faster than the limit', async () => {
  const limited = await startTestServer({ workers: false, config: { rateLimitPerMinute: 3 } });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await limited.api('POST', '/api/v1/publishers/contoso/tickets', { body: { title: 't', body: 'b' } })).status);
    assert.deepEqual(statuses, [401, 401, 401, 429, 429, 429]);
    const rows = await limited.ctx.db.kysely.selectFrom('audit_events').select(['status', 'actor_kind']).where('actor_kind', '=', 'anonymous').execute();
    assert.deepEqual(rows.map((r) => r.status), [401, 401, 401]);
  } finally {
    await limited.close();
  }
});

describe('on PostgreSQL', { skip: postgresUnavailable() ?? false }, () => {
  test('audit_events refuses UPDATE and DELETE there too', async () => {
    const pg = await startPostgres();
    try {
      const config = loadConfig({ cwd: server.root, env: {}, overrides: { dataDir: server.root, database: pg.url } });
      const db = await openDatabase(config, pino({ level: 'silent' }), { supervise: false });
      try {
        await db.kysely
          .insertInto('audit_events')
          .values({ id: 'ae-1', actor_kind: 'system', method: 'POST', route: '/x', outcome: 'succeeded' })
          .execute();
        await assert.rejects(db.kysely.updateTable('audit_events').set({ outcome: 'failed' }).execute(), /append-only/);
        await assert.rejects(db.kysely.deleteFrom('audit_events').execute(), /append-only/);
        const rows = await db.kysely.selectFrom('audit_events').select(['id', 'outcome']).execute();
        assert.deepEqual(rows, [{ id: 'ae-1', outcome: 'succeeded' }]);
      } finally {
        await db.close();
      }
    } finally {
      await pg.stop();
    }
  });
});
