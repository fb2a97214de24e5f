/**
 * Certify-then-swap (issue 9, finding 2): a publisher who can write to the import directory must
 * not get bytes published other than the ones certified. Over a real server with real images: the
 * source is renamed over, swapped for a symlink or a FIFO after certification, and the stores must
 * hold exactly the certified bytes; a FIFO read by the first step fails clearly instead of hanging;
 * staged content is shared between operations and removed when they end; reports and step
 * messages show the source as the publisher wrote it, never a server path.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PipelineStep } from '../../src/pipeline/steps/context.ts';
import { PIPELINE_STEPS } from '../../src/pipeline/steps/index.ts';
import { openRegularFile, sweepStaging } from '../../src/pipeline/image-files.ts';
import { getCertificationReport, reviewCertification } from '../../src/pipeline/service.ts';
import { baseLinuxTree, buildImage } from '../fixtures/images.ts';
import { offerDocument, step, waitForStatus } from '../helpers/offers.ts';
import { hasOpenssl, startHttpsReceiver, type HttpsReceiver } from '../helpers/receivers.ts';
import { startTestServer } from '../helpers/server.ts';
import { sha256File } from '../helpers/streams.ts';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

const TEST_DRIVE = { enabled: true, regions: ['westeurope'], hotInstances: 1, durationHours: 2, userManualUrl: 'https://example.com/manual' };

/** Every file under `dir` (relative paths), none when it does not exist. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => !e.isDirectory()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

/** Polls `check` for at most 10 s (clean-up after an operation ends runs after its status changed). */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(50)) if (await check()) return;
  assert.fail(`timed out: ${what}`);
}

describe('certify-then-swap: later steps read only the staged, certified bytes', () => {
  let server: TestServer;
  let token: string;
  let benign: string;
  let benignSha: string;
  let malicious: string;
  let maliciousSha: string;
  before(async () => {
    server = await startTestServer({ config: { certification: { manualReview: true } } });
    token = await server.createPublisher('contoso');
    benign = path.join(server.root, 'benign.vhd');
    malicious = path.join(server.root, 'malicious.vhd');
    await buildImage({ ...baseLinuxTree(), output: benign });
    const tree = baseLinuxTree();
    await buildImage({ ...tree, files: [...tree.files, { path: '/usr/local/bin/backdoor', content: '#!/bin/sh\nnc -l 4444 -e /bin/sh\n', mode: 0o755 }], output: malicious });
    benignSha = await sha256File(benign);
    maliciousSha = await sha256File(malicious);
    assert.notEqual(benignSha, maliciousSha);
  });
  after(async () => server?.close());

  /** Publishes `offerId` with the import file `name` (a copy of the benign image) and waits for the operator's review. */
  async function publishAndWaitForReview(offerId: string, name: string, testDrive = false): Promise<void> {
    await copyFile(benign, path.join(server.importDirOf('contoso'), name));
    const base = `/api/v1/publishers/contoso/offers/${offerId}`;
    // relative: the publisher names the file inside the import directory, not the server's path
    const doc = offerDocument({ id: offerId, publisher: 'contoso', osDisk: name, regions: ['westeurope'], ...(testDrive ? { testDrive: TEST_DRIVE } : {}) });
    const put = await server.api('PUT', base, { token, body: doc });
    assert.equal(put.status, 201, JSON.stringify(put.body));
    assert.equal((await server.api('POST', `${base}/publish`, { token })).status, 202);
    await waitForStatus(server.api, token, 'contoso', offerId, (d) => step(d, 'certify').status === 'waitingForApproval');
  }

  async function approveAndWaitForSignoff(offerId: string): Promise<any> {
    await reviewCertification(server.ctx, 'contoso', offerId, { decision: 'approve', actor: 'operator' });
    return waitForStatus(server.api, token, 'contoso', offerId, (d) => d.status === 'waitingForPublisherReview');
  }

  /** The primary store and the region hold the certified bytes and never the swapped-in ones. */
  async function assertOnlyCertifiedStored(): Promise<void> {
    const westeurope = server.ctx.regions.get('westeurope')!.store;
    assert.equal(await server.ctx.primary.has(benignSha), true, 'the certified image is in the primary store');
    assert.equal(await westeurope.has(benignSha), true, 'the certified image is in the preview region');
    assert.equal(await server.ctx.primary.has(maliciousSha), false, 'the swapped-in image is not in the primary store');
    assert.equal(await westeurope.has(maliciousSha), false, 'the swapped-in image is not in the region');
  }

  test('a different image renamed over the source after certification: the certified bytes are provisioned', async () => {
    await publishAndWaitForReview('swap-rename', 'swap-rename.vhd', true);
    const report: any = await getCertificationReport(server.ctx, 'contoso', 'swap-rename');
    assert.equal(report.images[0].sha256, benignSha, 'certification read the benign image');
    const swapped = path.join(server.importDirOf('contoso'), 'swap-rename.vhd.new');
    await copyFile(malicious, swapped);
    await rename(swapped, path.join(server.importDirOf('contoso'), 'swap-rename.vhd'));

    const doc = await approveAndWaitForSignoff('swap-rename');
    assert.equal(step(doc, 'provision').status, 'complete');
    await assertOnlyCertifiedStored();
    const op = await server.ctx.db.kysely.selectFrom('operations').select('artifacts').where('offer_id', '=', 'swap-rename').executeTakeFirstOrThrow();
    const artifacts = op.artifacts as Record<string, any>;
    assert.equal(artifacts['test-drive'].sha256, benignSha, 'the test drive replicated the certified bytes');
    assert.equal(artifacts.certify.images['swap-rename.vhd'].sha256, benignSha);
  });

  test('a symlink to a file outside the import directory swapped in after certification: the certified bytes are provisioned', async () => {
    await publishAndWaitForReview('swap-link', 'swap-link.vhd');
    const outside = path.join(server.root, 'outside.vhd');
    await copyFile(malicious, outside);
    await rm(path.join(server.importDirOf('contoso'), 'swap-link.vhd'));
    await symlink(outside, path.join(server.importDirOf('contoso'), 'swap-link.vhd'));
    const doc = await approveAndWaitForSignoff('swap-link');
    assert.equal(step(doc, 'provision').status, 'complete');
    await assertOnlyCertifiedStored();
  });

  test('a FIFO swapped in after certification does not stall provisioning', async () => {
    await publishAndWaitForReview('swap-fifo', 'swap-fifo.vhd');
    await rm(path.join(server.importDirOf('contoso'), 'swap-fifo.vhd'));
    execFileSync('mkfifo', [path.join(server.importDirOf('contoso'), 'swap-fifo.vhd')]);
    // bounded: before staging, provisioning opened the FIFO and waited for a writer forever
    const doc = await approveAndWaitForSignoff('swap-fifo');
    assert.equal(step(doc, 'provision').status, 'complete');
    await assertOnlyCertifiedStored();
  });

  test('a worker lacking the staged copy stages the source again: the same bytes pass, changed bytes fail clearly', async () => {
    const operationOf = async (offerId: string) =>
      (await server.ctx.db.kysely.selectFrom('operations').select('id').where('offer_id', '=', offerId).executeTakeFirstOrThrow()).id;
    const forget = async (offerId: string) => rm(path.join(server.dataDir, 'staging', 'operations', await operationOf(offerId)), { recursive: true });

    // another machine of a scale-out: this operation's staged copy is not here
    await publishAndWaitForReview('restage-same', 'restage-same.vhd');
    await forget('restage-same');
    const same = await approveAndWaitForSignoff('restage-same');
    assert.equal(step(same, 'provision').status, 'complete');

    await publishAndWaitForReview('restage-changed', 'restage-changed.vhd');
    await forget('restage-changed');
    await copyFile(malicious, path.join(server.importDirOf('contoso'), 'restage-changed.vhd'));
    await reviewCertification(server.ctx, 'contoso', 'restage-changed', { decision: 'approve', actor: 'operator' });
    const failed = await waitForStatus(server.api, token, 'contoso', 'restage-changed', (d) => d.status === 'failed');
    const messages = step(failed, 'provision').messages.map((m: any) => m.text);
    assert.ok(messages.some((m: string) => m.includes('The image restage-changed.vhd changed since it was certified')), JSON.stringify(messages));
    await assertOnlyCertifiedStored();
  });

  test('the report and the step messages name the source as written, never the data or import directory', async () => {
    for (const offerId of ['swap-rename', 'swap-link', 'swap-fifo']) {
      const report = await server.api('GET', `/api/v1/publishers/contoso/offers/${offerId}/certification`, { token });
      assert.equal(report.status, 200);
      assert.equal(report.body.images[0].path, `${offerId}.vhd`);
      const status = await server.api('GET', `/api/v1/publishers/contoso/offers/${offerId}/status`, { token });
      for (const json of [JSON.stringify(report.body), JSON.stringify(status.body)]) {
        assert.ok(!json.includes(server.dataDir), `no data directory path in ${json.slice(0, 200)}`);
        assert.ok(!json.includes(server.importDir), `no import directory path in ${json.slice(0, 200)}`);
        assert.ok(!json.includes('/staging/'), 'no staging path');
      }
    }
  });

  test('operations with the same content share one staged copy; it is removed when the last one ends (cancel, reject, success)', async () => {
    const staging = path.join(server.dataDir, 'staging');
    const shared = path.join(staging, 'sha256', benignSha);
    const links = async () => (await lstat(shared).catch(() => undefined))?.nlink ?? 0;
    // the earlier tests' operations wait for sign-off and still link the same content
    const before = (await links()) || 1;
    await publishAndWaitForReview('share-a', 'share-a.vhd');
    await publishAndWaitForReview('share-b', 'share-b.vhd');
    await publishAndWaitForReview('share-c', 'share-c.vhd');
    assert.equal(await links(), before + 3, 'one content, linked once more by each operation');
    assert.deepEqual(await filesUnder(path.join(staging, 'sha256')), [benignSha], 'staged once, by its hash');
    const mode = (await stat(shared)).mode & 0o777;
    assert.equal(mode, 0o600, `staged file mode ${mode.toString(8)}`);
    assert.equal((await stat(staging)).mode & 0o777, 0o700);

    // canceled: its link goes, the others keep the content
    assert.equal((await server.api('POST', '/api/v1/publishers/contoso/offers/share-a/cancel', { token })).status, 202);
    await waitForStatus(server.api, token, 'contoso', 'share-a', (d) => d.status === 'canceled');
    assert.equal(await links(), before + 2);

    // failed (the operator rejects): its link goes too
    await reviewCertification(server.ctx, 'contoso', 'share-b', { decision: 'reject', feedback: 'No.', actor: 'operator' });
    await waitForStatus(server.api, token, 'contoso', 'share-b', (d) => d.status === 'failed');
    assert.equal(await links(), before + 1);

    // succeeded: the last user ends, nothing stays staged
    await approveAndWaitForSignoff('share-c');
    assert.equal((await server.api('POST', '/api/v1/publishers/contoso/offers/share-c/golive', { token })).status, 202);
    await waitForStatus(server.api, token, 'contoso', 'share-c', (d) => d.status === 'succeeded');
    // the clean-up runs right after the operation's last transaction commits
    await until(async () => (await links()) === before, 'the succeeded operation dropped its link');
    const ops = await server.ctx.db.kysely.selectFrom('operations').select(['id', 'offer_id']).execute();
    const ended = ops.filter((o) => o.offer_id.startsWith('share-')).map((o) => o.id);
    for (const id of ended) assert.deepEqual(await filesUnder(path.join(staging, 'operations', id)), [], `${id} holds nothing`);
    assert.deepEqual(await filesUnder(path.join(staging, 'incoming')), [], 'no unfinished copies');

    // what a worker that died as an operation ended leaves behind is swept; an active operation's is kept
    const active = (await server.ctx.db.kysely.selectFrom('operations').select('id').where('offer_id', '=', 'swap-rename').executeTakeFirstOrThrow()).id;
    const activeHeld = await filesUnder(path.join(staging, 'operations', active));
    assert.ok(activeHeld.length > 0, 'the active operation holds its staged copy');
    const leftover = path.join(staging, 'operations', ended[0]);
    await mkdir(leftover, { recursive: true });
    await copyFile(benign, path.join(leftover, benignSha));
    await writeFile(path.join(staging, 'incoming', `${ended[1]}.0123abcd`), 'half a copy');
    await writeFile(path.join(staging, 'incoming', 'no-such-operation.0123abcd'), 'half a copy');
    // (the workers' own sweep, every second here, may get there first: then this one finds less)
    const swept = await sweepStaging(server.ctx);
    for (const id of swept) assert.ok([ended[0], ended[1], 'no-such-operation'].includes(id), `swept only ended operations, not ${id}`);
    assert.deepEqual(await filesUnder(path.join(staging, 'incoming')), [], 'no unfinished copies left');
    assert.deepEqual(await filesUnder(leftover), []);
    assert.deepEqual(await filesUnder(path.join(staging, 'operations', active)), activeHeld, 'the active operation keeps its copy');
    assert.deepEqual(await sweepStaging(server.ctx), [], 'a second sweep finds nothing');

    for (const offerId of ['swap-rename', 'swap-link', 'swap-fifo', 'restage-same']) {
      assert.equal((await server.api('POST', `/api/v1/publishers/contoso/offers/${offerId}/cancel`, { token })).status, 202);
      await waitForStatus(server.api, token, 'contoso', offerId, (d) => d.status === 'canceled');
    }
    await until(async () => (await filesUnder(staging)).length === 0, 'every staged file is gone once every operation ended');
  });
});

describe('a FIFO as the source of the first step that reads it', () => {
  let server: TestServer;
  let fifo: string;
  // between validation (which refuses a FIFO) and the test drive, the publisher swaps a FIFO in
  const swapInFifo: PipelineStep = {
    id: 'swap-in-fifo',
    name: { en: 'Swap in a FIFO', de: 'FIFO einsetzen' },
    description: { en: 'The attack.', de: 'Der Angriff.' },
    queue: 'pipeline',
    expectedMaxSeconds: 60,
    async run() {
      await rm(fifo);
      execFileSync('mkfifo', [fifo]);
      return { status: 'complete' };
    },
  };
  before(async () => {
    server = await startTestServer({ steps: [PIPELINE_STEPS[0], swapInFifo, ...PIPELINE_STEPS.slice(1)] });
    fifo = path.join(server.importDirOf('contoso'), 'pipe.vhd');
  });
  after(async () => server?.close());

  test('the test drive fails with one clear error instead of waiting for a writer', async () => {
    const token = await server.createPublisher('contoso');
    await writeFile(fifo, 'a regular file while the offer is validated');
    const base = '/api/v1/publishers/contoso/offers/fifo';
    const doc = offerDocument({ id: 'fifo', publisher: 'contoso', osDisk: 'pipe.vhd', regions: ['westeurope'], testDrive: TEST_DRIVE });
    assert.equal((await server.api('PUT', base, { token, body: doc })).status, 201);
    assert.equal((await server.api('POST', `${base}/publish`, { token })).status, 202);
    const started = performance.now();
    const failed = await waitForStatus(server.api, token, 'contoso', 'fifo', (d) => d.status === 'failed', 30_000);
    console.log(`# FIFO source refused ${Math.round(performance.now() - started)} ms after publishing`);
    const messages = step(failed, 'test-drive').messages.map((m: any) => m.text);
    // confineImportPath refuses it first, with the one text every unusable import path gets (finding 7)
    assert.ok(messages.some((m: string) => /pipe\.vhd (is not a regular file|cannot be imported)/.test(m)), JSON.stringify(messages));
    assert.ok(!JSON.stringify(failed).includes(server.importDir), 'no server path in the status');
  });
});

describe('an https source', () => {
  let server: TestServer;
  let receiver: HttpsReceiver;
  let imageSha: string;
  before(async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'vmarket-staging-url-'));
    const image = path.join(root, 'served.vhd');
    await buildImage({ ...baseLinuxTree(), output: image });
    imageSha = await sha256File(image);
    receiver = await startHttpsReceiver([200], await readFile(image));
    await rm(root, { recursive: true, force: true });
    const prefix = receiver.url.replace('/hook', '/');
    server = await startTestServer({
      config: { allowPrivateNetworks: true, trustedCaFiles: [receiver.caFile], imports: { allowedDirs: [], allowedUrlPrefixes: [prefix] } },
    });
  });
  after(async () => {
    await server?.close();
    await receiver?.close();
  });

  test('is downloaded once into staging, read by every step, named by its URL in the report, removed at the end', async (t) => {
    if (!(await hasOpenssl())) return t.skip('openssl not installed');
    const token = await server.createPublisher('contoso');
    const base = '/api/v1/publishers/contoso/offers/from-url';
    const doc = offerDocument({ id: 'from-url', publisher: 'contoso', osDisk: receiver.url, regions: ['westeurope'], testDrive: TEST_DRIVE });
    assert.equal((await server.api('PUT', base, { token, body: doc })).status, 201);
    assert.equal((await server.api('POST', `${base}/publish`, { token })).status, 202);
    const waiting = await waitForStatus(server.api, token, 'contoso', 'from-url', (d) => d.status === 'waitingForPublisherReview');
    assert.equal(receiver.requests.length, 1, 'test drive, certification and provisioning read one download');
    assert.deepEqual(await filesUnder(path.join(server.dataDir, 'staging', 'sha256')), [imageSha]);
    const report = await server.api('GET', `${base}/certification`, { token });
    assert.equal(report.body.images[0].path, receiver.url, 'the source as written');
    assert.equal(report.body.images[0].sha256, imageSha);
    for (const json of [JSON.stringify(report.body), JSON.stringify(waiting)]) assert.ok(!json.includes(server.dataDir), 'no server path');
    assert.equal((await server.api('POST', `${base}/cancel`, { token })).status, 202);
    await waitForStatus(server.api, token, 'contoso', 'from-url', (d) => d.status === 'canceled');
    await until(async () => (await filesUnder(path.join(server.dataDir, 'staging'))).length === 0, 'the download is gone');
  });
});

describe('openRegularFile: one open, refusing what is not a regular file inside the import directories', () => {
  let dir: string;
  let importDir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vmarket-open-'));
    importDir = path.join(dir, 'images');
    await mkdir(path.join(importDir, 'sub'), { recursive: true });
    await writeFile(path.join(importDir, 'ok.img'), 'bytes');
    await writeFile(path.join(dir, 'secret.img'), 'outside');
    execFileSync('mkfifo', [path.join(importDir, 'fifo.img')]);
    await symlink(path.join(dir, 'secret.img'), path.join(importDir, 'link.img'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const refused = (code: string, text: RegExp) => (error: any) => error.code === code && text.test(error.message);

  test('a regular file opens', async () => {
    const handle = await openRegularFile(path.join(importDir, 'ok.img'), 'ok.img', [importDir]);
    assert.equal((await handle.readFile('utf8')), 'bytes');
    await handle.close();
  });

  test('a FIFO, a directory, a character device and a symlink at the last component are refused at once', async () => {
    await assert.rejects(openRegularFile(path.join(importDir, 'fifo.img'), 'fifo.img', [importDir]), refused('FILE_UNREADABLE', /fifo\.img is not a regular file/));
    await assert.rejects(openRegularFile(path.join(importDir, 'sub'), 'sub', [importDir]), refused('FILE_UNREADABLE', /sub is not a regular file/));
    await assert.rejects(openRegularFile('/dev/zero', 'zero', ['/dev']), refused('FILE_UNREADABLE', /zero is not a regular file/));
    await assert.rejects(openRegularFile(path.join(importDir, 'link.img'), 'link.img', [importDir]), refused('FILE_UNREADABLE', /link\.img is not a regular file/));
  });

  test('a directory component swapped for a symlink leading outside is refused', async () => {
    await rm(path.join(importDir, 'sub'), { recursive: true });
    await symlink(dir, path.join(importDir, 'sub'));
    await assert.rejects(openRegularFile(path.join(importDir, 'sub', 'secret.img'), 'sub/secret.img', [importDir]), refused('PATH_NOT_ALLOWED', /sub\/secret\.img is no longer inside/));
  });
});
