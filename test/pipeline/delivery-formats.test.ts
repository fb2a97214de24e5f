/**
 * Regions serving the disk format their cloud wants (issue 10, `regions[].format`), through the
 * real server, the embedded database and file-system regions: a publication to live lists per
 * region the format, SHA-256, size and location of the file it serves, with one virtual-disk
 * SHA-256 for all; the stored files are what qemu-img says and what vmarket's own virtual-disk
 * layer reads; a republication of the same bytes converts and copies nothing; a cancel during a
 * conversion stops qemu-img and leaves nothing staged; without qemu-img provisioning fails with
 * one clear error naming the tool and its Debian package.
 */
import assert from 'node:assert/strict';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { virtualDiskSha256 } from '../../src/certification/disk/virtual-hash.ts';
import type { ImageFormat } from '../../src/certification/types.ts';
import { baseLinuxTree, buildImage } from '../fixtures/images.ts';
import { qemuImg } from '../fixtures/qemu.ts';
import { listFiles, scratchDir } from '../helpers/files.ts';
import { configuredRegionDir, regionCopyPath } from '../helpers/locations.ts';
import { offerDocument, step, waitForStatus } from '../helpers/offers.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { sha256File } from '../helpers/streams.ts';
import { needs } from '../helpers/tools.ts';

const REGIONS = [
  { name: 'eastus', format: 'vhd-fixed' },
  { name: 'westus', format: 'raw' },
  { name: 'northeu', format: 'source' },
] as const;
const SIZE_MIB = 32;
/** qemu-img's driver for each of vmarket's format names (a fixed VHD is only told apart when asked as vpc). */
const DRIVER: Record<string, string> = { raw: 'raw', qcow2: 'qcow2', 'vhd-fixed': 'vpc', vhdx: 'vhdx', vmdk: 'vmdk' };

function regionConfig(extra: Record<string, unknown> = {}) {
  return {
    regions: REGIONS.map((r) => ({ name: r.name, format: r.format, storage: { type: 'fs', path: `data/regions/${r.name}` } })),
    ...extra,
  } as never;
}

/** PUT + publish + sign-off; answers the final status document. */
async function publishToLive(server: TestServer, token: string, offer: string, image: string, version: string): Promise<any> {
  const base = `/api/v1/publishers/contoso/offers/${offer}`;
  const regions = REGIONS.map((r) => r.name);
  const put = await server.api('PUT', base, { token, body: offerDocument({ id: offer, publisher: 'contoso', osDisk: image, regions, version }) });
  assert.ok([200, 201].includes(put.status), JSON.stringify(put.body));
  const published = await server.api('POST', `${base}/publish`, { token, body: { notifyEmails: [] } });
  assert.equal(published.status, 202, JSON.stringify(published.body));
  await waitForStatus(server.api, token, 'contoso', offer, (d) => d.status === 'waitingForPublisherReview');
  assert.equal((await server.api('POST', `${base}/golive`, { token })).status, 202);
  return waitForStatus(server.api, token, 'contoso', offer, (d) => d.status === 'succeeded');
}

/** Publishes up to sign-off, cancels there; answers the preview package the canceled version had. */
async function cancelAtSignoff(server: TestServer, token: string, offer: string, image: string, version: string): Promise<any> {
  const base = `/api/v1/publishers/contoso/offers/${offer}`;
  const regions = REGIONS.map((r) => r.name);
  const put = await server.api('PUT', base, { token, body: offerDocument({ id: offer, publisher: 'contoso', osDisk: image, regions, version }) });
  assert.ok([200, 201].includes(put.status), JSON.stringify(put.body));
  assert.equal((await server.api('POST', `${base}/publish`, { token, body: { notifyEmails: [] } })).status, 202);
  await waitForStatus(server.api, token, 'contoso', offer, (d) => d.status === 'waitingForPublisherReview');
  const row = await server.ctx.db.kysely.selectFrom('offers').select('preview').where('id', '=', offer).executeTakeFirstOrThrow();
  assert.equal((await server.api('POST', `${base}/cancel`, { token })).status, 202);
  await waitForStatus(server.api, token, 'contoso', offer, (d) => d.status === 'canceled');
  return (row.preview as any).packages.standard.package;
}

async function livePackage(server: TestServer, offer: string): Promise<any> {
  const row = await server.ctx.db.kysely.selectFrom('offers').select('live').where('id', '=', offer).executeTakeFirstOrThrow();
  return (row.live as any).packages.standard.package;
}

const texts = (doc: any, id: string): string[] => step(doc, id).messages.map((m: any) => m.text);

/** The whole flow for one source format: the package, the stored files, then a republication. */
async function deliversEveryFormat(server: TestServer, token: string, sourceFormat: 'raw' | 'qcow2' | 'vhd-fixed'): Promise<void> {
  const offer = `formats-${sourceFormat}`;
  const image = path.join(server.importDirOf('contoso'), `${offer}.${sourceFormat === 'vhd-fixed' ? 'vhd' : sourceFormat}`);
  await buildImage({ ...baseLinuxTree(), output: image, format: sourceFormat, sizeMiB: SIZE_MIB });
  const sourceSha = await sha256File(image);
  const virtual = await virtualDiskSha256(image, { declared: { format: sourceFormat } });

  const done = await publishToLive(server, token, offer, image, '1.0.0');
  const provision = texts(done, 'provision');
  for (const r of REGIONS.filter((x) => x.format !== 'source' && x.format !== sourceFormat)) {
    assert.ok(provision.includes(`converting os disk to ${r.format} for ${r.name}`), JSON.stringify(provision));
    assert.ok(provision.some((t) => t.startsWith(`os disk: converted to ${r.format} (`) && t.endsWith('virtual disk verified.')), JSON.stringify(provision));
  }

  const pkg = await livePackage(server, offer);
  const [disk] = pkg.images;
  assert.equal(disk.sha256, sourceSha);
  assert.equal(disk.format, sourceFormat);
  assert.equal(disk.virtualSha256, virtual.sha256);
  assert.deepEqual(Object.keys(disk.copies).sort(), REGIONS.map((r) => r.name).sort());
  const servesSource = REGIONS.filter((r) => r.format === 'source' || r.format === sourceFormat).map((r) => r.name);
  assert.deepEqual(Object.keys(disk.locations).sort(), servesSource.sort(), 'locations: only regions holding the certified bytes');

  const regionDir = configuredRegionDir(server);
  for (const r of REGIONS) {
    const copy = disk.copies[r.name];
    const format = r.format === 'source' ? sourceFormat : r.format;
    assert.equal(copy.format, format, r.name);
    assert.equal(copy.virtualSha256, virtual.sha256, `${r.name}: one virtual disk in every format`);
    const file = regionCopyPath(regionDir, copy.location);
    assert.equal(await sha256File(file), copy.sha256, `${r.name}: the stored file is the one the package names`);
    assert.equal((await stat(file)).size, copy.size, r.name);
    if (servesSource.includes(r.name)) assert.equal(copy.sha256, sourceSha, `${r.name}: the certified bytes`);
    else assert.notEqual(copy.sha256, sourceSha, `${r.name}: a converted file`);
    // a VHD as sized by its footer (QEMU's default guesses from the CHS geometry for other creators' VHDs)
    const opened = DRIVER[format] === 'vpc' ? ['--image-opts', `driver=vpc,force_size_calc=current_size,file.filename=${file}`] : ['-f', DRIVER[format], file];
    const info = JSON.parse(await qemuImg(['info', '--output=json', ...opened]));
    assert.equal(info.format, DRIVER[format], r.name);
    assert.equal(info['virtual-size'], virtual.virtualSize, `${r.name}: the certified virtual size`);
    assert.equal((await virtualDiskSha256(file, { declared: { format: format as ImageFormat } })).sha256, virtual.sha256, `${r.name}: read back through the layer`);
  }

  // The same bytes as a new version: nothing converted, nothing copied, the same files served.
  const again = await publishToLive(server, token, offer, image, '1.0.1');
  assert.ok(!texts(again, 'provision').some((t) => t.startsWith('converting')), JSON.stringify(texts(again, 'provision')));
  assert.ok(texts(again, 'provision').some((t) => t.startsWith('Provisioned 1 image(s) (0 B copied)')), JSON.stringify(texts(again, 'provision')));
  assert.ok(texts(again, 'deploy').some((t) => t.endsWith('(0 B copied).')), JSON.stringify(texts(again, 'deploy')));
  const republished = await livePackage(server, offer);
  assert.equal(republished.version, '1.0.1');
  assert.deepEqual(republished.images[0].copies, disk.copies);
}

describe('delivery formats', { skip: needs('qemu-img') }, () => {
  let server: TestServer;
  let token: string;

  before(async () => {
    server = await startTestServer({ config: regionConfig() });
    token = await server.createPublisher('contoso');
  });
  after(() => server?.close());

  test('a raw source: eastus gets a fixed VHD, westus and northeu the certified bytes; republished, nothing is converted or copied', async () => {
    await deliversEveryFormat(server, token, 'raw');
  });

  test('a fixed-VHD source: westus gets raw, eastus and northeu the certified bytes', async () => {
    await deliversEveryFormat(server, token, 'vhd-fixed');
  });

  test('a canceled publication removes its conversions, never those a live slot serves', async () => {
    // the raw offer above is live; the same bytes again, canceled at sign-off, reuse its conversion
    const live = await livePackage(server, 'formats-raw');
    const image = path.join(server.importDirOf('contoso'), 'formats-raw.raw');
    await cancelAtSignoff(server, token, 'formats-raw', image, '1.0.2');
    const regionDir = configuredRegionDir(server);
    for (const [region, copy] of Object.entries(live.images[0].copies) as [string, any][]) {
      assert.equal(await sha256File(regionCopyPath(regionDir, copy.location)), copy.sha256, `${region}: the live file stays`);
      assert.ok(await server.ctx.primary.has(copy.sha256, copy.size), `${region}: its primary object stays`);
    }

    // new bytes, canceled at sign-off: the conversion made for it goes from every store
    const fresh = path.join(server.importDirOf('contoso'), 'formats-fresh.raw');
    await buildImage({ ...baseLinuxTree(), output: fresh, format: 'raw', sizeMiB: SIZE_MIB });
    const preview = await cancelAtSignoff(server, token, 'formats-fresh', fresh, '1.0.0');
    const converted = preview.images[0].copies.eastus;
    assert.equal(converted.format, 'vhd-fixed');
    assert.equal(await server.ctx.primary.has(converted.sha256), false, 'the conversion left the primary store');
    assert.equal(await stat(regionCopyPath(regionDir, converted.location)).catch(() => null), null, 'and the preview region');
  });

  test('a qcow2 source: eastus gets a fixed VHD, westus raw, northeu the qcow2 file', async () => {
    await deliversEveryFormat(server, token, 'qcow2');
  });
});

describe('delivery formats: cancel and a missing qemu-img', { skip: needs('qemu-img') }, () => {
  const scratch = scratchDir('vmarket-delivery-');

  test('a cancel during a conversion stops qemu-img and leaves nothing staged', async () => {
    let server: TestServer | undefined;
    try {
      const pidFile = path.join(scratch(), 'qemu-img.pid');
      const slow = path.join(scratch(), 'slow-qemu-img');
      // the real qemu-img, rate-limited so the cancel lands while it converts; its pid recorded
      await writeFile(slow, `#!/bin/sh\necho $$ > '${pidFile}'\nshift\nexec qemu-img convert -r 64k "$@"\n`);
      await chmod(slow, 0o755);
      server = await startTestServer({ config: regionConfig({ conversion: { qemuImg: slow } }) });
      const token = await server.createPublisher('contoso');
      const offer = 'formats-cancel';
      const base = `/api/v1/publishers/contoso/offers/${offer}`;
      const image = path.join(server.importDirOf('contoso'), `${offer}.raw`);
      await buildImage({ ...baseLinuxTree(), output: image, format: 'raw', sizeMiB: SIZE_MIB });
      const put = await server.api('PUT', base, { token, body: offerDocument({ id: offer, publisher: 'contoso', osDisk: image, regions: ['eastus', 'westus'] }) });
      assert.equal(put.status, 201, JSON.stringify(put.body));
      assert.equal((await server.api('POST', `${base}/publish`, { token, body: { notifyEmails: [] } })).status, 202);
      await waitForStatus(server.api, token, 'contoso', offer, (d) => texts(d, 'provision').includes('converting os disk to vhd-fixed for eastus'));
      const pid = await waitForPid(pidFile);
      assert.doesNotThrow(() => process.kill(pid, 0), 'qemu-img runs');
      assert.equal((await server.api('POST', `${base}/cancel`, { token })).status, 202);
      const canceled = await waitForStatus(server.api, token, 'contoso', offer, (d) => d.status === 'canceled');
      assert.equal(step(canceled, 'provision').status, 'canceled');
      assert.throws(() => process.kill(pid, 0), (e: any) => e.code === 'ESRCH', 'qemu-img was stopped');
      // the staging goes right after the operation is marked canceled
      const staged = () => listFiles(path.join(server!.dataDir, 'staging'), { missingIsEmpty: true });
      for (let i = 0; i < 100 && (await staged()).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(await staged(), [], 'nothing staged');
      assert.equal((await server.ctx.db.kysely.selectFrom('disk_conversions').selectAll().execute()).length, 0, 'no conversion recorded');
    } finally {
      await server?.close();
    }
  });

  test('without qemu-img (PATH lacks it) provisioning fails with one clear error naming the tool and qemu-utils', async () => {
    const path0 = process.env.PATH;
    let server: TestServer | undefined;
    try {
      // the server's environment is taken when it starts: only it runs without qemu-img
      process.env.PATH = '/nonexistent';
      server = await startTestServer({ config: regionConfig() }).finally(() => (process.env.PATH = path0));
      assert.ok(server.ctx.config.warnings.some((w) => /eastus \(vhd-fixed\)/.test(w) && /qemu-utils/.test(w)), JSON.stringify(server.ctx.config.warnings));
      const token = await server.createPublisher('contoso');
      const offer = 'formats-no-tool';
      const base = `/api/v1/publishers/contoso/offers/${offer}`;
      const image = path.join(server.importDirOf('contoso'), `${offer}.raw`);
      await buildImage({ ...baseLinuxTree(), output: image, format: 'raw', sizeMiB: SIZE_MIB });
      assert.equal((await server.api('PUT', base, { token, body: offerDocument({ id: offer, publisher: 'contoso', osDisk: image, regions: ['eastus'] }) })).status, 201);
      assert.equal((await server.api('POST', `${base}/publish`, { token, body: { notifyEmails: [] } })).status, 202);
      const failed = await waitForStatus(server.api, token, 'contoso', offer, (d) => d.status === 'failed');
      assert.equal(step(failed, 'provision').status, 'blocked');
      const errors = step(failed, 'provision').messages.filter((m: any) => m.level === 'error').map((m: any) => m.text);
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.match(errors[0], /needs qemu-img, which is not installed/);
      assert.match(errors[0], /Debian package qemu-utils/);
    } finally {
      process.env.PATH = path0;
      await server?.close();
    }
  });
});

async function waitForPid(file: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (pid > 0) return pid;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail('qemu-img never started');
}
