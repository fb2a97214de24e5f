import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { VmarketError } from '../../src/errors.ts';
import { FsBlobStore } from '../../src/storage/fs-store.ts';
import { S3BlobStore } from '../../src/storage/s3-store.ts';
import type { S3BlobStoreOptions } from '../../src/storage/s3-store.ts';
import type { TransferProgress } from '../../src/storage/types.ts';
import { randomFile, tempDir } from '../helpers/files.ts';
import { startS3rver } from '../helpers/s3rver.ts';
import { collect } from '../helpers/streams.ts';

/** An S3 store on the test's s3rver, closed when the test ends. */
function s3Store(t: TestContext, server: { endpoint: string; credentials: S3BlobStoreOptions['credentials'] }, bucket: string, extra: Partial<S3BlobStoreOptions> = {}): S3BlobStore {
  const store = new S3BlobStore({ endpoint: server.endpoint, credentials: server.credentials, bucket, forcePathStyle: true, region: 'us-east-1', ...extra });
  t.after(() => store.close());
  return store;
}

test('S3 store: upload creates the bucket, verifies by read-back, dedupes, reads, deletes', async (t) => {
  const server = await startS3rver(t);
  const dir = await tempDir(t);
  // Larger than one 16 MiB part: exercises the multipart upload.
  const file = await randomFile(dir, 'disk.img', 17 * 1024 * 1024 + 5);
  const store = s3Store(t, server, 'westeurope', { prefix: 'images' });

  assert.equal(await store.has(file.sha256), false);
  const progress: TransferProgress[] = [];
  const put = await store.putFile(file.path, file.sha256, { onProgress: (p) => progress.push(p) });
  assert.deepEqual(put, { bytesCopied: file.size, via: 'stream' });
  assert.deepEqual(progress.at(-1), { bytesDone: file.size, bytesTotal: file.size, phase: 'verifying' });
  assert.ok(progress.some((p) => p.phase === undefined && p.bytesDone === file.size));

  assert.equal(store.uri(file.sha256), `s3://westeurope/images/sha256/${file.sha256.slice(0, 2)}/${file.sha256}`);
  assert.equal(await store.has(file.sha256), true);
  assert.equal(await store.has(file.sha256, file.size), true);
  assert.equal(await store.has(file.sha256, 1), false);
  assert.equal(await store.size(file.sha256), file.size);
  assert.equal(await store.verify(file.sha256), true);
  assert.deepEqual(await collect(await store.read(file.sha256)), await readFile(file.path));

  assert.equal((await store.putFile(file.path, file.sha256)).bytesCopied, 0);

  await store.delete(file.sha256);
  await store.delete(file.sha256);
  assert.equal(await store.has(file.sha256), false);
  assert.equal(await store.size(file.sha256), null);
  assert.equal(await store.verify(file.sha256), false);
  await assert.rejects(store.read(file.sha256), { code: 'NOT_FOUND' });
});

test('S3 store: a file that does not match its SHA-256 leaves no object (single and multipart)', async (t) => {
  const server = await startS3rver(t);
  const dir = await tempDir(t);
  const store = s3Store(t, server, 'eastus', { partSizeBytes: 5 * 1024 * 1024 });
  const wrong = 'ef'.repeat(32);
  for (const size of [300_000, 11 * 1024 * 1024]) {
    const file = await randomFile(dir, `disk-${size}.img`, size);
    await assert.rejects(store.putFile(file.path, wrong), (error: VmarketError) => error.code === 'HASH_MISMATCH');
    assert.equal(await store.size(wrong), null);
  }
});

test('S3 store: copies between buckets of one endpoint server-side, and streams to and from fs', async (t) => {
  const server = await startS3rver(t);
  const dir = await tempDir(t);
  const file = await randomFile(dir, 'disk.img', 6 * 1024 * 1024 + 1);
  const a = s3Store(t, server, 'bucket-a');
  const b = s3Store(t, server, 'bucket-b', { prefix: 'p/' });
  await a.putFile(file.path, file.sha256);

  assert.deepEqual(await b.copyFrom(a, file.sha256), { bytesCopied: file.size, via: 'server' });
  assert.equal(await b.verify(file.sha256), true);
  assert.equal(b.uri(file.sha256), `s3://bucket-b/p/sha256/${file.sha256.slice(0, 2)}/${file.sha256}`);
  assert.equal((await b.copyFrom(a, file.sha256)).bytesCopied, 0);

  // s3rver has no UploadPartCopy: a multipart server-side copy falls back to streaming.
  const c = s3Store(t, server, 'bucket-c', { multipartCopyThresholdBytes: 1024 * 1024 });
  assert.deepEqual(await c.copyFrom(a, file.sha256), { bytesCopied: file.size, via: 'stream' });
  assert.deepEqual(await collect(await c.read(file.sha256)), await readFile(file.path));

  const fs = new FsBlobStore(join(dir, 'fs'));
  assert.equal((await fs.copyFrom(b, file.sha256)).bytesCopied, file.size);
  assert.equal(await fs.verify(file.sha256), true);
  await a.delete(file.sha256);
  assert.equal((await a.copyFrom(fs, file.sha256)).bytesCopied, file.size);
  assert.equal(await a.verify(file.sha256), true);
  await assert.rejects(a.copyFrom(fs, '12'.repeat(32)), { code: 'NOT_FOUND' });
});

test('S3 store: an abort during a throttled upload rejects with CANCELED and leaves no object', async (t) => {
  const server = await startS3rver(t);
  const dir = await tempDir(t);
  const file = await randomFile(dir, 'disk.img', 4 * 1024 * 1024);
  const store = s3Store(t, server, 'slow');
  const controller = new AbortController();
  await assert.rejects(
    store.putFile(file.path, file.sha256, {
      bytesPerSecond: 256 * 1024,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    }),
    (error: VmarketError) => error.code === 'CANCELED',
  );
  assert.equal(await store.size(file.sha256), null);
});

test('S3 store: an abort during a multipart upload rejects with CANCELED and leaves no object', async (t) => {
  const server = await startS3rver(t);
  const dir = await tempDir(t);
  const file = await randomFile(dir, 'disk.img', 24 * 1024 * 1024);
  const store = s3Store(t, server, 'multipart', { partSizeBytes: 5 * 1024 * 1024 });
  const controller = new AbortController();
  await assert.rejects(
    store.putFile(file.path, file.sha256, {
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.bytesDone >= 8 * 1024 * 1024) controller.abort();
      },
    }),
    (error: VmarketError) => error.code === 'CANCELED',
  );
  assert.equal(await store.size(file.sha256), null);
});
