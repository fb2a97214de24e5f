/** `vmarket certify` as a user runs it: exit codes 0/1/2, --json (one document), --sarif, data disks, errors as one sentence. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { baseLinuxTree, buildImage } from '../fixtures/images.ts';
import { vmarket } from '../helpers/cli.ts';
import { convertImage } from '../fixtures/qemu.ts';
import { LIFTED_READ_LIMITS_YAML, spinningImage } from './sandbox/images.ts';

let dir: string;
let good: string;
let bad: string;
let data: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmarket-certify-cli-'));
  good = path.join(dir, 'good.vhd');
  bad = path.join(dir, 'bad.vhd');
  data = path.join(dir, 'data.vhd');
  await buildImage({ ...baseLinuxTree(), output: good });
  await buildImage({ files: [...baseLinuxTree().files.filter((f) => f.path !== '/etc/ssh/sshd_config'), { path: '/etc/ssh/sshd_config', content: 'PasswordAuthentication yes\nClientAliveInterval 120\n' }], output: bad });
  await buildImage({ files: [{ path: '/data/readme.txt', content: 'data disk' }], output: data, dataOnly: true, sizeMiB: 32 });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ VMARKET_CREDENTIALS: path.join(dir, 'credentials.json'), VMARKET_CONFIG: path.join(dir, 'config.yaml') });

test('a passing image exits 0 with the readable table; --json prints exactly one report document', async () => {
  await writeFile(path.join(dir, 'config.yaml'), 'certification:\n  clamav: { mode: off }\n');
  const table = await vmarket(['certify', good], { env: env() });
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^PASSED/);
  assert.match(table.stdout, /linux\.ssh-password-auth/);
  const json = await vmarket(['certify', good, '--data-disk', data, '--json'], { env: env() });
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.equal(report.result, 'passed');
  assert.deepEqual(report.images.map((i: { role: string; lun: number | null }) => [i.role, i.lun]), [['os', null], ['data', 0]]);
  assert.equal(report.checks.length, 26);
  assert.deepEqual(Object.keys(report), ['result', 'images', 'checks', 'stats', 'sbom'], 'the SBOM summary, never the document');
});

test('a failing image exits 1; the table lists failed checks first with evidence and the fix; --sarif is valid SARIF 2.1.0', async () => {
  const sarifFile = path.join(dir, 'out.sarif');
  const result = await vmarket(['certify', bad, '--sarif', sarifFile], { env: env() });
  assert.equal(result.code, 1, result.stderr);
  const lines = result.stdout.split('\n');
  assert.match(lines[0], /^FAILED/);
  const firstCheck = lines.findIndex((l) => /^(FAIL|WARN|ok|skip) /.test(l));
  assert.match(lines[firstCheck], /^FAIL\s+linux\.ssh-password-auth/);
  assert.match(result.stdout, /- os \/etc\/ssh\/sshd_config:1: PasswordAuthentication yes/);
  assert.match(result.stdout, /fix: Set `PasswordAuthentication no`/);
  const sarif = JSON.parse(await readFile(sarifFile, 'utf8'));
  assert.equal(sarif.version, '2.1.0');
  const run = sarif.runs[0];
  assert.equal(run.tool.driver.name, 'vmarket');
  // a rule for each of the 26 engine checks, the sandbox's two (image.certification-time, -crash) and the 4 boot checks
  assert.equal(run.tool.driver.rules.length, 32);
  const failure = run.results.find((r: { ruleId: string }) => r.ruleId === 'linux.ssh-password-auth');
  assert.equal(failure.level, 'error');
  assert.equal(run.tool.driver.rules[failure.ruleIndex].id, 'linux.ssh-password-auth');
  assert.equal(failure.locations[0].physicalLocation.artifactLocation.uri, '/etc/ssh/sshd_config');
  assert.equal(failure.locations[0].physicalLocation.region.startLine, 1);
  assert.match(failure.locations[0].message.text, /^os \(/);
  for (const r of run.results) assert.ok(['error', 'warning'].includes(r.level));
});

test('unreadable input and bad usage exit 2 with one sentence and no stack trace', async () => {
  const missing = await vmarket(['certify', path.join(dir, 'missing.vhd')], { env: env() });
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr.trim().split('\n').length, 1);
  assert.match(missing.stderr, /^vmarket: the image .*missing\.vhd cannot be read: no such file/);
  const directory = await vmarket(['certify', dir, '--json'], { env: env() });
  assert.equal(directory.code, 2);
  assert.equal(JSON.parse(directory.stdout).error.code, 'FILE_UNREADABLE');
  const usage = await vmarket(['certify'], { env: env() });
  assert.equal(usage.code, 2);
  const badConfig = await vmarket(['certify', good, '--config', path.join(dir, 'nope.yaml')], { env: env() });
  assert.equal(badConfig.code, 2);
  assert.doesNotMatch(badConfig.stderr, /\n\s+at /);
  // the boot options need --boot, and their values are checked before anything runs
  const portWithoutBoot = await vmarket(['certify', good, '--port', '80'], { env: env() });
  assert.equal(portWithoutBoot.code, 2);
  assert.match(portWithoutBoot.stderr, /^vmarket: --boot-timeout, --boot-console and --port apply to a boot: add --boot\.\n$/);
  const badPort = await vmarket(['certify', good, '--boot', '--port', '70000'], { env: env() });
  assert.equal(badPort.code, 2);
  assert.match(badPort.stderr, /--port.*must be a TCP port from 1 to 65535/);
  const badTimeout = await vmarket(['certify', good, '--boot', '--boot-timeout', '-5'], { env: env() });
  assert.equal(badTimeout.code, 2);
  assert.match(badTimeout.stderr, /--boot-timeout.*must be a positive number of seconds/);
});

test('an image the engine cannot finish exits 1 at the time limit with the failed image.certification-time check', async () => {
  const spin = await spinningImage(path.join(dir, 'spin.vhd'));
  await writeFile(path.join(dir, 'config.yaml'), `certification:\n  clamav: { mode: off }\n  sandbox: { timeLimitSeconds: 3 }\n  ${LIFTED_READ_LIMITS_YAML}\n`);
  const run = await vmarket(['certify', spin, '--json'], { env: env() });
  assert.equal(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.result, 'failed');
  const stopped = report.checks.find((c: { id: string }) => c.id === 'image.certification-time');
  assert.equal(stopped.status, 'failed');
  assert.match(stopped.evidence[0].detail, /certification\.sandbox\.timeLimitSeconds = 3/);
  assert.ok(report.checks.filter((c: { status: string }) => c.status === 'skipped').length >= 20, 'the engine checks did not run');
});

test('--accept-formats and --profile set the format policy locally; a qcow2 certifies; a bad list exits 2 naming it', async () => {
  await writeFile(path.join(dir, 'config.yaml'), 'certification:\n  clamav: { mode: off }\n');
  // the fixed VHD sized by its footer (qemu-img's default for a VHD from another creator is its CHS geometry, smaller)
  const source = `json:${JSON.stringify({ driver: 'vpc', force_size_calc: 'current_size', file: { driver: 'file', filename: good } })}`;
  const qcow2 = await convertImage(source, path.join(dir, 'good.qcow2'), 'qcow2');
  const passed = await vmarket(['certify', qcow2, '--json'], { env: env() });
  assert.equal(passed.code, 0, passed.stdout);
  const report = JSON.parse(passed.stdout);
  assert.equal(report.images[0].format, 'qcow2');
  assert.match(report.images[0].virtualSha256, /^[0-9a-f]{64}$/);

  const onlyRaw = await vmarket(['certify', qcow2, '--accept-formats', 'raw,vhd-fixed', '--json'], { env: env() });
  assert.equal(onlyRaw.code, 1);
  const format = JSON.parse(onlyRaw.stdout).checks.find((c: { id: string }) => c.id === 'image.format');
  assert.equal(format.message, 'a disk is not accepted: the disk is a qcow2 image, and this marketplace accepts raw, vhd-fixed');

  const azure = await vmarket(['certify', qcow2, '--profile', 'azure', '--json'], { env: env() });
  assert.equal(azure.code, 1);
  assert.match(JSON.parse(azure.stdout).checks.find((c: { id: string }) => c.id === 'image.format').message, /accepts vhd-fixed$/);
  assert.equal((await vmarket(['certify', good, '--profile', 'azure'], { env: env() })).code, 0);

  const bogus = await vmarket(['certify', qcow2, '--accept-formats', 'qcow2,iso'], { env: env() });
  assert.equal(bogus.code, 2);
  assert.match(bogus.stderr, /not a disk format: iso; formats are raw, qcow2, vmdk, vhdx, vhd-fixed, vhd-dynamic/);
});
