/**
 * The disk readers' problems and the malware pass's findings read in German too: a VHD whose
 * footer checksum is damaged, a file without a VHD footer, a disk type no VHD has, overlapping
 * partitions, a private key, an AWS key id and EICAR. English stays as it always was.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, open } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { detectFormat } from '../../../src/certification/disk/formats/index.ts';
import { readPartitionTable } from '../../../src/certification/disk/partitions.ts';
import { vhdChecksum } from '../../../src/certification/disk/vhd-footer.ts';
import { certifyImages } from '../../../src/certification/index.ts';
import { EICAR } from '../../../src/certification/malware/eicar.ts';
import type { CertificationReport, CheckResult, Evidence } from '../../../src/certification/types.ts';
import { baseLinuxTree, buildImage, type FileSpec } from '../../fixtures/images.ts';
import { mbrSector, SECTOR } from '../../fixtures/partition-writer.ts';
import { vhdFooter } from '../../fixtures/vhd-writer.ts';
import { runCheck, treeWith } from '../context.ts';

const MIB = 1024 * 1024;
const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAvY8l0z0Yq3mH1S3mXyM5fC8QJm0mZ6Y3+Z1t5b0d0e3mZ0fAkF\n-----END RSA PRIVATE KEY-----\n';

/** The base image with a private key, AWS credentials and EICAR, built once and cached by its spec. */
const SECRETS: FileSpec[] = [
  ...baseLinuxTree().files,
  { path: '/root/.ssh/id_rsa', content: PEM, mode: 0o600 },
  { path: '/root/.aws/credentials', content: '[default]\naws_access_key_id = AKIAZZZZZZZZZZZZ1234\n', mode: 0o600 },
  { path: '/var/tmp/eicar.com', content: EICAR },
];

/**
 * The image with one bit of its footer's creator application flipped, so the stored checksum no
 * longer matches; cached next to the intact image. Returns the path and both checksums as hex.
 */
async function damagedImage(): Promise<{ image: string; stored: string; computed: string }> {
  const key = createHash('sha256').update(JSON.stringify(SECRETS, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v))).digest('hex').slice(0, 16);
  const intact = path.join(os.tmpdir(), `vmarket-german-findings-${key}.vhd`);
  if (!existsSync(intact)) await buildImage({ files: SECRETS, output: intact });
  const image = path.join(os.tmpdir(), `vmarket-german-findings-${key}-bad-checksum.vhd`);
  await copyFile(intact, image);
  const file = await open(image, 'r+');
  try {
    const { size } = await file.stat();
    const footer = Buffer.alloc(512);
    await file.read(footer, 0, 512, size - 512);
    footer[30] ^= 0x01;
    await file.write(footer, 0, 512, size - 512);
    const hex = (value: number) => `0x${value.toString(16).padStart(8, '0')}`;
    return { image, stored: hex(footer.readUInt32BE(64)), computed: hex(vhdChecksum(footer)) };
  } finally {
    await file.close();
  }
}

let report: CertificationReport;
let checksums: { stored: string; computed: string };
before(async () => {
  const { image, ...sums } = await damagedImage();
  checksums = sums;
  report = await certifyImages({ osDisk: image, config: { clamav: { mode: 'off', databaseDir: '/nonexistent' } } });
});

function checkIn(id: string): CheckResult {
  const found = report.checks.find((c) => c.id === id);
  assert.ok(found, id);
  return found;
}

const german = (e: Evidence) => e.translations?.de?.detail;

test('a damaged VHD footer checksum: image.format fails in German under translations, English unchanged', () => {
  const format = checkIn('image.format');
  const { stored, computed } = checksums;
  assert.equal(format.status, 'failed');
  assert.equal(format.message, `a disk is not accepted: The VHD footer checksum is ${stored}, but the footer's contents give ${computed}.`);
  assert.equal(format.translations?.de?.message, `ein Datenträger wird nicht akzeptiert: Die Prüfsumme im VHD-Footer ist ${stored}, aus dem Inhalt des Footers ergibt sich aber ${computed}.`);
  assert.deepEqual(
    format.evidence.map((e) => [e.image, e.detail, german(e)]),
    [['os', `The VHD footer checksum is ${stored}, but the footer's contents give ${computed}.`, `Die Prüfsumme im VHD-Footer ist ${stored}, aus dem Inhalt des Footers ergibt sich aber ${computed}.`]],
  );
});

test('a private key, an AWS key id and EICAR are reported in German, the key material masked', () => {
  const keys = checkIn('linux.private-keys');
  assert.equal(keys.status, 'failed');
  const key = keys.evidence.find((e) => e.path === '/root/.ssh/id_rsa');
  assert.ok(key);
  assert.equal(key.detail, 'RSA private key block (-----BEGIN RSA PRIVATE KEY-----)');
  assert.equal(german(key), 'Block eines privaten RSA-Schlüssels (-----BEGIN RSA PRIVATE KEY-----)');

  const cloud = checkIn('linux.cloud-credentials');
  assert.equal(cloud.status, 'failed');
  assert.deepEqual(
    cloud.evidence.map((e) => [e.path, e.line, e.detail, german(e)]),
    [
      ['/root/.aws/credentials', undefined, 'AWS CLI credentials file', 'Zugangsdatendatei der AWS CLI'],
      ['/root/.aws/credentials', 2, 'AWS access key id AKIA************1234', 'AWS-Zugriffsschlüssel-ID AKIA************1234'],
    ],
  );
  assert.ok(!JSON.stringify(report).includes('ZZZZZZZZZZZZ1234'), 'the key id is masked in every language');

  const malware = checkIn('malware.scan');
  assert.equal(malware.status, 'failed');
  assert.deepEqual(malware.evidence.map((e) => [e.path, e.detail, german(e)]), [['/var/tmp/eicar.com', 'EICAR-Test-File (built-in) at byte 0', 'EICAR-Test-File (built-in) bei Byte 0']]);
  assert.match(malware.translations?.de?.message ?? '', /^1 Treffer auf Schadsoftware \(erster: \/var\/tmp\/eicar\.com: EICAR-Test-File \(built-in\) bei Byte 0\); [\d.]+ Dateien geprüft; Engines: EICAR-Testsignatur/);
  assert.match(malware.message, /^1 malware match \(first: \/var\/tmp\/eicar\.com: EICAR-Test-File \(built-in\) at byte 0\); \d+ files scanned; engines: EICAR test signature/);
});

test('under the azure profile a raw disk is not accepted, and a footer with a disk type no VHD has, read in German', async () => {
  const noCookie = Buffer.concat([Buffer.alloc(MIB), vhdFooter({ size: MIB })]);
  noCookie.write('xonectix', MIB, 'latin1');
  const raw = await detectFormat(bufferReader(noCookie));
  const config = { profile: 'azure' as const };
  const [en, de] = await Promise.all([
    runCheck('image.format', treeWith(), { disk: { info: raw }, config }),
    runCheck('image.format', treeWith(), { disk: { info: raw }, config, locale: 'de' }),
  ]);
  assert.equal(en.message, 'a disk is not accepted: the disk is a raw image, and this marketplace accepts vhd-fixed');
  assert.equal(de.message, 'ein Datenträger wird nicht akzeptiert: der Datenträger ist ein raw-Image, und dieser Marktplatz akzeptiert vhd-fixed');
  assert.equal((await runCheck('image.format', treeWith(), { disk: { info: raw } })).status, 'passed');

  const oddType = await detectFormat(bufferReader(Buffer.concat([Buffer.alloc(MIB), vhdFooter({ size: MIB, diskType: 7 })])));
  const odd = await runCheck('image.format', treeWith(), { disk: { info: oddType }, locale: 'de' });
  assert.deepEqual(odd.evidence.map((e) => e.detail), ['Der VHD-Footer nennt den Datenträgertyp 7, der weder fest (2) noch dynamisch (3) noch differenzierend (4) ist.']);
});

test('overlapping partitions and one beyond the end of the disk read in German', async () => {
  const bytes = Buffer.alloc(16 * MIB);
  mbrSector([
    { type: 0x83, startLba: 2048, sectors: 16384 },
    { type: 0x83, startLba: 16384, sectors: 8192 },
    { type: 0x82, startLba: 30000, sectors: 4096 },
  ]).copy(bytes, 0);
  const disk = bufferReader(bytes);
  const table = await readPartitionTable(disk);
  const [en, de] = await Promise.all([runCheck('image.partitions', treeWith(), { disk: { table, disk } }), runCheck('image.partitions', treeWith(), { disk: { table, disk }, locale: 'de' })]);
  assert.equal(de.status, 'failed');
  const swap = `${30000 * SECTOR}–${34096 * SECTOR - 1}`;
  const first = `${2048 * SECTOR}–${18432 * SECTOR - 1}`;
  const second = `${16384 * SECTOR}–${24576 * SECTOR - 1}`;
  assert.equal(en.evidence.length, 2, 'the partition beyond the disk is reported once, not again by the check');
  assert.deepEqual(en.evidence.slice(0, 2).map((e) => e.detail), [
    `Partition 3 (Linux swap, bytes ${swap}) ends beyond the end of the disk (${16 * MIB} bytes).`,
    `Partitions 1 (bytes ${first}) and 2 (bytes ${second}) overlap.`,
  ]);
  assert.deepEqual(de.evidence.slice(0, 2).map((e) => e.detail), [
    `Die Partition 3 (Linux swap, Byte ${swap}) endet hinter dem Ende des Datenträgers (16.777.216 Byte).`,
    `Die Partitionen 1 (Byte ${first}) und 2 (Byte ${second}) überlappen sich.`,
  ]);
  assert.ok(de.message.startsWith(de.evidence[0].detail), de.message);
  assert.doesNotMatch(de.message, /\b(bytes|ends beyond|overlap)\b/);
});
