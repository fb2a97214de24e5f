/**
 * The test drive's image from an S3 region: downloaded once into dataDir/test-drives/images/,
 * checked against its SHA-256 (a file-system region's object is used in place; see
 * hosting.test.ts). Against a real S3 endpoint (s3rver).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { AppContext } from '../../src/app/context.ts';
import { S3BlobStore } from '../../src/storage/s3-store.ts';
import { testDriveImage, type LiveTestDrive } from '../../src/test-drives/live-image.ts';
import { tempDir } from '../helpers/files.ts';
import { startS3rver } from '../helpers/s3rver.ts';

test('an S3 region\'s test-drive image is downloaded once and verified', async (t) => {
  const s3 = await startS3rver(t);
  const store = new S3BlobStore({ endpoint: s3.endpoint, credentials: s3.credentials, bucket: 'test-drive-images', forcePathStyle: true });
  t.after(() => store.close());
  const dir = await tempDir(t, 'vmarket-td-image-');
  const bytes = Buffer.alloc(256 * 1024, 'debian');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const source = path.join(dir, 'source.raw');
  await writeFile(source, bytes);
  await store.putFile(source, sha256);
  const ctx = { config: { dataDir: path.join(dir, 'data') }, regions: new Map([['s3-eu', { config: {}, store }]]) } as unknown as AppContext;
  const drive: LiveTestDrive = {
    publisherId: 'contoso',
    offerId: 'drive',
    planId: 'standard',
    regions: ['missing-region', 's3-eu'],
    sha256,
    size: bytes.length,
    format: 'raw',
    durationHours: 1,
    hotInstances: 0,
    userManualUrl: null,
    leadDestination: 'table',
  };

  const [first, second] = await Promise.all([testDriveImage(ctx, drive), testDriveImage(ctx, drive)]);
  assert.equal(first.region, 's3-eu');
  assert.equal(first.file, path.join(dir, 'data', 'test-drives', 'images', sha256));
  assert.equal(second.file, first.file);
  assert.deepEqual(await readFile(first.file), bytes);
  const before = (await stat(first.file)).mtimeMs;
  await testDriveImage(ctx, drive);
  assert.equal((await stat(first.file)).mtimeMs, before, 'a cached copy is not downloaded again');

  await assert.rejects(testDriveImage(ctx, { ...drive, sha256: '0'.repeat(64) }), /not in any of its test-drive regions/);
});
