/**
 * Entitled downloads through the real server (docs/contracts.md §5 "Downloads"): one server with
 * a file-system region and an S3 region (a real s3rver on loopback), a live slot whose package
 * names a stored image in both, written as the pipeline's deploy/live steps store them (the
 * pipeline's own publishing is tested in test/pipeline/). Acquire answers signed links; a signed
 * link serves HEAD, ranges and If-Range and refuses a changed or expired link; the presigned S3
 * URL downloads the bytes; an acquisition is read back with its token (still the version acquired
 * after a newer one went live); the counts add up per plan, region and customer; `vmarket pull`
 * downloads, resumes a `.part` and refuses a tampered byte.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { DbSigningKeyStore } from '../../src/catalog/key-store.ts';
import { getOrCreateSigningKey, signPackage } from '../../src/catalog/signing.ts';
import { downloadLinkKey, signedDownloadUrl } from '../../src/catalog/download-links.ts';
import { setLiveSlot } from '../../src/offers/repository.ts';
import { customerLocation, type PlanPackage, type SlotDocument } from '../../src/pipeline/packages.ts';
import { FsBlobStore } from '../../src/storage/fs-store.ts';
import { vmarket } from '../helpers/cli.ts';
import { tempDir } from '../helpers/files.ts';
import { validOffer } from '../helpers/offers.ts';
import { startS3rver } from '../helpers/s3rver.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const OFFER = 'contoso.dlx';
const ALICE = '00000000-0000-4000-8000-00000000a11c';
const BOB = '00000000-0000-4000-8000-000000000b0b';
const SIZE = 384 * 1024;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Stores `bytes` in both regions and makes them the live version `version` of contoso.dlx (operation `operationId`). */
async function goLive(server: TestServer, dir: string, bytes: Buffer, version: string, operationId: string): Promise<string> {
  const sha = sha256(bytes);
  const file = path.join(dir, `${version}.qcow2`);
  await writeFile(file, bytes);
  const copies: Record<string, { location: string; format: string; sha256: string; size: number }> = {};
  for (const region of ['westeurope', 'eastus']) {
    const store = server.ctx.regions.get(region)!.store;
    await store.putFile(file, sha);
    copies[region] = { location: customerLocation(region, store, sha), format: 'qcow2', sha256: sha, size: bytes.length };
  }
  const pkg: PlanPackage = {
    offer: OFFER,
    plan: 'standard',
    version,
    images: [
      {
        role: 'os',
        lun: null,
        sha256: sha,
        size: bytes.length,
        format: 'qcow2',
        locations: Object.fromEntries(Object.entries(copies).map(([r, c]) => [r, c.location])),
        copies,
      },
    ],
    template: { kind: 'vmarket.vm/v1', os: {}, recommendedSizes: ['small'], openPorts: [], disks: [], parameters: {} },
  };
  const key = await getOrCreateSigningKey(new DbSigningKeyStore(server.ctx.db));
  const offer = await validOffer(server, { id: 'dlx', publisher: 'contoso' });
  const doc: SlotDocument = { operationId, version: operationId, publishedAt: new Date().toISOString(), offer: offer as never, packages: { standard: { package: pkg, ...signPackage(pkg, key) } } };
  await server.ctx.db.transaction((trx) => setLiveSlot(trx, 'contoso', 'dlx', doc as never, operationId));
  return sha;
}

test('entitled downloads: signed links, ranges, S3 presigned URLs, acquisitions, counts and vmarket pull', async (t) => {
  const s3 = await startS3rver(t);
  const tmp = await tempDir(t, 'vmarket-downloads-');
  const server = await startTestServer({
    config: {
      regions: [
        { name: 'westeurope', storage: { type: 'fs', path: path.join(tmp, 'westeurope') }, bandwidthBytesPerSecond: 0 },
        {
          name: 'eastus',
          storage: { type: 's3', endpoint: s3.endpoint, bucket: 'eastus', region: 'us-east-1', forcePathStyle: true, prefix: '', ...s3.credentials },
          bandwidthBytesPerSecond: 0,
        },
      ],
    },
  });
  t.after(() => server.close());
  const token = await server.createPublisher('contoso');
  const put = await server.api('PUT', '/api/v1/publishers/contoso/offers/dlx', { token, body: await validOffer(server, { id: 'dlx', publisher: 'contoso' }) });
  assert.ok([200, 201].includes(put.status), JSON.stringify(put.body));
  const bytes = randomBytes(SIZE);
  const sha = await goLive(server, tmp, bytes, '1.0.0', 'op-dl-1');

  const acquire = async (subscriptionId: string) => {
    const res = await server.api('POST', `/api/v1/catalog/offers/${OFFER}/acquire`, {
      body: { subscriptionId, plan: 'standard', contact: { name: 'Alice', email: 'alice@example.com' } },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  const counts = async () => (await server.api('GET', '/api/v1/publishers/contoso/offers/dlx/downloads', { token })).body;
  const countOf = (body: any, region: string, subscriptionId: string) => body.counts.find((c: any) => c.region === region && c.subscriptionId === subscriptionId);

  const acquired = await acquire(ALICE);
  const fsLink = acquired.downloads.find((d: any) => d.region === 'westeurope');
  const s3Link = acquired.downloads.find((d: any) => d.region === 'eastus');

  await t.test('acquire answers the acquisition and a link per image and region', () => {
    assert.equal(acquired.package.version, '1.0.0', 'the package is still answered as before');
    assert.match(acquired.acquisition.token, /^vmk_/);
    assert.equal(acquired.downloads.length, 2);
    for (const link of acquired.downloads) {
      assert.deepEqual({ role: link.role, lun: link.lun, format: link.format, sha256: link.sha256, size: link.size }, { role: 'os', lun: null, format: 'qcow2', sha256: sha, size: SIZE });
      assert.equal(link.expiresAt, acquired.acquisition.expiresAt);
    }
    const ttl = Date.parse(acquired.acquisition.expiresAt) - Date.now();
    assert.ok(ttl > 3500_000 && ttl <= 3600_000, `links expire after downloads.urlTtlSeconds (1 h): ${ttl} ms`);
    assert.ok(fsLink.url.startsWith(`${server.url}/api/v1/downloads/westeurope/${sha}/contoso.dlx-standard-1.0.0-os.qcow2?`), fsLink.url);
    assert.ok(s3Link.url.startsWith(`${s3.endpoint}/eastus/sha256/${sha.slice(0, 2)}/${sha}?`), s3Link.url);
    assert.match(s3Link.url, /X-Amz-Signature=/);
  });

  await t.test('a signed link answers HEAD with ETag, Content-Length and Accept-Ranges, and GET the file', async () => {
    const head = await fetch(fsLink.url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('etag'), `"${sha}"`);
    assert.equal(head.headers.get('content-length'), String(SIZE));
    assert.equal(head.headers.get('accept-ranges'), 'bytes');
    assert.match(head.headers.get('content-disposition') ?? '', /filename="contoso\.dlx-standard-1\.0\.0-os\.qcow2"/);
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    const get = await fetch(fsLink.url);
    assert.equal(get.status, 200);
    assert.equal(sha256(new Uint8Array(await get.arrayBuffer())), sha);
  });

  await t.test('a download resumed mid-way (Range + If-Range) gives the right bytes; a changed ETag gets the whole file; past the end is 416', async () => {
    const middle = 123_457;
    const first = Buffer.from(await (await fetch(fsLink.url, { headers: { range: `bytes=0-${middle - 1}` } })).arrayBuffer());
    assert.equal(first.length, middle);
    const rest = await fetch(fsLink.url, { headers: { range: `bytes=${middle}-`, 'if-range': `"${sha}"` } });
    assert.equal(rest.status, 206);
    assert.equal(rest.headers.get('content-range'), `bytes ${middle}-${SIZE - 1}/${SIZE}`);
    assert.equal(rest.headers.get('content-length'), String(SIZE - middle));
    assert.equal(sha256(Buffer.concat([first, Buffer.from(await rest.arrayBuffer())])), sha, 'the two pieces are the file');

    const stale = await fetch(fsLink.url, { headers: { range: `bytes=${middle}-`, 'if-range': '"another-file"' } });
    assert.equal(stale.status, 200, 'If-Range with another ETag: the whole file, not a piece to splice');
    assert.equal((await stale.arrayBuffer()).byteLength, SIZE);

    const beyond = await fetch(fsLink.url, { headers: { range: `bytes=${SIZE}-` } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), `bytes */${SIZE}`);
    await beyond.arrayBuffer();
  });

  await t.test('a changed or expired link is refused with 403 and one sentence', async () => {
    const url = new URL(fsLink.url);
    const other = sha256(Buffer.from('another object'));
    const changed = [
      fsLink.url.replace(sha, other),
      fsLink.url.replace(`expires=${url.searchParams.get('expires')}`, `expires=${Number(url.searchParams.get('expires')) + 3600}`),
      fsLink.url.replace(/signature=[^&]+/, 'signature=AAAA'),
      fsLink.url.replace(`acquisition=${acquired.acquisition.id}`, 'acquisition=someone-else'),
    ];
    for (const link of changed) {
      const res = await fetch(link);
      assert.equal(res.status, 403, link);
      const body = (await res.json()) as any;
      assert.equal(body.error.code, 'FORBIDDEN');
      assert.match(body.error.message, /not valid: it was changed/);
    }
    const expired = signedDownloadUrl(downloadLinkKey(server.ctx.secretKey), server.url, {
      region: 'westeurope',
      sha256: sha,
      fileName: 'contoso.dlx-standard-1.0.0-os.qcow2',
      acquisitionId: acquired.acquisition.id,
      expires: Math.floor(Date.now() / 1000) - 5,
    });
    const res = await fetch(expired);
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as any).error.message, /expired at .*Fetch fresh links/);
  });

  await t.test('the presigned S3 URL downloads the image bytes from the bucket', async () => {
    const res = await fetch(s3Link.url);
    assert.equal(res.status, 200);
    assert.equal(sha256(new Uint8Array(await res.arrayBuffer())), sha);
  });

  await t.test('an acquisition is read back with its token only', async () => {
    const path_ = `/api/v1/catalog/acquisitions/${acquired.acquisition.id}`;
    for (const headers of [{}, { 'x-acquisition-token': 'vmk_wrong' }] as Record<string, string>[]) {
      const res = await server.api('GET', path_, { headers });
      assert.equal(res.status, 404, JSON.stringify(res.body));
      assert.match(res.body.error.message, /X-Acquisition-Token does not open it/);
    }
    const res = await server.api('GET', path_, { headers: { 'x-acquisition-token': acquired.acquisition.token } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.acquisition.version, '1.0.0');
    assert.equal(res.body.acquisition.offer, OFFER);
    assert.equal(res.body.acquisition.token, undefined, 'the token is shown once, at acquire');
    assert.equal(res.body.downloads.length, 2);
    const fresh = await fetch(res.body.downloads.find((d: any) => d.region === 'westeurope').url, { method: 'HEAD' });
    assert.equal(fresh.status, 200);
  });

  await t.test('downloads are counted per plan, region and customer; another publisher cannot read them', async () => {
    // westeurope (served here): GET whole, GET 0-…, GET whole (stale If-Range) start at byte 0; the
    // resumed range and the 416 do not; bytes are what was sent. eastus: one URL per answer (acquire, read back).
    const expected = { west: { downloads: 3, bytes: SIZE + 123_457 + (SIZE - 123_457) + SIZE }, east: { downloads: 2, bytes: 2 * SIZE } };
    let body: any;
    for (let i = 0; i < 50; i++) {
      body = await counts();
      const west = countOf(body, 'westeurope', ALICE);
      if (west?.downloads === expected.west.downloads && west.bytes === expected.west.bytes) break;
      await sleep(100);
    }
    assert.deepEqual(
      { downloads: countOf(body, 'westeurope', ALICE)?.downloads, bytes: countOf(body, 'westeurope', ALICE)?.bytes },
      expected.west,
      JSON.stringify(body),
    );
    assert.deepEqual({ downloads: countOf(body, 'eastus', ALICE)?.downloads, bytes: countOf(body, 'eastus', ALICE)?.bytes }, expected.east);
    assert.equal(countOf(body, 'westeurope', ALICE).plan, 'standard');
    assert.equal(body.totals.acquisitions, 1);
    assert.equal(body.totals.downloads, 5);
    const other = await server.createPublisher('fabrikam');
    assert.equal((await server.api('GET', '/api/v1/publishers/contoso/offers/dlx/downloads', { token: other })).status, 403);
  });

  const env = { VMARKET_ACQUISITIONS: path.join(tmp, 'cli', 'acquisitions.json'), VMARKET_SUBSCRIPTION: BOB };
  const pullArgs = (out: string, ...more: string[]) => ['pull', OFFER, '--plan', 'standard', '--region', 'westeurope', '-o', out, '--url', server.url, ...more];

  await t.test("an acquisition's mirror lists the version acquired and serves its items; a changed root is refused", async () => {
    const res = await server.api('GET', `/api/v1/catalog/acquisitions/${acquired.acquisition.id}`, { headers: { 'x-acquisition-token': acquired.acquisition.token } });
    const root: string = res.body.acquisition.mirrorUrl;
    assert.ok(root.startsWith(`${server.url}/streams/acquired/${acquired.acquisition.id}/`) && root.endsWith('/'), root);
    const index = await (await fetch(`${root}streams/v1/index.json`)).json();
    const [entry] = Object.values(index.index) as any[];
    assert.deepEqual(entry.products, [`127.0.0.1:contoso:dlx:standard:amd64`]);
    const products = await (await fetch(new URL(entry.path, root))).json();
    const [version] = Object.values(products.products[entry.products[0]].versions) as any[];
    assert.equal(version.image_version, '1.0.0');
    const [item] = Object.values(version.items) as any[];
    assert.equal(item.sha256, sha);
    const got = await fetch(new URL(item.path, root));
    assert.equal(got.status, 200);
    assert.equal(sha256(new Uint8Array(await got.arrayBuffer())), sha, 'the item path serves the bytes');
    const signed = await (await fetch(`${root}streams/v1/index.sjson`)).text();
    assert.match(signed, /^-----BEGIN PGP SIGNED MESSAGE-----/);
    const forged = root.replace(/\/([^/]+)\/$/, (_, sig: string) => `/${sig.slice(0, -2)}xx/`);
    const refused = await fetch(`${forged}streams/v1/index.json`);
    assert.equal(refused.status, 403);
    assert.match((await refused.json()).error.message, /This mirror URL is not valid/);
    assert.equal((await fetch(new URL(item.path.replace(sha, '0'.repeat(64)), root))).status, 404, 'a file of no acquired image');
  });
  await t.test('vmarket pull acquires, downloads, verifies and says how to import the file', async () => {
    const out = path.join(tmp, 'cli', 'image.qcow2');
    const res = await vmarket(pullArgs(out, '--name', 'Bob', '--email', 'bob@example.com', '--format', 'qcow2'), { env });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(sha256(await readFile(out)), sha);
    assert.ok(!existsSync(`${out}.part`));
    assert.match(res.stdout, /verified/);
    assert.ok(res.stdout.includes(`openstack image create --disk-format qcow2 --container-format bare --file ${out}`), res.stdout);
    assert.ok(res.stdout.includes(`qm importdisk VMID ${out} STORAGE`), res.stdout);
    assert.ok(res.stdout.includes(`--disk ${out},format=qcow2`), res.stdout);
    assert.match(res.stderr, /100%/, 'progress lines when stderr is not a terminal');
    assert.equal((await stat(env.VMARKET_ACQUISITIONS)).mode & 0o777, 0o600, 'the kept acquisition is private');
  });

  await t.test('vmarket pull reuses the acquisition and resumes a partial .part', async () => {
    const out = path.join(tmp, 'cli', 'resumed.qcow2');
    await writeFile(`${out}.part`, bytes.subarray(0, 200_000));
    const res = await vmarket(pullArgs(out, '--json'), { env });
    assert.equal(res.code, 0, res.stderr);
    const result = JSON.parse(res.stdout);
    assert.equal(result.reusedAcquisition, true, 'no name or e-mail needed: the kept acquisition was read back');
    assert.equal(result.resumedFrom, 200_000);
    assert.equal(result.sha256, sha);
    assert.equal(sha256(await readFile(out)), sha);
    assert.equal((await counts()).totals.acquisitions, 2, 'Alice and Bob acquired once each');
  });

  await t.test('vmarket pull from the S3 region downloads through the presigned URL', async () => {
    const out = path.join(tmp, 'cli', 'from-s3.qcow2');
    const res = await vmarket(['pull', OFFER, '--plan', 'standard', '--region', 'eastus', '-o', out, '--url', server.url], { env });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(sha256(await readFile(out)), sha);
  });

  await t.test('vmarket pull refuses a tampered byte with exit 1 and keeps no file', async () => {
    const store = server.ctx.regions.get('westeurope')!.store as FsBlobStore;
    const handle = await open(store.objectPath(sha), 'r+');
    const one = Buffer.alloc(1);
    await handle.read(one, 0, 1, 1000);
    await handle.write(Buffer.from([one[0]! ^ 0xff]), 0, 1, 1000);
    await handle.close();
    const out = path.join(tmp, 'cli', 'tampered.qcow2');
    const res = await vmarket(pullArgs(out), { env });
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, /SHA-256 is [0-9a-f]{64}, the signed package says [0-9a-f]{64}: the bytes are not the certified image; the file was removed/);
    assert.ok(!existsSync(out) && !existsSync(`${out}.part`), 'neither the file nor its .part is left');
  });

  await t.test('an acquisition keeps its version after a newer one went live', async () => {
    const sha2 = await goLive(server, tmp, randomBytes(4096), '2.0.0', 'op-dl-2');
    const res = await server.api('GET', `/api/v1/catalog/acquisitions/${acquired.acquisition.id}`, { headers: { 'x-acquisition-token': acquired.acquisition.token } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.package.version, '1.0.0');
    assert.equal(res.body.downloads[0].sha256, sha);
    const again = await acquire(ALICE);
    assert.equal(again.package.version, '2.0.0');
    assert.equal(again.downloads[0].sha256, sha2);
  });

});
