/**
 * Storage garbage collection through the real server (issue 13, item 5), on the file-system
 * primary store, a file-system region and an S3 region (a real s3rver): only objects nothing
 * references and older than the grace period go; the dry run (the real `vmarket gc --dry-run
 * --json`) lists them and removes nothing; an object the live slot, the history or a conversion
 * references survives, and so does a young one.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { collectGarbage } from '../../src/lifecycle/gc.ts';
import { regionStore } from '../../src/pipeline/replication.ts';
import { FsBlobStore } from '../../src/storage/fs-store.ts';
import type { BlobStore } from '../../src/storage/types.ts';
import { vmarket } from '../helpers/cli.ts';
import { tempDir } from '../helpers/files.ts';
import { offerDocument, publishSlot } from '../helpers/offers.ts';
import { startS3rver } from '../helpers/s3rver.ts';
import { startTestServer } from '../helpers/server.ts';

const DAY = 86_400_000;

test('gc removes only unreferenced objects older than the grace period, on fs and S3; the dry run removes nothing', async (t) => {
  const s3 = await startS3rver(t);
  const tmp = await tempDir(t, 'vmarket-gc-');
  const server = await startTestServer({
    workers: false,
    config: {
      gc: { graceHours: 24 },
      regions: [
        { name: 'westeurope', storage: { type: 'fs', path: path.join(tmp, 'westeurope') }, bandwidthBytesPerSecond: 0 },
        {
          name: 's3east',
          storage: { type: 's3', endpoint: s3.endpoint, bucket: 'gc-bucket', region: 'us-east-1', forcePathStyle: true, prefix: '', ...s3.credentials },
          bandwidthBytesPerSecond: 0,
        },
      ],
    },
  });
  t.after(() => server.close());
  const token = await server.createPublisher('contoso');
  const primary = server.ctx.primary;
  const west = regionStore(server.ctx, 'westeurope');
  const east = regionStore(server.ctx, 's3east');

  /** A file in the import dir (the bytes publishSlot's packages name) and its SHA-256. */
  const file = async (name: string, bytes = Buffer.alloc(4096, name)) => {
    const at = path.join(server.importDirOf('contoso'), name);
    await writeFile(at, bytes);
    return { at, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
  };
  const store = async (f: { at: string; sha256: string }, stores: BlobStore[], old: boolean) => {
    for (const s of stores) {
      await s.putFile(f.at, f.sha256);
      if (old && s instanceof FsBlobStore) await utimes(s.objectPath(f.sha256), new Date(Date.now() - 2 * DAY), new Date(Date.now() - 2 * DAY));
    }
  };

  // the history holds the first version, the live slot the second
  const first = await file('first.vhd');
  const live = await file('live.vhd');
  await publishSlot(server, token, 'live', offerDocument({ id: 'kept', publisher: 'contoso', osDisk: first.at, regions: ['westeurope', 's3east'] }), 'op-gc-1');
  await publishSlot(server, token, 'live', offerDocument({ id: 'kept', publisher: 'contoso', osDisk: live.at, regions: ['westeurope', 's3east'], version: '2.0.0' }), 'op-gc-2');
  const conversion = await file('live.qcow2', Buffer.alloc(2048, 'converted'));
  await server.ctx.db.kysely.insertInto('disk_conversions').values({ source_sha256: live.sha256, format: 'qcow2', sha256: conversion.sha256, size: conversion.size, virtual_sha256: live.sha256 }).execute();
  const orphan = await file('orphan.bin', Buffer.alloc(8192, 'orphan'));
  const young = await file('young.bin', Buffer.alloc(1024, 'young'));
  await store(first, [primary, west, east], true);
  await store(live, [primary, west, east], true);
  await store(conversion, [primary], true);
  await store(orphan, [primary, west, east], true);
  await store(young, [primary], false);

  const publisher = await server.api('POST', '/api/v1/gc', { token, body: { dryRun: true } });
  assert.equal(publisher.status, 403, 'the operator collects');

  const dry = await vmarket(['gc', '--dry-run', '--json', '--url', server.url, '--token', server.operatorToken]);
  assert.equal(dry.code, 0, dry.stderr);
  const report = JSON.parse(dry.stdout);
  assert.equal(report.dryRun, true);
  const byStore = Object.fromEntries(report.stores.map((s: any) => [s.store, s]));
  assert.deepEqual(byStore.primary.removed.map((o: any) => o.sha256), [orphan.sha256]);
  assert.deepEqual(byStore.primary.kept, { referenced: 3, young: 1 });
  assert.deepEqual(byStore.westeurope.removed.map((o: any) => [o.sha256, o.size]), [[orphan.sha256, orphan.size]]);
  assert.deepEqual(byStore.s3east.removed, [], 'S3 objects were written just now: younger than the grace period');
  assert.equal(byStore.s3east.kept.young, 1);
  assert.equal(report.bytes, 2 * orphan.size);
  assert.ok(await primary.has(orphan.sha256) && (await west.has(orphan.sha256)), 'the dry run removed nothing');

  const human = await vmarket(['gc', '--dry-run', '--url', server.url, '--token', server.operatorToken]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, new RegExp(`westeurope: would remove ${orphan.sha256} \\(8192 bytes`));
  assert.match(human.stdout, /would remove 2 object\(s\), 16384 bytes \(grace period 24 h\)/);

  const run = await server.api('POST', '/api/v1/gc', { token: server.operatorToken, body: { dryRun: false } });
  assert.equal(run.status, 200, JSON.stringify(run.body));
  assert.equal(run.body.count, 2);
  assert.equal(await primary.has(orphan.sha256), false);
  assert.equal(await west.has(orphan.sha256), false);
  for (const kept of [first, live, conversion, young]) assert.equal(await primary.has(kept.sha256), true, `${kept.at} survives`);
  assert.equal(await west.has(live.sha256), true);

  // two days on, the S3 region's orphan is old enough; what the slots name stays
  const later = await collectGarbage(server.ctx, { dryRun: false, now: new Date(Date.now() + 2 * DAY) });
  const s3report = later.stores.find((s) => s.store === 's3east')!;
  assert.deepEqual(s3report.removed.map((o) => o.sha256), [orphan.sha256]);
  assert.deepEqual(s3report.errors, []);
  assert.equal(await east.has(orphan.sha256), false);
  assert.equal(await east.has(live.sha256), true);
  assert.equal(await east.has(first.sha256), true);
  assert.ok(later.stores.find((s) => s.store === 'primary')!.removed.some((o) => o.sha256 === young.sha256), 'the young object ages too');
});
