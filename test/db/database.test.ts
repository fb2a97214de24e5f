/**
 * The store and queue on the embedded database: a job sent inside a transaction commits or rolls
 * back with it, pg-boss's polling never runs inside an open transaction, and the data survives a
 * restart (migrations are applied once).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { Db } from '../../src/app/context.ts';
import { loadConfig, type Config } from '../../src/config/load.ts';
import { MIGRATIONS, openDatabase } from '../../src/db/database.ts';

let tmp: string;
let config: Config;
let db: Db;
const logger = pino({ level: 'silent' });

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vmarket-db-'));
  config = loadConfig({ cwd: tmp, env: {}, overrides: { dataDir: path.join(tmp, 'data') } });
  db = await openDatabase(config, logger, { supervise: false });
  await db.boss.createQueue('t.jobs');
});

after(async () => {
  await db?.close();
  await rm(tmp, { recursive: true, force: true });
});

test('a job sent in a transaction that rolls back is never created; one that commits is', async () => {
  await assert.rejects(
    db.transaction(async (trx) => {
      await trx.insertInto('publishers').values({ id: 'rolled', name: 'R', token_hash: 'h-rolled' }).execute();
      await db.enqueue(trx, 't.jobs', { n: 1 });
      throw new Error('abort this transaction');
    }),
    /abort this transaction/,
  );
  assert.equal(await db.kysely.selectFrom('publishers').select('id').where('id', '=', 'rolled').executeTakeFirst(), undefined);
  assert.equal((await db.boss.findJobs('t.jobs', { data: { n: 1 } })).length, 0, 'the job rolled back with the row');

  const jobId = await db.transaction(async (trx) => {
    await trx.insertInto('publishers').values({ id: 'kept', name: 'K', token_hash: 'h-kept' }).execute();
    return db.enqueue(trx, 't.jobs', { n: 2 });
  });
  assert.ok(jobId);
  const job = await db.boss.getJobById('t.jobs', jobId);
  assert.deepEqual(job?.data, { n: 2 });
});

test('statements outside a transaction wait for it instead of running inside it', async () => {
  const order: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const tx = db.transaction(async (trx) => {
    await trx.insertInto('publishers').values({ id: 'in-tx', name: 'T', token_hash: 'h-in-tx' }).execute();
    order.push('tx wrote');
    await held;
    throw new Error('roll back');
  });
  await sleep(50);
  // pg-boss and a plain query both try to run while the transaction is open
  const outside = db.kysely.selectFrom('publishers').select('id').where('id', '=', 'in-tx').executeTakeFirst().then((row) => {
    order.push('outside read');
    return row;
  });
  const bossSend = db.boss.send('t.jobs', { n: 3 }).then(() => order.push('boss sent'));
  await sleep(100);
  assert.deepEqual(order, ['tx wrote'], 'nothing ran while the transaction was open');
  release();
  await assert.rejects(tx, /roll back/);
  assert.equal(await outside, undefined, 'the read saw the rolled-back state, not the open transaction');
  await bossSend;
  assert.deepEqual(order, ['tx wrote', 'outside read', 'boss sent']);
  assert.equal((await db.boss.findJobs('t.jobs', { data: { n: 3 } })).length, 1, 'the job sent outside was not rolled back with the transaction');
});

test('data survives a restart and migrations are not applied twice', async () => {
  await db.close();
  db = await openDatabase(config, logger, { supervise: false });
  const rows = await db.kysely.selectFrom('publishers').select('id').orderBy('id').execute();
  assert.deepEqual(rows.map((r) => r.id), ['kept']);
  const migrations = await db.kysely.selectFrom('kysely_migration' as never).select('name' as never).execute();
  assert.deepEqual(migrations.map((m: any) => m.name).sort(), Object.keys(MIGRATIONS).sort(), 'each migration applied once');
});

test('an unknown database setting is one clear error', async () => {
  const bad = loadConfig({ cwd: tmp, env: {}, overrides: { dataDir: path.join(tmp, 'other'), database: 'mysql://x' } });
  await assert.rejects(openDatabase(bad, logger), (error: any) => error.code === 'CONFIG_INVALID' && /embedded.*postgres/.test(error.message));
});
