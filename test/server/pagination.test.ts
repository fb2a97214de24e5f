/**
 * Every list the API answers is a page (finding 10 of issue 9: unpaginated lists were unbounded
 * work per request). With 1,000 stored leads a request answers at most the maximum page size, and
 * following `nextCursor` visits every row exactly once; the same for tickets, offers, the
 * catalogue and the operator's operations; the CLI's list commands follow the cursor to show all. Rows are inserted straight into the database: what is
 * tested is the listing, not how rows come to exist.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { MAX_PAGE_SIZE } from '../../src/contracts/pagination.ts';
import { LEADS_CSV_MAX_ROWS } from '../../src/server/routes/leads.ts';
import { vmarket } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const LEADS = 1_000;
let server: TestServer;
let token: string;

before(async () => {
  server = await startTestServer({ workers: false });
  token = await server.createPublisher('contoso');
  const db = server.ctx.db.kysely;
  // 130 offers: more than one default page (100); ten of them live in the catalogue
  for (let i = 0; i < 130; i++) {
    const id = `o${String(i).padStart(3, '0')}`;
    const live = i < 10 ? JSON.stringify({ offer: { listing: { title: `Title ${String(i).padStart(2, '0')}` }, plans: [] }, publishedAt: '2026-01-01T00:00:00Z' }) : null;
    await db.insertInto('offers').values({ publisher_id: 'contoso', id, draft: JSON.stringify({}), etag: `e${i}`, live }).execute();
  }
  await sql`INSERT INTO leads (id, publisher_id, offer_id, plan_id, subscription_id, contact, kind, delivery_status, created_at)
    SELECT 'lead-' || lpad(n::text, 4, '0'), 'contoso', 'o000', 'standard', '00000000-0000-4000-8000-000000000001',
      '{"name":"N","email":"n@example.com"}'::jsonb, 'lead', 'stored', timestamptz '2026-01-01' + (n % 7) * interval '1 millisecond'
    FROM generate_series(1, ${LEADS}) AS n`.execute(db);
  await sql`INSERT INTO tickets (id, publisher_id, source, title, body, status)
    SELECT 'tk-' || lpad(n::text, 4, '0'), 'contoso', 'publisher', 'T', 'B', 'open' FROM generate_series(1, 130) AS n`.execute(db);
});
after(async () => server?.close());

/** Follows nextCursor from the first page; answers every id seen and the largest page. */
async function walk(path: string, key: string, tokenToUse: string | undefined, limit?: number): Promise<{ ids: string[]; largest: number; pages: number }> {
  const ids: string[] = [];
  let largest = 0;
  let pages = 0;
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams();
    if (limit !== undefined) params.set('limit', String(limit));
    if (cursor) params.set('cursor', cursor);
    const answer = await server.api('GET', `${path}${params.size ? `?${params}` : ''}`, { token: tokenToUse });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const rows = answer.body[key] as { id: string }[];
    largest = Math.max(largest, rows.length);
    ids.push(...rows.map((r) => r.id));
    cursor = answer.body.nextCursor;
    pages++;
    assert.ok(pages < 100, 'the pages never end');
  } while (cursor);
  return { ids, largest, pages };
}

test('1,000 leads: a page holds at most the maximum, and the cursor walks every lead once', async () => {
  const first = await server.api('GET', '/api/v1/publishers/contoso/leads', { token });
  assert.equal(first.status, 200);
  assert.equal(first.body.leads.length, 100, 'the default page size');
  assert.equal(typeof first.body.nextCursor, 'string');

  const tooMany = await server.api('GET', `/api/v1/publishers/contoso/offers/o000/leads?limit=${MAX_PAGE_SIZE + 1}`, { token });
  assert.equal(tooMany.status, 422, 'a page larger than the maximum is refused');

  for (const path of ['/api/v1/publishers/contoso/leads', '/api/v1/publishers/contoso/offers/o000/leads']) {
    const all = await walk(path, 'leads', token, MAX_PAGE_SIZE);
    assert.equal(all.largest, MAX_PAGE_SIZE);
    assert.equal(all.ids.length, LEADS);
    assert.equal(new Set(all.ids).size, LEADS, 'no lead twice');
  }
});

test('the leads CSV export holds every lead up to its cap, and a forged cursor is one 400', async () => {
  const csv = await server.api('GET', '/api/v1/publishers/contoso/leads?format=csv', { token });
  assert.equal(csv.status, 200);
  assert.ok(LEADS < LEADS_CSV_MAX_ROWS);
  assert.equal((csv.body as string).trim().split('\r\n').length, LEADS + 1, 'the header and every lead');
  assert.equal(csv.headers['x-next-cursor'], undefined);

  const forged = await server.api('GET', '/api/v1/publishers/contoso/leads?cursor=not-a-cursor', { token });
  assert.equal(forged.status, 400);
  assert.equal(forged.body.error.code, 'BAD_REQUEST');
});

test('tickets (the publisher\'s and the operator\'s) and offers are pages', async () => {
  for (const [path, key, who] of [
    ['/api/v1/publishers/contoso/tickets', 'tickets', token],
    ['/api/v1/tickets', 'tickets', server.operatorToken],
    ['/api/v1/publishers/contoso/offers', 'offers', token],
  ] as const) {
    const all = await walk(path, key, who);
    assert.equal(all.largest, 100, `${path}: the default page`);
    assert.equal(all.pages, 2, path);
    assert.equal(new Set(all.ids).size, 130, path);
  }
});

test('the catalogue is a page in title order', async () => {
  const all = await walk('/api/v1/catalog/offers', 'offers', undefined, 3);
  assert.equal(all.largest, 3);
  assert.deepEqual(all.ids, Array.from({ length: 10 }, (_, i) => `contoso.o${String(i).padStart(3, '0')}`));
  const forged = await server.api('GET', '/api/v1/catalog/offers?cursor=eyJ4Ijox');
  assert.equal(forged.status, 400);
});

test('the operator\'s operations are pages', async () => {
  const db = server.ctx.db.kysely;
  await sql`INSERT INTO operations (id, publisher_id, offer_id, status, created_by, snapshot, snapshot_etag)
    SELECT 'op-' || lpad(n::text, 4, '0'), 'contoso', 'o' || lpad(n::text, 3, '0'), 'running', 'test', '{}'::jsonb, 'e' FROM generate_series(0, 119) AS n`.execute(db);
  const all = await walk('/api/v1/operations', 'operations', server.operatorToken, 50);
  assert.equal(all.largest, 50);
  assert.equal(new Set(all.ids).size, 120);
});

test('vmarket leads list and tickets list follow nextCursor and show every row', async () => {
  const env = { VMARKET_URL: server.url, VMARKET_TOKEN: token, VMARKET_CREDENTIALS: `${server.root}/credentials.json` };
  const leads = await vmarket(['leads', 'list', 'o000', '--json'], { env });
  assert.equal(leads.code, 0, leads.stderr);
  const listed = JSON.parse(leads.stdout) as { id: string }[];
  assert.equal(listed.length, LEADS, 'more than one page of the largest size');
  assert.equal(new Set(listed.map((l) => l.id)).size, LEADS);
  const tickets = await vmarket(['tickets', 'list', '--json'], { env });
  assert.equal(tickets.code, 0, tickets.stderr);
  assert.equal((JSON.parse(tickets.stdout) as unknown[]).length, 130);
});
