/**
 * The SBOM and the vulnerability checks on a real Debian 12 image (test/fixtures/debian-image.ts,
 * the cached hardened ext4 image: 221 packages installed by Debian's own dpkg): the CycloneDX
 * SBOM validates against the official 1.6 schema and lists the real packages with their source
 * packages; a small OSV database written by the test (a zip and a directory of JSON files),
 * loaded by the real `vulndb sync` code, fails the image on a fixed high vulnerability of its
 * real openssl and warns on an unfixed one; version edge cases (epochs, `~`, binNMUs, a binary
 * versioned apart from its source) are matched on Debian's real ordering.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { certifyImages, resolveCertificationConfig } from '../../src/certification/index.ts';
import { CHECKS, createMemo } from '../../src/certification/checks/registry.ts';
import { findLinuxRoot } from '../../src/certification/checks/root.ts';
import type { CheckContext } from '../../src/certification/checks/types.ts';
import { openDisk } from '../../src/certification/fs/open.ts';
import { emptyScanResult } from '../../src/certification/malware/types.ts';
import { readPackageDatabases } from '../../src/certification/packages/databases.ts';
import type { InstalledPackage } from '../../src/certification/packages/types.ts';
import type { OpenedDisk } from '../../src/certification/disk/types.ts';
import { compareDpkgVersions } from '../../src/certification/packages/versions/dpkg.ts';
import { isVmarketError } from '../../src/errors.ts';
import { ecosystemsFor, matchPackages } from '../../src/vulndb/match.ts';
import { compareRpmVersions } from '../../src/certification/packages/versions/rpm.ts';
import { packagePurl } from '../../src/certification/sbom/cyclonedx.ts';
import { affectedPackages, type IndexedVulnerability } from '../../src/vulndb/osv.ts';
import { readVulnDbMeta } from '../../src/vulndb/store.ts';
import { syncVulnerabilityDatabase } from '../../src/vulndb/sync.ts';
import { cvss3BaseScore } from '../../src/vulndb/cvss.ts';
import { debianImage } from '../fixtures/debian-image.ts';
import { CLOUD_DEBIAN, debianRootSkip, debianRootTar } from '../fixtures/debian-root.ts';
import { osvEntry, writeOsvSource } from '../fixtures/osv.ts';
import { baseLinuxTree, buildImage } from '../fixtures/images.ts';
import { vmarket } from '../helpers/cli.ts';
import { needs } from '../helpers/tools.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { contextFor, outcomeIn, treeWith } from './context.ts';

const CLOCK = '2026-12-04T12:00:00Z';
const SYNCED = new Date('2026-12-03T06:00:00Z');
const HIGH = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H'; // 7.5
const CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'; // 9.8

/** What the fixture image really has (its dpkg status): the test's vulnerabilities name these. */
const ENTRIES = [
  // openssl 3.0.22-1~deb12u2 (libssl3, openssl): fixed in a later stable update
  osvEntry('DSA-9001-1', [{ ecosystem: 'Debian:12', name: 'openssl', events: [{ introduced: '0' }, { fixed: '3.0.22-1~deb12u3' }] }], { aliases: ['CVE-2026-1001'], severity: [{ type: 'CVSS_V3', score: HIGH }] }),
  // fixed in exactly the installed version, and in an older one: not affected
  osvEntry('DSA-9002-1', [{ ecosystem: 'Debian:12', name: 'openssl', events: [{ introduced: '0' }, { fixed: '3.0.22-1~deb12u2' }] }], { severity: [{ type: 'CVSS_V3', score: CRITICAL }] }),
  osvEntry('DSA-9003-1', [{ ecosystem: 'Debian:12', name: 'openssl', events: [{ introduced: '0' }, { fixed: '3.0.22-1~deb12u1' }] }], { severity: [{ type: 'CVSS_V3', score: CRITICAL }] }),
  // dbus: no fix yet, Debian's urgency high: warns only
  osvEntry('DEBIAN-CVE-2026-1004', [{ ecosystem: 'Debian:12', name: 'dbus', events: [{ introduced: '0' }], ecosystem_specific: { urgency: 'high' } }], { upstream: ['CVE-2026-1004'] }),
  // diffutils 1:3.8-4: a fix without the epoch is older; one with it is newer (urgency low: warns)
  osvEntry('DEBIAN-CVE-2026-1005', [{ ecosystem: 'Debian:12', name: 'diffutils', events: [{ introduced: '0' }, { fixed: '3.9-1' }], ecosystem_specific: { urgency: 'high' } }]),
  osvEntry('DEBIAN-CVE-2026-1006', [{ ecosystem: 'Debian:12', name: 'diffutils', events: [{ introduced: '0' }, { fixed: '1:3.8-5' }], ecosystem_specific: { urgency: 'low' } }]),
  // lvm2 2.03.16-2 ships dmsetup 2:1.02.185-2: matched on the source's version
  osvEntry('DEBIAN-CVE-2026-1007', [{ ecosystem: 'Debian:12', name: 'lvm2', events: [{ introduced: '0' }, { fixed: '2.03.16-2+deb12u1' }], ecosystem_specific: { urgency: 'medium' } }]),
  // bash 5.2.15-2+b13 is a binNMU of source 5.2.15-2: a fix in 5.2.15-2+b1 (a binary version) does not apply to the source
  osvEntry('DEBIAN-CVE-2026-1008', [{ ecosystem: 'Debian:12', name: 'bash', events: [{ introduced: '0' }, { fixed: '5.2.15-2' }], ecosystem_specific: { urgency: 'high' } }]),
  // another release, and a withdrawn entry: neither counts
  osvEntry('DSA-9009-1', [{ ecosystem: 'Debian:11', name: 'openssl', events: [{ introduced: '0' }, { fixed: '9.9.9-1' }] }], { severity: [{ type: 'CVSS_V3', score: CRITICAL }] }),
  osvEntry('DSA-9010-1', [{ ecosystem: 'Debian:12', name: 'openssl', events: [{ introduced: '0' }, { fixed: '9.9.9-1' }] }], { withdrawn: '2026-11-01T00:00:00Z', severity: [{ type: 'CVSS_V3', score: CRITICAL }] }),
];
const UNFIXED_ONLY = [ENTRIES[3]];

let dir: string;
let image: string;
let disk: OpenedDisk;
let packages: InstalledPackage[];
const skip = debianRootSkip();

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmarket-sbom-'));
  await writeOsvSource(path.join(dir, 'zip'), 'Debian', ENTRIES);
  await writeOsvSource(path.join(dir, 'json'), 'Debian', UNFIXED_ONLY, true);
  if (skip) return;
  image = await debianImage({ tar: await debianRootTar(CLOUD_DEBIAN), configuration: 'hardened', layout: 'ext4' });
  disk = await openDisk(image, { name: 'debian-12.raw' });
  const root = (await findLinuxRoot(disk)).root!;
  packages = (await readPackageDatabases(root, resolveCertificationConfig({}).limits)).databases.flatMap((d) => d.packages);
});
after(async () => {
  await disk?.close();
  await rm(dir, { recursive: true, force: true });
});

const sync = (source: string, directory: string, extra: Partial<Parameters<typeof syncVulnerabilityDatabase>[0]> = {}) =>
  syncVulnerabilityDatabase({ source, ecosystems: ['Debian'], directory, now: () => SYNCED, ...extra });

/** A check run on the real image's root, with the policy's database and clock. */
async function runOnImage(id: string, directory: string | undefined, now = CLOCK) {
  const rootSearch = await findLinuxRoot(disk);
  const config = resolveCertificationConfig({ vulnerabilities: { failAt: 'high', maxDatabaseAgeDays: 7, ...(directory ? { directory } : {}) } });
  const context: CheckContext = { disks: [{ role: 'os', lun: null, disk }], rootSearch, config, scan: emptyScanResult(), memo: createMemo(), now: new Date(now) };
  return outcomeIn(await CHECKS.find((c) => c.id === id)!.run(context));
}

function cycloneDxValidator() {
  const require = createRequire(import.meta.url);
  const schemaDir = path.join(path.dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res/schema');
  const load = (file: string) => JSON.parse(readFileSync(path.join(schemaDir, file), 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // JSON Schema's IRI formats, which ajv-formats leaves out: no white space, an @ in a mail address
  ajv.addFormat('iri-reference', /^\S*$/);
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/);
  // the bom schema refers to its companions by their SNAPSHOT file names
  ajv.addSchema({ ...load('spdx.SNAPSHOT.schema.json'), $id: 'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json' });
  ajv.addSchema({ ...load('jsf-0.82.SNAPSHOT.schema.json'), $id: 'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json' });
  return ajv.compile(load('bom-1.6.SNAPSHOT.schema.json'));
}

describe('the real Debian 12 image', { skip }, () => {
  test('certification writes a CycloneDX 1.6 SBOM of its packages and fails on the fixed high vulnerability of its openssl', async () => {
    const directory = path.join(dir, 'db-engine');
    const meta = await sync(path.join(dir, 'zip'), directory);
    assert.deepEqual(meta.archives, { Debian: { entries: ENTRIES.length } });
    assert.deepEqual(Object.keys(meta.ecosystems).sort(), ['Debian:11', 'Debian:12']);

    const report = await certifyImages({
      osDisk: image,
      osDiskKnown: { sha256: 'c'.repeat(64), name: 'debian-12.raw' },
      config: { clamav: { mode: 'off', databaseDir: '/nonexistent' }, vulnerabilities: { failAt: 'high', maxDatabaseAgeDays: 7, directory } },
      now: CLOCK,
    });
    // the SBOM: the document beside the report, its summary in it
    const text = report.sbomJson!;
    assert.ok(text, 'the engine returns the SBOM document');
    assert.equal(report.sbom?.sha256, createHash('sha256').update(text).digest('hex'));
    assert.equal(report.sbom?.format, 'CycloneDX 1.6');
    const bom = JSON.parse(text);
    const validate = cycloneDxValidator();
    assert.ok(validate(JSON.parse(text)), JSON.stringify(validate.errors?.slice(0, 5), null, 1));
    assert.equal(bom.specVersion, '1.6');
    assert.match(bom.serialNumber, /^urn:uuid:[0-9a-f-]{36}$/);
    assert.equal(bom.metadata.timestamp, '2026-12-04T12:00:00.000Z');
    assert.equal(bom.metadata.tools.components[0].name, 'vmarket');
    assert.deepEqual([bom.metadata.component.name, bom.metadata.component.version, bom.metadata.component.hashes[0].content], ['debian-12.raw', '12', 'c'.repeat(64)]);
    assert.equal(bom.components.length, packages.length);
    assert.equal(report.sbom?.components, packages.length);
    assert.ok(packages.length > 200, `${packages.length} packages`);
    const libssl = bom.components.find((c: { name: string }) => c.name === 'libssl3');
    assert.equal(libssl.purl, 'pkg:deb/debian/libssl3@3.0.22-1~deb12u2?arch=amd64&distro=debian-12');
    const property = (c: { properties: { name: string; value: string }[] }, name: string) => c.properties.find((p) => p.name === name)?.value;
    assert.equal(property(libssl, 'vmarket:package:source'), 'openssl');
    const diffutils = bom.components.find((c: { name: string }) => c.name === 'diffutils');
    assert.equal(diffutils.purl, 'pkg:deb/debian/diffutils@1%3A3.8-4?arch=amd64&distro=debian-12', 'the epoch is in the version, percent-encoded');
    const dmsetup = bom.components.find((c: { name: string }) => c.name === 'dmsetup');
    assert.deepEqual([dmsetup.version, property(dmsetup, 'vmarket:package:source'), property(dmsetup, 'vmarket:package:sourceVersion')], ['2:1.02.185-2', 'lvm2', '2.03.16-2']);

    // the vulnerabilities: the fixed high one fails, with the evidence a publisher acts on
    const check = report.checks.find((c) => c.id === 'packages.vulnerabilities')!;
    assert.equal(check.status, 'failed', check.message);
    assert.equal(report.result, 'failed');
    const details = check.evidence.map((e) => e.detail);
    assert.equal(details[0], 'openssl 3.0.22-1~deb12u2 (libssl3): DSA-9001-1 CVE-2026-1001, severity high, fixed in 3.0.22-1~deb12u3');
    assert.equal(check.evidence[0].path, '/var/lib/dpkg/status');
    assert.ok(details.includes('dbus 1.14.10-1~deb12u1 (dbus-bin, dbus-daemon, dbus-session-bus-common, dbus-system-bus-common, libdbus-1-3): DEBIAN-CVE-2026-1004 CVE-2026-1004, severity high, no fix yet'), details.join('\n'));
    assert.match(check.message, /^4 known vulnerabilities, 1 at or above high with a fix \(Debian:12, database synced 2026-12-03, 1 day\(s\) ago\)$/);
    assert.deepEqual(report.vulnerabilityDatabase, { syncedAt: SYNCED.toISOString(), ageDays: 1, ecosystems: ['Debian:12'], source: 'a directory on the marketplace' }, 'a directory source is not named: publishers read the report');
    const eol = report.checks.find((c) => c.id === 'linux.os-end-of-life')!;
    assert.equal(eol.status, 'passed');
    assert.match(eol.message, /until 2028-06-30 \(https:\/\/wiki\.debian\.org\/LTS\)/);
  });

  test('version edge cases on the real packages: epochs, ~, binNMUs, binaries versioned apart from their source', async () => {
    const index: Record<string, IndexedVulnerability[]> = {};
    for (const entry of ENTRIES) for (const a of affectedPackages(entry, 'Debian')) if (a.ecosystem === 'Debian:12') (index[a.name] ??= []).push(a.vulnerability);
    const found = matchPackages(packages, index, compareDpkgVersions);
    const ids = [...new Set(found.map((f) => `${f.vulnerability.id} ${f.matchedName} ${f.matchedVersion} ${f.fixedVersion ?? '-'}`))].sort();
    assert.deepEqual(ids, [
      'DEBIAN-CVE-2026-1004 dbus 1.14.10-1~deb12u1 -',
      'DEBIAN-CVE-2026-1006 diffutils 1:3.8-4 1:3.8-5',
      'DEBIAN-CVE-2026-1007 lvm2 2.03.16-2 2.03.16-2+deb12u1',
      'DSA-9001-1 openssl 3.0.22-1~deb12u2 3.0.22-1~deb12u3',
    ]);
    // not DSA-9002 (fixed in the installed version), DSA-9003 (older), 1005 (3.9-1 < 1:3.8-4), 1008 (bash's source is 5.2.15-2, the fix)
    const lvm = found.filter((f) => f.vulnerability.id === 'DEBIAN-CVE-2026-1007').map((f) => `${f.package.name} ${f.package.version}`);
    assert.ok(lvm.includes('dmsetup 2:1.02.185-2'), `dmsetup's epoch-2 binary version is not what was compared (${lvm.join(', ')})`);
  });

  test('an unfixed vulnerability warns; a database older than maxDatabaseAgeDays warns; without a database the check is skipped', async () => {
    const directory = path.join(dir, 'db-json');
    await sync(path.join(dir, 'json'), directory);
    const unfixed = await runOnImage('packages.vulnerabilities', directory);
    assert.equal(unfixed.status, 'warning', unfixed.message);
    assert.equal(unfixed.evidence.length, 1);
    assert.match(unfixed.evidence[0].detail, /^dbus 1\.14\.10-1~deb12u1 .*DEBIAN-CVE-2026-1004 .*severity high, no fix yet$/);
    const old = await runOnImage('packages.vulnerabilities', directory, '2027-01-04T00:00:00Z');
    assert.equal(old.status, 'warning');
    assert.match(old.evidence[0].detail, /the vulnerability database is 31 days old \(more than certification\.vulnerabilities\.maxDatabaseAgeDays, 7\): run `vmarket vulndb sync`/);
    const none = await runOnImage('packages.vulnerabilities', path.join(dir, 'nothing-here'));
    assert.equal(none.status, 'skipped');
    assert.match(none.message, /this marketplace has no vulnerability database yet: its operator runs `vmarket vulndb sync`/);
    assert.doesNotMatch(none.message, /nothing-here/, 'no server directory in what a publisher reads');
    const unset = await runOnImage('packages.vulnerabilities', undefined);
    assert.equal(unset.status, 'skipped');
  });
});

test('a failed sync leaves the database in use intact; a URL source on loopback needs the explicit allow', async () => {
  const directory = path.join(dir, 'db-sync');
  const first = await sync(path.join(dir, 'json'), directory);
  const failures = [
    () => sync(path.join(dir, 'json'), directory, { ecosystems: ['Debian', 'Ubuntu'] }),
    async () => {
      await writeOsvSource(path.join(dir, 'broken'), 'Debian', ENTRIES);
      const zip = path.join(dir, 'broken', 'Debian', 'all.zip');
      const bytes = await readFile(zip);
      bytes.fill(0xff, 50, 60); // inside the first entry's deflated data (after its 30-byte header and 15-byte name)
      await writeFile(zip, bytes);
      return sync(path.join(dir, 'broken'), directory);
    },
  ];
  for (const failing of failures) {
    await assert.rejects(failing(), (error: unknown) => isVmarketError(error) && error.code === 'FILE_UNREADABLE' && /Ubuntu|all\.zip/.test(error.message));
    assert.deepEqual(await readVulnDbMeta(directory), first, 'the database in use is unchanged');
  }

  const zip = await readFile(path.join(dir, 'zip', 'Debian', 'all.zip'));
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.url === '/osv/Debian/all.zip') res.end(zip);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/osv`;
    await assert.rejects(sync(url, directory), (error: unknown) => isVmarketError(error) && error.code === 'URL_NOT_ALLOWED');
    const lines: string[] = [];
    const meta = await sync(url, directory, { allowPrivateNetworks: true, onProgress: (line) => lines.push(line) });
    assert.equal(meta.ecosystems['Debian:12'].packages, 5);
    assert.equal(meta.source, url);
    assert.deepEqual(seen, ['/osv/Debian/all.zip']);
    assert.match(lines.join('\n'), /Debian: 10 entries, 2 releases \(Debian:11, Debian:12\)/);
  } finally {
    server.close();
  }
});

test('linux.os-end-of-life: Debian 11 is past its LTS at a 2026-12 clock, Debian 12 is not; an unknown release is skipped', async () => {
  const run = async (osRelease: string, now: string) => {
    const context = await contextFor(treeWith({ '/etc/os-release': osRelease }));
    return outcomeIn(await CHECKS.find((c) => c.id === 'linux.os-end-of-life')!.run({ ...context, now: new Date(now) }));
  };
  const bullseye = await run('PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\nID=debian\nVERSION_ID="11"\n', '2026-12-04T00:00:00Z');
  assert.equal(bullseye.status, 'failed');
  assert.equal(bullseye.message, 'Debian GNU/Linux 11 (bullseye) reached its end of life on 2026-08-31: it receives no more security updates (https://wiki.debian.org/LTS)');
  assert.deepEqual(bullseye.evidence, [{ image: 'os', path: '/etc/os-release', detail: 'ID=debian VERSION_ID=11: end of life 2026-08-31 (https://wiki.debian.org/LTS)' }]);
  assert.equal((await run('ID=debian\nVERSION_ID="11"\n', '2026-08-31T23:59:59Z')).status, 'passed', 'the last day is still supported');
  assert.equal((await run('ID=debian\nVERSION_ID="12"\n', '2026-12-04T00:00:00Z')).status, 'passed');
  assert.equal((await run('ID=rocky\nVERSION_ID="9.4"\n', '2026-12-04T00:00:00Z')).status, 'passed', 'a point release takes its major version');
  assert.equal((await run('ID=plan9\nVERSION_ID="4"\n', '2026-12-04T00:00:00Z')).status, 'skipped');
});

test('CVSS v3 base scores and the severity they give', () => {
  assert.equal(cvss3BaseScore(HIGH), 7.5);
  assert.equal(cvss3BaseScore(CRITICAL), 9.8);
  assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N'), 6.4);
  assert.equal(cvss3BaseScore('CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H'), 7.8);
  assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H'), 10);
  assert.equal(cvss3BaseScore('CVSS:4.0/AV:N'), null);
});

test('rpm: purls keep the epoch as a qualifier; vulnerabilities match binary names on rpm\'s ordering', () => {
  const pkg: InstalledPackage = { manager: 'rpm', name: 'openssl-libs', version: '1:3.0.7-27.el9', architecture: 'x86_64', sourcePackage: 'openssl', sourceVersion: '1:3.0.7-27.el9', files: [] };
  assert.equal(packagePurl(pkg, { id: 'rocky', versionId: '9.4' }), 'pkg:rpm/rocky/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rocky-9.4&epoch=1');
  const entry = (fixed: string) => [...affectedPackages(osvEntry('RLSA-2026:1', [{ ecosystem: 'Rocky Linux:9', name: 'openssl-libs', events: [{ introduced: '0' }, { fixed }] }], { database_specific: { severity: 'Important' } }), 'Rocky Linux')][0].vulnerability;
  const ids = (fixed: string) => matchPackages([pkg], { 'openssl-libs': [entry(fixed)] }, compareRpmVersions).map((f) => `${f.fixedVersion} ${f.vulnerability.severity}`);
  assert.deepEqual(ids('1:3.0.7-28.el9'), ['1:3.0.7-28.el9 high']);
  assert.deepEqual(ids('1:3.0.7-27.el9'), [], 'fixed in the installed version');
  assert.deepEqual(ids('3.0.8-1.el9'), [], 'no epoch is epoch 0: older');
  assert.deepEqual(ids('1:3.0.7-27.el9~rc1'), [], '~ sorts before the release');
  assert.deepEqual(ecosystemsFor('rocky', '9.4')?.ecosystems, ['Rocky Linux:9']);
  assert.deepEqual(ecosystemsFor('ubuntu', '22.04')?.ecosystems, ['Ubuntu:22.04:LTS', 'Ubuntu:22.04']);
});

test('the CLI: `vulndb sync --source DIR` then `certify --sbom FILE` against that database', async () => {
  const cli = path.join(dir, 'cli');
  const env = { VMARKET_CONFIG: path.join(cli, 'config.yaml'), VMARKET_CREDENTIALS: path.join(cli, 'credentials.json') };
  const source = path.join(cli, 'osv');
  await writeOsvSource(source, 'Ubuntu', [
    osvEntry('UBUNTU-CVE-2026-3001', [{ ecosystem: 'Ubuntu:22.04:LTS', name: 'openssh-server', events: [{ introduced: '0' }, { fixed: '1:1.0-1' }] }], { severity: [{ type: 'CVSS_V3', score: CRITICAL }] }),
  ]);
  await writeFile(env.VMARKET_CONFIG, `dataDir: ${JSON.stringify(path.join(cli, 'data'))}\ncertification:\n  clamav: { mode: off }\n`);
  const synced = await vmarket(['vulndb', 'sync', '--source', source, '--ecosystem', 'Ubuntu', '--json'], { env });
  assert.equal(synced.code, 0, synced.stderr);
  assert.match(synced.stderr, /vulndb: Ubuntu: 1 entries, 1 releases \(Ubuntu:22\.04:LTS\)/);
  assert.deepEqual(Object.keys(JSON.parse(synced.stdout).ecosystems), ['Ubuntu:22.04:LTS']);
  const missing = await vmarket(['vulndb', 'sync', '--source', path.join(cli, 'nowhere')], { env });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /holds neither Debian\/all\.zip nor a directory Debian\//);

  const image = path.join(cli, 'os.vhd');
  await buildImage({ ...baseLinuxTree(), output: image });
  const sbomFile = path.join(cli, 'sbom.cdx.json');
  const certified = await vmarket(['certify', image, '--sbom', sbomFile, '--json'], { env });
  assert.equal(certified.code, 1, certified.stderr);
  const report = JSON.parse(certified.stdout);
  assert.ok(!('sbomJson' in report) && !('sbomDocument' in report), 'the document is not in the report');
  const check = report.checks.find((c: { id: string }) => c.id === 'packages.vulnerabilities');
  assert.equal(check.status, 'failed');
  assert.equal(check.evidence[0].detail, 'openssh-server 1.0: UBUNTU-CVE-2026-3001, severity critical, fixed in 1:1.0-1');
  const bytes = await readFile(sbomFile);
  assert.equal(createHash('sha256').update(bytes).digest('hex'), report.sbom.sha256);
  assert.equal(JSON.parse(bytes.toString()).components.length, 4);
});

test("an archive of more than 65,535 entries (ZIP64, as OSV's large archives are), written by Python's zipfile", { skip: needs('python3') }, async () => {
  const source = path.join(dir, 'zip64');
  const script = [
    'import json, os, sys, zipfile',
    "os.makedirs(os.path.join(sys.argv[1], 'Debian'), exist_ok=True)",
    "with zipfile.ZipFile(os.path.join(sys.argv[1], 'Debian', 'all.zip'), 'w', zipfile.ZIP_DEFLATED) as z:",
    '    for i in range(65600):',
    "        z.writestr(f'DEBIAN-CVE-{i}.json', json.dumps({'id': f'DEBIAN-CVE-{i}', 'affected': [{'package': {'ecosystem': 'Debian:12', 'name': f'pkg{i % 100}'}, 'ranges': [{'type': 'ECOSYSTEM', 'events': [{'introduced': '0'}, {'fixed': '1.0-1'}]}]}]}))",
  ].join('\n');
  await promisify(execFile)('python3', ['-c', script, source]);
  const meta = await sync(source, path.join(dir, 'db-zip64'));
  assert.deepEqual(meta.archives, { Debian: { entries: 65_600 } });
  assert.deepEqual(meta.ecosystems['Debian:12'].packages, 100);
  assert.deepEqual(meta.ecosystems['Debian:12'].vulnerabilities, 65_600);
});

test('the report names a URL source without its credentials or query, and a directory source not at all', async () => {
  const { publicSource } = await import('../../src/certification/checks/vulnerabilities.ts');
  assert.equal(publicSource('https://osv-vulnerabilities.storage.googleapis.com'), 'https://osv-vulnerabilities.storage.googleapis.com/');
  assert.equal(publicSource('https://user:secret@mirror.example.org/osv?token=abc'), 'https://mirror.example.org/osv');
  assert.equal(publicSource('/srv/mirror/osv'), 'a directory on the marketplace');
});
