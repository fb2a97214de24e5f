/**
 * The SBOM through the real server (boot off): one publication certifies the image in the
 * sandbox against the vulnerability database under dataDir (synced by the real `vulndb sync`
 * code from a fixture archive), the report carries the SBOM's summary and the database's age,
 * `GET …/certification/sbom` serves exactly the stored document to the publisher only, and the
 * signed package lists the SBOM's SHA-256 for the OS disk.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { verifyPackage } from '../../src/catalog/signing.ts';
import { syncVulnerabilityDatabase } from '../../src/vulndb/sync.ts';
import { baseLinuxTree, buildImage } from '../fixtures/images.ts';
import { osvEntry, writeOsvSource } from '../fixtures/osv.ts';
import { AUDIENCE, offerDocument, waitForStatus } from '../helpers/offers.ts';
import { startTestServer } from '../helpers/server.ts';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;
let server: TestServer;
let source: string;

before(async () => {
  server = await startTestServer();
  source = await mkdtemp(path.join(os.tmpdir(), 'vmarket-osv-'));
  // the fixture tree is Ubuntu 22.04 with bash 1.0: an unfixed low vulnerability warns and does not block
  await writeOsvSource(source, 'Ubuntu', [
    osvEntry('UBUNTU-CVE-2026-2001', [{ ecosystem: 'Ubuntu:22.04:LTS', name: 'bash', events: [{ introduced: '0' }] }], { severity: [{ type: 'Ubuntu', score: 'low' }] }),
  ]);
  await syncVulnerabilityDatabase({ source, ecosystems: ['Ubuntu'], directory: path.join(server.ctx.config.dataDir, 'vulndb') });
});
after(async () => {
  await server?.close();
  await rm(source, { recursive: true, force: true });
});

test('the certified SBOM is stored beside the report, served to the publisher, and named in the signed package', async () => {
  const token = await server.createPublisher('contoso');
  const image = path.join(server.importDirOf('contoso'), 'sbom.vhd');
  await buildImage({ ...baseLinuxTree(), output: image });
  const base = '/api/v1/publishers/contoso/offers/sbom';
  assert.equal((await server.api('PUT', base, { token, body: offerDocument({ id: 'sbom', publisher: 'contoso', osDisk: image }) })).status, 201);
  assert.equal((await server.api('GET', `${base}/certification/sbom`, { token })).status, 404, 'nothing certified yet');
  assert.equal((await server.api('POST', `${base}/publish`, { token, body: { notifyEmails: [] } })).status, 202);
  await waitForStatus(server.api, token, 'contoso', 'sbom', (d) => d.status === 'waitingForPublisherReview');

  const report = await server.api('GET', `${base}/certification`, { token });
  assert.equal(report.status, 200);
  assert.equal(report.body.sbom.components, 4);
  assert.equal(report.body.sbom.format, 'CycloneDX 1.6');
  assert.equal(report.body.sbomDocument, `${base}/certification/sbom`);
  assert.equal(report.body.vulnerabilityDatabase.ecosystems[0], 'Ubuntu:22.04:LTS');
  assert.equal(report.body.vulnerabilityDatabase.ageDays, 0);
  const vulnerabilities = report.body.checks.find((c: { id: string }) => c.id === 'packages.vulnerabilities');
  assert.equal(vulnerabilities.status, 'warning', vulnerabilities.message);
  assert.match(vulnerabilities.evidence[0].detail, /^bash 1\.0: UBUNTU-CVE-2026-2001, severity low, no fix yet$/);

  // the exact bytes, as a download gets them
  const sbom = await fetch(`${server.url}${report.body.sbomDocument}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(sbom.status, 200);
  assert.match(String(sbom.headers.get('content-type')), /^application\/vnd\.cyclonedx\+json/);
  assert.match(String(sbom.headers.get('content-disposition')), /attachment; filename="contoso\.sbom-sbom\.cdx\.json"/);
  const bytes = Buffer.from(await sbom.arrayBuffer());
  assert.equal(createHash('sha256').update(bytes).digest('hex'), report.body.sbom.sha256, 'the served bytes are the ones the report names');
  const bom = JSON.parse(bytes.toString('utf8'));
  assert.deepEqual(bom.components.map((c: { name: string }) => c.name), ['base-files', 'bash', 'cloud-init', 'openssh-server']);
  assert.equal(bom.components[1].purl, 'pkg:deb/ubuntu/bash@1.0?arch=amd64&distro=ubuntu-22.04');
  assert.equal(bom.metadata.component.name, image, 'the image as the offer names it');
  assert.equal((await server.api('GET', `${base}/certification/sbom?sha256=${'0'.repeat(64)}`, { token })).status, 404);
  const other = await server.createPublisher('fabrikam');
  assert.equal((await server.api('GET', `${base}/certification/sbom`, { token: other })).status, 403, 'publisher-scoped');

  const acquired = await server.api('POST', '/api/v1/catalog/offers/contoso.sbom/acquire', {
    headers: { 'x-subscription-id': AUDIENCE },
    body: { subscriptionId: AUDIENCE, plan: 'standard', contact: { name: 'Ada', email: 'ada@example.com' } },
  });
  assert.equal(acquired.status, 200, JSON.stringify(acquired.body));
  const keys = await server.api('GET', '/api/v1/catalog/keys');
  const key = keys.body.keys.find((k: { keyId: string }) => k.keyId === acquired.body.keyId);
  assert.equal(verifyPackage(acquired.body.package, acquired.body.signature, key.publicKeyPem), true);
  assert.deepEqual(acquired.body.package.images[0].sbom, { sha256: report.body.sbom.sha256, components: 4, format: 'CycloneDX 1.6' });
});
