/**
 * The simplestreams mirror (issue 13) through the real server: the index and products documents
 * list the live offers only, with the hashes and sizes of the files each region serves; the
 * `.sjson` twins verify with Debian's gpgv against the served key (and a tampered copy does not);
 * the public item paths answer 403 naming how to get entitled; and the real client, sstream-query,
 * reads the signed index (from $VMARKET_SSTREAM_QUERY or PATH; skipped with the reason otherwise).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { DbSigningKeyStore } from '../../src/catalog/key-store.ts';
import { getOrCreateSigningKey, signPackage } from '../../src/catalog/signing.ts';
import { archFromReport } from '../../src/catalog/streams-source.ts';
import { buildStreams, parseStreamItemPath, streamItemPath, streamsPrefix, versionSerial } from '../../src/catalog/streams.ts';
import { setLiveSlot } from '../../src/offers/repository.ts';
import type { PlanPackage, SlotDocument } from '../../src/pipeline/packages.ts';
import { publishSlot, validOffer } from '../helpers/offers.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const run = promisify(execFile);

let server: TestServer;
let token: string;
let work: string;
let keyring: string;
let live: SlotDocument;

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const PUBLISHED_AT = '2026-11-30T12:34:56.000Z';
// the files the live plan's regions serve: westeurope the source VHD, eastus a qcow2 conversion
const SOURCE = { sha256: sha('source'), size: 67109376, format: 'vhd-fixed' };
const QCOW2 = { sha256: sha('qcow2'), size: 21495808, format: 'qcow2' };
const DATA = { sha256: sha('data'), size: 33554944, format: 'vhd-fixed' };

/**
 * A live slot the way the pipeline stores it: signed packages whose images name every region's
 * copy; with `certifiedElf`, the operation and its certification report naming that ELF machine.
 */
async function makeLive(offer: Record<string, unknown>, certifiedElf?: string): Promise<SlotDocument> {
  const pub = String(offer.publisher);
  const id = String(offer.id);
  const put = await server.api('PUT', `/api/v1/publishers/${pub}/offers/${id}`, { token, body: offer });
  assert.ok(put.status === 200 || put.status === 201, JSON.stringify(put.body));
  const key = await getOrCreateSigningKey(new DbSigningKeyStore(server.ctx.db));
  const copy = (region: string, f: typeof SOURCE) => ({ location: `vmarket-fs://${region}/${f.sha256}`, format: f.format, sha256: f.sha256, size: f.size, virtualSha256: sha('virtual') });
  const pkg: PlanPackage = {
    offer: `${pub}.${id}`,
    plan: 'standard',
    version: '1.2.0',
    images: [
      {
        role: 'os',
        lun: null,
        ...SOURCE,
        virtualSha256: sha('virtual'),
        locations: { westeurope: `vmarket-fs://westeurope/${SOURCE.sha256}` },
        copies: { westeurope: copy('westeurope', SOURCE), eastus: copy('eastus', QCOW2) },
      },
      { role: 'data', lun: 0, ...DATA, locations: { westeurope: 'x', eastus: 'y' }, copies: { westeurope: copy('westeurope', DATA), eastus: copy('eastus', DATA) } },
    ],
    template: { kind: 'vmarket.vm/v1', os: {}, recommendedSizes: [], openPorts: [], disks: [], parameters: {} },
  };
  const operationId = `op-streams-${id}`;
  if (certifiedElf) {
    await server.ctx.db.kysely
      .insertInto('operations')
      .values({ id: operationId, publisher_id: pub, offer_id: id, status: 'succeeded', snapshot: JSON.stringify(offer), snapshot_etag: 'e', created_by: 'test' } as never)
      .execute();
    const check = { id: 'linux.architecture', status: 'passed', evidence: [{ image: 'os', path: '/usr/bin/dash', detail: { en: certifiedElf, de: certifiedElf } }] };
    await server.ctx.db.kysely
      .insertInto('certification_reports')
      .values({ operation_id: operationId, publisher_id: pub, offer_id: id, result: 'passed', report: JSON.stringify({ result: 'passed', checks: [{ id: 'linux.os-release', evidence: [] }, check] }) } as never)
      .execute();
  }
  const doc: SlotDocument = { operationId, version: operationId, publishedAt: PUBLISHED_AT, offer: offer as SlotDocument['offer'], packages: { standard: { package: pkg, ...signPackage(pkg, key) } } };
  await server.ctx.db.transaction((trx) => setLiveSlot(trx, pub, id, doc as never, operationId));
  return doc;
}

before(async () => {
  server = await startTestServer();
  token = await server.createPublisher('contoso');
  work = await mkdtemp(path.join(os.tmpdir(), 'vmarket-streams-'));
  live = await makeLive(await validOffer(server, { id: 'hardened-ubuntu', publisher: 'contoso', version: '1.2.0', listing: { title: 'Hardened Ubuntu' } }));
  await makeLive(await validOffer(server, { id: 'arm-server', publisher: 'contoso' }), 'ELF 64-bit AArch64');
  await publishSlot(server, token, 'preview', await validOffer(server, { id: 'preview-only', publisher: 'contoso' }));
  const draft = await server.api('PUT', '/api/v1/publishers/contoso/offers/never-live', { token, body: await validOffer(server, { id: 'never-live', publisher: 'contoso' }) });
  assert.equal(draft.status, 201);
  // the served key, dearmored into a keyring the way a client makes one
  const key = await fetch(`${server.url}/streams/v1/signing-key.asc`);
  assert.equal(key.status, 200);
  assert.match(key.headers.get('content-type') ?? '', /application\/pgp-keys/);
  await writeFile(path.join(work, 'key.asc'), await key.text());
  keyring = path.join(work, 'vmarket.gpg');
  await run('gpg', ['--batch', '--yes', '--output', keyring, '--dearmor', path.join(work, 'key.asc')], { env: { ...process.env, GNUPGHOME: work } });
});

after(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const PREFIX = '127.0.0.1';
const CONTENT_ID = `${PREFIX}:contoso`;
const PRODUCT = `${PREFIX}:contoso:hardened-ubuntu:standard:amd64`;
const ARM_PRODUCT = `${PREFIX}:contoso:arm-server:standard:arm64`;

describe('the simplestreams documents', () => {
  test('the index lists the live offers only, pointing at their products document', async () => {
    const res = await server.api('GET', '/streams/v1/index.json');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /application\/json/);
    assert.equal(res.body.format, 'index:1.0');
    assert.deepEqual(Object.keys(res.body.index), [CONTENT_ID]);
    const entry = res.body.index[CONTENT_ID];
    assert.equal(entry.format, 'products:1.0');
    assert.equal(entry.path, `streams/v1/${CONTENT_ID}.json`);
    assert.deepEqual(entry.products, [ARM_PRODUCT, PRODUCT], 'neither the preview-only nor the never-live offer is listed; arm-server was certified aarch64');
    assert.equal(res.body.updated, 'Mon, 30 Nov 2026 12:34:56 +0000');
  });

  test('the products document has one item per distinct file, with its hash, size and regions', async () => {
    const res = await server.api('GET', `/streams/v1/${CONTENT_ID}.json`);
    assert.equal(res.status, 200);
    assert.equal(res.body.format, 'products:1.0');
    assert.equal(res.body.content_id, CONTENT_ID);
    assert.deepEqual(Object.keys(res.body.products), [ARM_PRODUCT, PRODUCT]);
    assert.equal(res.body.products[ARM_PRODUCT].arch, 'arm64');
    const product = res.body.products[PRODUCT];
    assert.equal(product.arch, 'amd64');
    assert.equal(product.os, 'ubuntu');
    assert.equal(product.release, '22.04');
    assert.equal(product.release_title, 'Ubuntu 22.04');
    assert.equal(product.offer_title, 'Hardened Ubuntu');
    assert.deepEqual(Object.keys(product.versions), ['20261130.123456']);
    const version = product.versions['20261130.123456'];
    assert.equal(version.image_version, '1.2.0');
    const items = version.items;
    assert.deepEqual(Object.keys(items).sort(), ['data0.vhd-fixed', 'os.qcow2', 'os.vhd-fixed']);
    assert.deepEqual(
      Object.fromEntries(Object.entries(items).map(([k, v]: [string, any]) => [k, [v.sha256, v.size, v.ftype, v.regions]])),
      {
        'os.vhd-fixed': [SOURCE.sha256, SOURCE.size, 'disk.vhd', 'westeurope'],
        'os.qcow2': [QCOW2.sha256, QCOW2.size, 'disk1.img', 'eastus'],
        'data0.vhd-fixed': [DATA.sha256, DATA.size, 'data0.vhd', 'eastus,westeurope'],
      },
    );
    assert.equal(items['os.qcow2'].path, `streams/items/contoso/hardened-ubuntu/standard/20261130.123456/${QCOW2.sha256}.qcow2`);
  });

  test('an unknown document answers 404; an unchanged one 304 to its ETag', async () => {
    const missing = await server.api('GET', '/streams/v1/nobody.json');
    assert.equal(missing.status, 404);
    assert.match(missing.body.error.message, /index\.json lists them/);
    const first = await server.api('GET', '/streams/v1/index.json');
    assert.ok(first.headers.etag && first.headers['last-modified']);
    const again = await fetch(`${server.url}/streams/v1/index.json`, { headers: { 'if-none-match': first.headers.etag } });
    assert.equal(again.status, 304);
  });

  test('an item path of the public mirror answers 403 naming the acquisition, to GET and HEAD', async () => {
    const products = (await server.api('GET', `/streams/v1/${CONTENT_ID}.json`)).body;
    const item = products.products[PRODUCT].versions['20261130.123456'].items['os.qcow2'];
    const res = await server.api('GET', `/${item.path}`);
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'FORBIDDEN');
    assert.equal(
      res.body.error.message,
      `The public mirror lists metadata only and serves no image bytes (${item.path}): acquire the plan standard of contoso.hardened-ubuntu (POST /api/v1/catalog/offers/contoso.hardened-ubuntu/acquire) and download the image from your acquisition.`,
    );
    const de = await server.api('GET', `/${item.path}`, { headers: { 'accept-language': 'de' } });
    assert.match(de.body.error.message, /Erwerben Sie den Plan standard/);
    assert.equal((await fetch(`${server.url}/${item.path}`, { method: 'HEAD' })).status, 403);
    assert.equal((await server.api('GET', '/streams/items/not/an/item')).status, 404);
  });
});

describe('the signatures', () => {
  test('every .sjson verifies with gpgv against the served key, and a tampered copy does not', async () => {
    for (const name of ['index', CONTENT_ID]) {
      const res = await fetch(`${server.url}/streams/v1/${name}.sjson`);
      assert.equal(res.status, 200);
      const signed = await res.text();
      assert.ok(signed.startsWith('-----BEGIN PGP SIGNED MESSAGE-----\n'), signed.slice(0, 80));
      const good = path.join(work, `${name}.sjson`);
      await writeFile(good, signed);
      const verified = await run('gpgv', ['--keyring', keyring, good]);
      assert.match(verified.stderr, /Good signature from "vmarket simplestreams signing key"/);
      const bad = path.join(work, `${name}.tampered.sjson`);
      await writeFile(bad, signed.replace('"format": "', '"format": " '));
      await assert.rejects(run('gpgv', ['--keyring', keyring, bad]), (error: { stderr: string }) => /BAD signature/.test(error.stderr));
    }
    const index = await (await fetch(`${server.url}/streams/v1/index.sjson`)).text();
    assert.equal(await (await fetch(`${server.url}/streams/v1/index.sjson`)).text(), index, 'signatures are deterministic: every process serves the same bytes');
    assert.match(index, new RegExp(`"path": "streams/v1/${CONTENT_ID.replace(/\./g, '\\.')}\\.sjson"`), 'the signed index points at signed documents');
  });

  test('the signing key is also listed in /api/v1/catalog/keys', async () => {
    const keys = await server.api('GET', '/api/v1/catalog/keys');
    const listed = await run('gpg', ['--batch', '--with-colons', '--show-keys', path.join(work, 'key.asc')], { env: { ...process.env, GNUPGHOME: work } });
    const fingerprint = /^fpr:(?:[^:]*:){8}([0-9A-F]{40}):/m.exec(listed.stdout)?.[1];
    assert.equal(keys.body.simplestreams.fingerprint, fingerprint?.toLowerCase());
    assert.equal(keys.body.simplestreams.url, `${server.url}/streams/v1/signing-key.asc`);
    assert.ok(keys.body.keys.length >= 1, 'the package keys are still listed');
  });
});

/** sstream-query from $VMARKET_SSTREAM_QUERY, else PATH; undefined when neither has one. */
async function sstreamQuery(): Promise<string | undefined> {
  const candidates = [process.env.VMARKET_SSTREAM_QUERY, ...(process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'sstream-query'))];
  for (const file of candidates) {
    if (file && (await access(file).then(() => true, () => false))) return file;
  }
  return undefined;
}

describe('the real client', () => {
  test('sstream-query --keyring reads the signed index: the offer and every item hash', async (t) => {
    const bin = await sstreamQuery();
    if (!bin) return t.skip('sstream-query is not installed (Debian 12 has no simplestreams package): set VMARKET_SSTREAM_QUERY');
    const { stdout } = await run(bin, [`--keyring=${keyring}`, '--json', `${server.url}/streams/v1/index.sjson`], { timeout: 30_000 });
    const entries = (JSON.parse(stdout) as Record<string, string>[]).filter((e) => e.offer === 'hardened-ubuntu');
    assert.ok(entries.length > 0, stdout.slice(0, 400));
    const pkg = live.packages.standard.package;
    const expected = new Set<string>();
    for (const image of pkg.images) for (const c of Object.values(image.copies ?? {})) expected.add(`${c.sha256} ${c.size}`);
    assert.deepEqual(new Set(entries.map((e) => `${e.sha256} ${e.size}`)), expected);
    for (const e of entries) {
      assert.equal(e.product_name, PRODUCT);
      assert.equal(e.content_id, CONTENT_ID);
      assert.equal(e.offer, 'hardened-ubuntu');
      assert.equal(e.image_version, '1.2.0');
      assert.equal(e.item_url, `${server.url}/${e.path}`);
    }
    // and its filters, as glance-simplestreams-sync uses them
    const qcow2 = await run(bin, [`--keyring=${keyring}`, '--output-format=%(sha256)s', `${server.url}/streams/v1/index.sjson`, 'ftype=disk1.img', 'arch=amd64', 'offer=hardened-ubuntu'], { timeout: 30_000 });
    assert.equal(qcow2.stdout.trim(), QCOW2.sha256);
  });
});

describe('the pure parts', () => {
  test('item paths round-trip; prefixes reverse the host; serials sort', () => {
    const ref = { publisherId: 'contoso', offerId: 'web', planId: 'std', serial: versionSerial(PUBLISHED_AT), sha256: QCOW2.sha256, format: 'qcow2' };
    const { format: _format, ...named } = ref;
    assert.deepEqual(parseStreamItemPath(streamItemPath(ref)), { ...named, extension: 'qcow2' });
    assert.equal(streamsPrefix('https://market.example.com:8443/base'), 'com.example.market');
    assert.equal(streamsPrefix('http://127.0.0.1:8080'), '127.0.0.1');
    assert.ok(versionSerial('2026-01-02T03:04:05Z') < versionSerial('2026-10-02T03:04:05Z'));
    assert.deepEqual(buildStreams([], { prefix: 'com.example' }).index.index, {});
  });

  test('the architecture comes from the certification report', () => {
    const report = (detail: unknown) => ({ checks: [{ id: 'linux.architecture', evidence: [{ image: 'os', path: '/usr/bin/dash', detail }] }] });
    assert.equal(archFromReport(report({ en: 'ELF 64-bit AArch64', de: 'ELF 64-Bit AArch64' })), 'arm64');
    assert.equal(archFromReport(report('ELF 64-bit x86-64')), 'amd64');
    assert.equal(archFromReport({ checks: [] }), undefined);
  });
});
