import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { VmarketError } from '../../src/errors.ts';
import { createBlobStore } from '../../src/storage/factory.ts';
import { FsBlobStore } from '../../src/storage/fs-store.ts';
import { removeObject, replicate } from '../../src/storage/replicate.ts';
import { backoffDelay } from '../../src/util/timing.ts';
import type { ReplicationProgress } from '../../src/storage/replicate.ts';
import { S3BlobStore } from '../../src/storage/s3-store.ts';
import type { BlobStore, CopyResult, PutOptions } from '../../src/storage/types.ts';
import { listFiles, randomFile, tempDir } from '../helpers/files.ts';
import { startS3rver } from '../helpers/s3rver.ts';

/** Test-only wrapper: the first `failures` copies into the store throw an I/O error. */
class FlakyStore implements BlobStore {
  readonly inner: BlobStore;
  failures: number;
  copies = 0;
  constructor(inner: BlobStore, failures: number) {
    this.inner = inner;
    this.failures = failures;
  }
  get description(): string {
    return `flaky ${this.inner.description}`;
  }
  has(sha256: string, size?: number): Promise<boolean> {
    return this.inner.has(sha256, size);
  }
  size(sha256: string): Promise<number | null> {
    return this.inner.size(sha256);
  }
  async putFile(localPath: string, sha256: string, options?: PutOptions): Promise<CopyResult> {
    this.fail();
    return this.inner.putFile(localPath, sha256, options);
  }
  async copyFrom(source: BlobStore, sha256: string, options?: PutOptions): Promise<CopyResult> {
    this.fail();
    return this.inner.copyFrom(source, sha256, options);
  }
  read(sha256: string): Promise<NodeJS.ReadableStream> {
    return this.inner.read(sha256);
  }
  verify(sha256: string): Promise<boolean> {
    return this.inner.verify(sha256);
  }
  delete(sha256: string): Promise<void> {
    return this.inner.delete(sha256);
  }
  uri(sha256: string): string {
    return this.inner.uri(sha256);
  }
  private fail(): void {
    this.copies++;
    if (this.copies <= this.failures) throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
  }
}

function recorder(): { events: Map<string, ReplicationProgress[]>; onProgress: (region: string, p: ReplicationProgress) => void } {
  const events = new Map<string, ReplicationProgress[]>();
  return {
    events,
    onProgress: (region, progress) => {
      if (!events.has(region)) events.set(region, []);
      events.get(region)?.push(progress);
    },
  };
}

async function s3Region(t: TestContext, endpoint: string, bucket: string): Promise<S3BlobStore> {
  const store = createBlobStore({
    type: 's3',
    endpoint,
    bucket,
    region: 'us-east-1',
    forcePathStyle: true,
    prefix: '',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
  }) as S3BlobStore;
  t.after(() => store.close());
  return store;
}

test('replicates a local file into fs and S3 regions in parallel; a region holding it is skipped', async (t) => {
  const server = await startS3rver(t);
  const dir = await tempDir(t);
  const file = await randomFile(dir, 'disk.img', 2 * 1024 * 1024 + 99);
  const westeurope = createBlobStore({ type: 'fs', path: join(dir, 'westeurope') });
  const northeurope = createBlobStore({ type: 'fs', path: join(dir, 'northeurope') });
  const eastus = await s3Region(t, server.endpoint, 'eastus');
  const westus = await s3Region(t, server.endpoint, 'westus');
  await northeurope.putFile(file.path, file.sha256);

  const { events, onProgress } = recorder();
  const targets = [
    { region: 'westeurope', store: westeurope },
    { region: 'northeurope', store: northeurope },
    { region: 'eastus', store: eastus, bytesPerSecond: 8 * 1024 * 1024 },
    { region: 'westus', store: westus },
  ];
  const results = await replicate({ source: file.path, sha256: file.sha256, size: file.size, targets, onProgress });
  assert.deepEqual(results, [
    { region: 'westeurope', bytesCopied: file.size, skipped: false, attempts: 1, via: 'clone' },
    { region: 'northeurope', bytesCopied: 0, skipped: true, attempts: 1 },
    { region: 'eastus', bytesCopied: file.size, skipped: false, attempts: 1, via: 'stream' },
    { region: 'westus', bytesCopied: file.size, skipped: false, attempts: 1, via: 'stream' },
  ]);
  for (const { region, store } of targets) {
    assert.equal(await store.verify(file.sha256), true, region);
    const statuses = events.get(region)?.map((e) => e.status);
    assert.equal(statuses?.[0], 'pending');
    assert.equal(statuses?.at(-1), region === 'northeurope' ? 'skipped' : 'done', region);
    if (region !== 'northeurope') assert.ok(statuses?.includes('verifying'), `${region}: ${statuses}`);
  }
  assert.match(eastus.uri(file.sha256), /^s3:\/\/eastus\/sha256\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
  assert.match(westeurope.uri(file.sha256), /^file:\/\/\//);

  // Publishing the same image again copies nothing anywhere.
  const again = await replicate({ source: file.path, sha256: file.sha256, size: file.size, targets });
  assert.deepEqual(
    again.map((r) => [r.region, r.bytesCopied, r.skipped]),
    targets.map((target) => [target.region, 0, true]),
  );

  // From a store: fs to fs clones, S3 to S3 on one endpoint is copied by the server.
  const fromFs = await replicate({
    source: westeurope,
    sha256: file.sha256,
    size: file.size,
    targets: [{ region: 'uksouth', store: new FsBlobStore(join(dir, 'uksouth')) }],
  });
  assert.equal(fromFs[0].via, 'clone');
  const fromS3 = await replicate({
    source: eastus,
    sha256: file.sha256,
    size: file.size,
    targets: [{ region: 'centralus', store: await s3Region(t, server.endpoint, 'centralus') }],
  });
  assert.deepEqual(fromS3, [{ region: 'centralus', bytesCopied: file.size, skipped: false, attempts: 1, via: 'server' }]);
});

test('I/O errors are retried with back-off; a region out of retries fails alone', async (t) => {
  const dir = await tempDir(t);
  const file = await randomFile(dir, 'disk.img', 300_000);
  const source = new FsBlobStore(join(dir, 'primary'));
  await source.putFile(file.path, file.sha256);
  const flaky = new FlakyStore(new FsBlobStore(join(dir, 'flaky')), 2);
  const broken = new FlakyStore(new FsBlobStore(join(dir, 'broken')), 100);
  const delays: number[] = [];
  const { events, onProgress } = recorder();
  const results = await replicate({
    source,
    sha256: file.sha256,
    size: file.size,
    targets: [
      { region: 'flaky', store: flaky },
      { region: 'broken', store: broken },
    ],
    retries: 3,
    backoffMs: (retry) => {
      delays.push(retry);
      return 1;
    },
    onProgress,
  });
  assert.deepEqual(results[0], { region: 'flaky', bytesCopied: file.size, skipped: false, attempts: 3, via: 'clone' });
  assert.equal(await flaky.verify(file.sha256), true);
  assert.equal(results[1].attempts, 4);
  assert.equal(results[1].error?.code, 'STORAGE_FAILED');
  assert.match(results[1].error?.message ?? '', /EIO/);
  assert.equal(await broken.has(file.sha256), false);
  const flakyEvents = events.get('flaky') ?? [];
  assert.deepEqual(
    flakyEvents.filter((e) => e.status === 'retrying').map((e) => [e.attempt, e.message]),
    [
      [1, 'EIO: i/o error, write'],
      [2, 'EIO: i/o error, write'],
    ],
  );
  assert.equal(events.get('broken')?.at(-1)?.status, 'failed');
  assert.deepEqual(delays.sort(), [1, 1, 2, 2, 3]);
});

test('a missing source object fails at once, without retries', async (t) => {
  const dir = await tempDir(t);
  const results = await replicate({
    source: new FsBlobStore(join(dir, 'primary')),
    sha256: 'aa'.repeat(32),
    size: 10,
    targets: [{ region: 'westeurope', store: new FsBlobStore(join(dir, 'westeurope')) }],
    backoffMs: 1,
  });
  assert.equal(results[0].attempts, 1);
  assert.equal(results[0].error?.code, 'NOT_FOUND');
});

test('an abort removes partial copies in every region and rejects with CANCELED', async (t) => {
  const server = await startS3rver(t);
  const dir = await tempDir(t);
  const file = await randomFile(dir, 'disk.img', 4 * 1024 * 1024);
  const regions = {
    westeurope: new FsBlobStore(join(dir, 'westeurope')),
    eastus: await s3Region(t, server.endpoint, 'eastus'),
  };
  const controller = new AbortController();
  const { events } = recorder();
  await assert.rejects(
    replicate({
      source: file.path,
      sha256: file.sha256,
      size: file.size,
      targets: Object.entries(regions).map(([region, store]) => ({ region, store, bytesPerSecond: 256 * 1024 })),
      signal: controller.signal,
      onProgress: (region, progress) => {
        if (!events.has(region)) events.set(region, []);
        events.get(region)?.push(progress);
        if (progress.status === 'copying' && progress.bytesDone > 0) controller.abort();
      },
    }),
    (error: VmarketError) => error instanceof VmarketError && error.code === 'CANCELED',
  );
  assert.equal(await regions.westeurope.has(file.sha256), false);
  assert.deepEqual(await listFiles(join(dir, 'westeurope')), []);
  assert.equal(await regions.eastus.size(file.sha256), null);
  for (const region of Object.keys(regions)) assert.equal(events.get(region)?.at(-1)?.status, 'canceled', region);
});

test('removeObject deletes completed copies and says where it removed one', async (t) => {
  const dir = await tempDir(t);
  const file = await randomFile(dir, 'disk.img', 1000);
  const a = new FsBlobStore(join(dir, 'a'));
  const b = new FsBlobStore(join(dir, 'b'));
  await a.putFile(file.path, file.sha256);
  const results = await removeObject(
    [
      { region: 'a', store: a },
      { region: 'b', store: b },
    ],
    file.sha256,
  );
  assert.deepEqual(results, [
    { region: 'a', removed: true },
    { region: 'b', removed: false },
  ]);
  assert.equal(await a.has(file.sha256), false);
});

test('back-off doubles from the base, caps at 30 s, and jitters between half and all', () => {
  assert.equal(backoffDelay(1, 500, () => 0.999999) < 500, true);
  assert.equal(backoffDelay(1, 500, () => 0), 250);
  assert.equal(backoffDelay(3, 500, () => 0), 1000);
  assert.equal(backoffDelay(20, 500, () => 0), 15_000);
  for (let retry = 1; retry < 30; retry++) {
    const delay = backoffDelay(retry);
    assert.ok(delay >= Math.min(30_000, 500 * 2 ** (retry - 1)) / 2 && delay <= 30_000);
  }
});
