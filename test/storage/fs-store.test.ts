import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { VmarketError } from '../../src/errors.ts';
import { FsBlobStore } from '../../src/storage/fs-store.ts';
import { hashFile } from '../../src/storage/hash.ts';
import type { TransferProgress } from '../../src/storage/types.ts';
import { listFiles, randomFile, tempDir } from '../helpers/files.ts';

test('putFile stores a file under its SHA-256, verifies it, and a second put copies nothing', async (t) => {
  const dir = await tempDir(t);
  const file = await randomFile(dir, 'disk.img', 3 * 1024 * 1024 + 17);
  const store = new FsBlobStore(join(dir, 'store'));

  assert.equal(await store.has(file.sha256), false);
  assert.equal(await store.size(file.sha256), null);
  const first = await store.putFile(file.path, file.sha256);
  assert.deepEqual(first, { bytesCopied: file.size, via: 'clone' });

  const stored = join(dir, 'store', 'sha256', file.sha256.slice(0, 2), file.sha256);
  assert.equal(store.objectPath(file.sha256), stored);
  assert.deepEqual(await readFile(stored), await readFile(file.path));
  assert.equal(await store.has(file.sha256), true);
  assert.equal(await store.has(file.sha256, file.size), true);
  assert.equal(await store.has(file.sha256, file.size + 1), false);
  assert.equal(await store.size(file.sha256), file.size);
  assert.equal(await store.verify(file.sha256), true);
  assert.equal(store.uri(file.sha256), `file://${stored}`);
  assert.equal(fileURLToPath(store.uri(file.sha256)), stored);

  const second = await store.putFile(file.path, file.sha256);
  assert.deepEqual(second, { bytesCopied: 0 });
  assert.deepEqual(await listFiles(join(dir, 'store')), [`sha256/${file.sha256.slice(0, 2)}/${file.sha256}`]);
});

test('a file whose bytes do not match the claimed SHA-256 is rejected and nothing is left behind', async (t) => {
  const dir = await tempDir(t);
  const file = await randomFile(dir, 'disk.img', 256 * 1024);
  const wrong = 'ab'.repeat(32);
  for (const bytesPerSecond of [0, 64 * 1024 * 1024]) {
    const store = new FsBlobStore(join(dir, `store-${bytesPerSecond}`));
    await assert.rejects(store.putFile(file.path, wrong, { bytesPerSecond }), (error: VmarketError) => {
      assert.equal(error.code, 'HASH_MISMATCH');
      return true;
    });
    assert.equal(await store.has(wrong), false);
    assert.deepEqual(await listFiles(join(dir, `store-${bytesPerSecond}`)), []);
  }
});

test('keys that are not SHA-256 hex are refused before touching the disk', async (t) => {
  const dir = await tempDir(t);
  const store = new FsBlobStore(join(dir, 'store'));
  await assert.rejects(store.has('../../etc/passwd'), { code: 'BAD_REQUEST' });
  assert.throws(() => store.uri('A'.repeat(64)), { code: 'BAD_REQUEST' });
});

test('verify detects an object corrupted on disk; read and delete work', async (t) => {
  const dir = await tempDir(t);
  const file = await randomFile(dir, 'disk.img', 100_000);
  const store = new FsBlobStore(join(dir, 'store'));
  await store.putFile(file.path, file.sha256);

  const chunks: Buffer[] = [];
  for await (const chunk of (await store.read(file.sha256)) as AsyncIterable<Buffer>) chunks.push(chunk);
  assert.deepEqual(Buffer.concat(chunks), await readFile(file.path));

  const stored = store.objectPath(file.sha256);
  const bytes = await readFile(stored);
  bytes[500] ^= 0xff;
  await writeFile(stored, bytes);
  assert.equal(await store.verify(file.sha256), false);

  await store.delete(file.sha256);
  await store.delete(file.sha256);
  assert.equal(await store.has(file.sha256), false);
  assert.equal(await store.verify(file.sha256), false);
  await assert.rejects(store.read(file.sha256), { code: 'NOT_FOUND' });
});

test('copyFrom between two fs stores copies once and verifies', async (t) => {
  const dir = await tempDir(t);
  const file = await randomFile(dir, 'disk.img', 2 * 1024 * 1024);
  const source = new FsBlobStore(join(dir, 'a'));
  const target = new FsBlobStore(join(dir, 'b'));
  await source.putFile(file.path, file.sha256);
  const progress: TransferProgress[] = [];
  assert.equal((await target.copyFrom(source, file.sha256, { onProgress: (p) => progress.push(p) })).bytesCopied, file.size);
  // The copy reaches its total, then the stored copy is re-hashed (reported as `verifying`).
  assert.deepEqual(progress.find((p) => p.phase === undefined && p.bytesDone === file.size), { bytesDone: file.size, bytesTotal: file.size });
  assert.deepEqual(progress.at(-1), { bytesDone: file.size, bytesTotal: file.size, phase: 'verifying' });
  assert.equal(await target.verify(file.sha256), true);
  assert.equal((await target.copyFrom(source, file.sha256)).bytesCopied, 0);
  await assert.rejects(target.copyFrom(source, 'cd'.repeat(32)), { code: 'NOT_FOUND' });
});

test('an abort during a throttled copy rejects with CANCELED and removes the partial copy', async (t) => {
  const dir = await tempDir(t);
  const file = await randomFile(dir, 'disk.img', 4 * 1024 * 1024);
  const store = new FsBlobStore(join(dir, 'store'));
  const controller = new AbortController();
  const seen: TransferProgress[] = [];
  await assert.rejects(
    store.putFile(file.path, file.sha256, {
      bytesPerSecond: 256 * 1024,
      signal: controller.signal,
      onProgress: (progress) => {
        seen.push(progress);
        controller.abort();
      },
    }),
    (error: VmarketError) => error instanceof VmarketError && error.code === 'CANCELED',
  );
  assert.equal(seen.length, 1);
  assert.ok(seen[0].bytesDone > 0 && seen[0].bytesDone < file.size);
  assert.equal(await store.has(file.sha256), false);
  assert.deepEqual(await listFiles(join(dir, 'store')), []);
});

test('a bandwidth limit paces the copy: bytes done never run ahead of the limit', async (t) => {
  const dir = await tempDir(t);
  const size = 1024 * 1024;
  const file = await randomFile(dir, 'disk.img', size);
  const store = new FsBlobStore(join(dir, 'store'));
  const bytesPerSecond = 1024 * 1024;
  const burst = 256 * 1024; // one chunk: a quarter second of the limit
  const samples: { bytesDone: number; elapsed: number }[] = [];
  const started = performance.now();
  await store.putFile(file.path, file.sha256, {
    bytesPerSecond,
    onProgress: (progress) => samples.push({ bytesDone: progress.bytesDone, elapsed: (performance.now() - started) / 1000 }),
  });
  // Paced in quarter-second chunks, reported at most every 200 ms: about one callback per chunk.
  assert.ok(samples.length >= size / burst - 1, `only ${samples.length} progress callbacks`);
  assert.equal(samples.at(-1)?.bytesDone, size);
  for (const sample of samples) {
    assert.ok(sample.bytesDone <= burst + bytesPerSecond * sample.elapsed, `${sample.bytesDone} bytes after ${sample.elapsed}s`);
  }
  // The first report comes after a single chunk: the rest had to wait for tokens.
  assert.equal(samples[0].bytesDone, burst);
  assert.equal(await store.verify(file.sha256), true);
});

test('stale temp files from a crash are removed when the store opens; fresh ones are kept', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'store');
  await mkdir(join(root, 'sha256', 'ab'), { recursive: true });
  const stale = join(root, 'sha256', 'ab', '.tmp-abababababababab-000000000000');
  const fresh = join(root, 'sha256', 'ab', '.tmp-abababababababab-111111111111');
  await writeFile(stale, 'partial');
  await writeFile(fresh, 'in progress elsewhere');
  const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
  await utimes(stale, twoDaysAgo, twoDaysAgo);
  await new FsBlobStore(root).open();
  assert.deepEqual(await listFiles(root), ['sha256/ab/.tmp-abababababababab-111111111111']);
});

test('hashFile matches sha256sum and reports progress', async (t) => {
  const dir = await tempDir(t);
  const file = await randomFile(dir, 'disk.img', 9 * 1024 * 1024 + 3);
  const progress: TransferProgress[] = [];
  const result = await hashFile(file.path, (p) => progress.push(p));
  assert.deepEqual(result, { sha256: file.sha256, size: file.size });
  assert.equal(progress.length, 3);
  assert.deepEqual(progress.at(-1), { bytesDone: file.size, bytesTotal: file.size });
  let sha256sum: string | undefined;
  try {
    sha256sum = execFileSync('sha256sum', [file.path], { encoding: 'utf8' }).split(' ')[0];
  } catch {
    t.diagnostic('sha256sum not installed; compared against node:crypto only');
  }
  if (sha256sum) assert.equal(result.sha256, sha256sum);
  await assert.rejects(hashFile(join(dir, 'missing')), { code: 'FILE_UNREADABLE' });
});

test('a local copy keeps zero chunks as holes: same bytes and hash, far fewer blocks on disk', async (t) => {
  const dir = await tempDir(t);
  // 64 MiB of zeros with 1 MiB + 100 bytes of data in the middle and a data tail: a fixed VHD's shape
  const path = join(dir, 'mostly-zeros.vhd');
  const data = Buffer.alloc(64 * 1024 * 1024);
  for (let i = 20 * 1024 * 1024; i < 21 * 1024 * 1024 + 100; i++) data[i] = (i * 31) & 0xff;
  data.fill(0xee, data.length - 512);
  await writeFile(path, data);
  const { sha256, size } = await hashFile(path);
  const store = new FsBlobStore(join(dir, 'store'));

  assert.deepEqual(await store.putFile(path, sha256), { bytesCopied: size, via: 'clone' });
  const stored = store.objectPath(sha256);
  assert.deepEqual(await readFile(stored), data, 'the same bytes, holes reading as zeros');
  assert.equal(await store.verify(sha256), true);
  const { blocks } = await stat(stored);
  // only the chunks holding data are allocated (two copy chunks at most), not 64 MiB
  assert.ok(blocks * 512 <= size / 4, `allocated ${blocks * 512} bytes for a ${size}-byte object`);
});
