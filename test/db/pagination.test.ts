/**
 * Keyset pagination (src/db/pagination.ts) on the real embedded database: walking every page
 * visits every row exactly once, in order, even when many rows share a millisecond or a time
 * (PostgreSQL keeps microseconds, a cursor milliseconds); a forged cursor is one clear 400.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { pino } from 'pino';
import type { Db } from '../../src/app/context.ts';
import { loadConfig } from '../../src/config/load.ts';
import { openDatabase } from '../../src/db/database.ts';
import { encodeCursor, keysetPage } from '../../src/db/pagination.ts';
import { isVmarketError } from '../../src/errors.ts';

let tmp: string;
let db: Db;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vmarket-page-'));
  const config = loadConfig({ cwd: tmp, env: {}, overrides: { dataDir: path.join(tmp, 'data') } });
  db = await openDatabase(config, pino({ level: 'silent' }), { supervise: false });
  // 60 publishers over 4 distinct milliseconds, each millisecond holding rows microseconds apart
  for (let i = 0; i < 60; i++) {
    const at = `2026-01-01T00:00:00.${String(100 + (i % 4)).padStart(3, '0')}${String(i).padStart(3, '0')}Z`;
    await sql`INSERT INTO publishers (id, name, token_hash, created_at) VALUES (${`p${String(i).padStart(2, '0')}`}, 'P', ${`h${i}`}, ${at}::timestamptz)`.execute(db.kysely);
  }
});

after(async () => {
  await db?.close();
  await rm(tmp, { recursive: true, force: true });
});

async function walk(direction: 'asc' | 'desc', limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await keysetPage(db.kysely.selectFrom('publishers').select(['id', 'created_at']), { at: 'created_at', id: 'id', direction }, { limit, ...(cursor ? { cursor } : {}) }, (r) => ({
      at: r.created_at,
      id: r.id,
    }));
    assert.ok(page.rows.length <= limit);
    seen.push(...page.rows.map((r) => r.id));
    if (page.nextCursor === null) return seen;
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

test('every row is visited exactly once across pages, newest first, ties by id', async () => {
  for (const limit of [1, 7, 15, 59, 60, 500]) {
    const ids = await walk('desc', limit);
    assert.equal(ids.length, 60, `limit ${limit}`);
    assert.equal(new Set(ids).size, 60, `limit ${limit}: no row twice`);
    // newest millisecond first (i % 4 === 3), ids ascending inside it
    assert.deepEqual(ids.slice(0, 3), ['p03', 'p07', 'p11'], `limit ${limit}`);
  }
  const ascending = await walk('asc', 8);
  assert.equal(new Set(ascending).size, 60);
  assert.deepEqual(ascending.slice(0, 2), ['p00', 'p04']);
});

test('a cursor that this server did not give out is one clear 400', async () => {
  for (const cursor of ['not-base64-json!', Buffer.from('{"a":1}').toString('base64url'), encodeCursor({ at: 'yesterday', id: 'x' })]) {
    await assert.rejects(
      keysetPage(db.kysely.selectFrom('publishers').selectAll(), { at: 'created_at', id: 'id' }, { limit: 5, cursor }, (r) => ({ at: r.created_at, id: r.id })),
      (error: unknown) => isVmarketError(error) && error.code === 'BAD_REQUEST' && /cursor/.test(error.message),
    );
  }
});
