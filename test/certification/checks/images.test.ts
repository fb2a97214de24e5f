/**
 * Every check family on real disk images built by the fixtures (mkfs -d → own MBR/GPT → own VHD
 * footer; foreign formats through qemu-img): a passing image, and images that fail each check,
 * certified through certifyImages as the CLI and the pipeline call it.
 */
import assert from 'node:assert/strict';
import type { CertificationConfig } from '../../../src/config/schema.ts';
import { convertImage } from '../../fixtures/qemu.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { certifyImages } from '../../../src/certification/index.ts';
import type { CertificationReport, CheckResult } from '../../../src/certification/types.ts';
import { baseLinuxTree, buildImage, type FileSpec, type ImageSpec } from '../../fixtures/images.ts';
import { ELF_MACHINE, elfBinary, openSshPrivateKey } from '../../fixtures/linux-tree.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmarket-cert-images-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The base tree with files replaced (same path) or added, and paths in `remove` (with their subtrees) dropped. */
function tree(changes: FileSpec[] = [], remove: string[] = []): FileSpec[] {
  const replaced = new Set(changes.map((c) => c.path));
  const gone = (p: string) => replaced.has(p) || remove.some((r) => p === r || p.startsWith(`${r}/`));
  return [...baseLinuxTree().files.filter((f) => !gone(f.path)), ...changes];
}

let counter = 0;
async function certify(spec: Omit<ImageSpec, 'output'>, data: Omit<ImageSpec, 'output'>[] = [], config: Partial<CertificationConfig> = {}): Promise<CertificationReport> {
  const extension = spec.format === 'vhd-dynamic' || spec.format === 'vhd-fixed' || !spec.format ? 'vhd' : spec.format;
  const output = path.join(dir, `img-${++counter}.${extension}`);
  await buildImage({ ...spec, output });
  const dataDisks = [];
  for (const [lun, d] of data.entries()) {
    const dataOutput = path.join(dir, `data-${counter}-${lun}.vhd`);
    await buildImage({ ...d, output: dataOutput });
    dataDisks.push({ lun, path: dataOutput });
  }
  return certifyImages({ osDisk: output, dataDisks, config: { clamav: { mode: 'off', databaseDir: '/nonexistent' }, ...config } });
}

function check(report: CertificationReport, id: string): CheckResult {
  const found = report.checks.find((c) => c.id === id);
  assert.ok(found, `the report has ${id}`);
  return found;
}

test('the base image passes every check; the report has the contract shape', async () => {
  const report = await certify({ files: tree() });
  // without a vulnerability database (test/certification/sbom-vulnerabilities.test.ts syncs one) that check is skipped
  for (const c of report.checks) assert.equal(c.status, c.id === 'packages.vulnerabilities' ? 'skipped' : 'passed', `${c.id}: ${c.message}`);
  assert.equal(report.result, 'passed');
  assert.equal(report.checks.length, 26);
  assert.equal(report.images[0].role, 'os');
  assert.equal(report.images[0].lun, null);
  assert.equal(report.images[0].format, 'vhd-fixed');
  assert.equal(report.images[0].virtualSize, 64 * 1024 * 1024);
  assert.match(report.images[0].sha256, /^[0-9a-f]{64}$/);
  assert.ok(report.stats.files >= 20 && report.stats.bytesRead > 0 && report.stats.durationMs >= 0);
});

test('one image with every Linux defect fails each Linux check with evidence', async () => {
  const report = await certify({
    files: tree([
      { path: '/etc/shadow', content: 'root:$6$abcdefgh$' + 'Q'.repeat(86) + ':19000:0:99999:7:::\nguest::19000:0:99999:7:::\n', mode: 0o640 },
      { path: '/etc/fstab', content: 'LABEL=cloudimg-rootfs / ext4 defaults 0 1\n/swap.img none swap sw 0 0\n' },
      { path: '/etc/ssh/sshd_config', content: 'PermitRootLogin yes\nPasswordAuthentication yes\nClientAliveInterval 0\n' },
      { path: '/boot/grub/grub.cfg', content: 'menuentry x {\n  linux /vmlinuz root=/dev/sda1 ro quiet\n}\n' },
      { path: '/usr/bin/dash', content: elfBinary(ELF_MACHINE.i386, 32), mode: 0o755 },
      { path: '/root/.bash_history', content: 'sudo cat /etc/shadow\n'.repeat(80) },
      { path: '/root/.ssh/authorized_keys', content: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 admin@corp\n', mode: 0o600 },
      { path: '/opt/deploy/id_rsa', content: openSshPrivateKey(9), mode: 0o600 },
      { path: '/home/ubuntu/.aws/credentials', content: '[default]\naws_access_key_id = AKIAABCDEFGHIJKLMNOP\n', uid: 1000 },
    ], ['/usr/bin/cloud-init', '/etc/cloud', '/var/lib/dpkg/status']),
  });
  assert.equal(report.result, 'failed');
  const expectations: [string, string, string | undefined][] = [
    ['linux.root-password', 'failed', '/etc/shadow'],
    ['linux.empty-passwords', 'failed', '/etc/shadow'],
    ['linux.swap', 'failed', '/etc/fstab'],
    ['linux.ssh-root-login', 'failed', '/etc/ssh/sshd_config'],
    ['linux.ssh-password-auth', 'failed', '/etc/ssh/sshd_config'],
    ['linux.ssh-client-alive', 'failed', '/etc/ssh/sshd_config'],
    ['linux.kernel-console', 'failed', '/boot/grub/grub.cfg'],
    ['linux.architecture', 'failed', '/usr/bin/dash'],
    ['linux.shell-history', 'failed', '/root/.bash_history'],
    ['linux.authorized-keys', 'failed', '/root/.ssh/authorized_keys'],
    ['linux.private-keys', 'failed', '/opt/deploy/id_rsa'],
    ['linux.cloud-credentials', 'failed', '/home/ubuntu/.aws/credentials'],
    ['linux.provisioning-agent', 'failed', undefined],
  ];
  for (const [id, status, evidencePath] of expectations) {
    const c = check(report, id);
    assert.equal(c.status, status, `${id}: ${c.message}`);
    if (evidencePath) assert.ok(c.evidence.some((e) => e.path === evidencePath && e.image === 'os'), `${id} evidence names ${evidencePath}: ${JSON.stringify(c.evidence)}`);
  }
  assert.equal(check(report, 'linux.root-password').evidence[0].line, 1);
  assert.ok(!JSON.stringify(report).includes('QQQQQQQQ'), 'no password hash in the report');
  assert.ok(!JSON.stringify(report).includes('AKIAABCDEFGHIJKLMNOP'), 'the key id is masked');
  assert.equal(check(report, 'linux.os-release').status, 'passed');
});

test('unsupported OS, and a warning-only image still passes', async () => {
  const old = await certify({ files: tree([{ path: '/etc/os-release', content: 'ID=ubuntu\nVERSION_ID="16.04"\n' }]) });
  assert.equal(check(old, 'linux.os-release').status, 'failed');
  assert.equal(old.result, 'failed');
  const warn = await certify({ files: tree([{ path: '/root/.bash_history', content: 'ls\n' }], ['/usr/sbin/sshd']) });
  assert.equal(check(warn, 'linux.shell-history').status, 'warning');
  assert.equal(check(warn, 'linux.ssh-server').status, 'passed', 'openssh-server is still in the dpkg database');
  assert.equal(warn.result, 'passed');
});

test('image.size and image.partitions: under 20 MiB (azure profile), first partition before 1 MiB, swap partition, no partition table', async () => {
  const small = await certify({ files: tree(), sizeMiB: 16 }, [], { profile: 'azure' });
  assert.equal(check(small, 'image.size').status, 'failed');
  assert.match(check(small, 'image.size').message, /under 20 MiB/);
  const standard = await certify({ files: tree(), sizeMiB: 16 });
  assert.equal(check(standard, 'image.size').status, 'passed', 'the standard profile takes any whole number of sectors from 1 MiB');
  const early = await certify({ files: tree(), firstPartitionStartMiB: 0.5 });
  assert.equal(check(early, 'image.partitions').status, 'failed');
  assert.match(check(early, 'image.partitions').message, /before 1 MiB/);
  const swap = await certify({ files: tree(), swapPartitionMiB: 8 });
  assert.equal(check(swap, 'linux.swap').status, 'failed');
  assert.match(check(swap, 'linux.swap').message, /partition 2/);
  const bare = await certify({ files: tree(), partitionTable: 'none' });
  assert.equal(check(bare, 'image.partitions').status, 'failed');
  assert.equal(check(bare, 'linux.os-release').status, 'passed', 'a whole-disk file system is still read');
  const gpt = await certify({ files: tree(), partitionTable: 'gpt' });
  assert.equal(gpt.result, 'passed', JSON.stringify(gpt.checks.filter((c) => c.status !== 'passed')));
});

test('every format qemu-img makes is read like the fixed VHD; the azure profile and acceptedFormats refuse the others', async () => {
  // one disk in every container: qemu-img converts our raw build (a build per format would differ in UUIDs and times)
  const raw = path.join(dir, 'all-formats.raw');
  await buildImage({ files: tree(), output: raw, format: 'raw' });
  const engine = (osDisk: string, config: Partial<CertificationConfig> = {}) => certifyImages({ osDisk, config: { clamav: { mode: 'off', databaseDir: '/nonexistent' }, ...config } });
  const fixedVhd = await engine(await convertImage(raw, path.join(dir, 'all-formats.vhd'), 'vpc', { from: 'raw', o: 'subformat=fixed,force_size=on' }));
  assert.equal(fixedVhd.images[0].format, 'vhd-fixed');
  const statuses = (report: CertificationReport) => report.checks.filter((c) => !c.id.startsWith('image.')).map((c) => [c.id, c.status]);
  const targets = { raw: ['raw'], 'vhd-dynamic': ['vpc', 'subformat=dynamic,force_size=on'], qcow2: ['qcow2'], vmdk: ['vmdk'], vhdx: ['vhdx'] } as const;
  for (const [format, [target, o]] of Object.entries(targets) as [keyof typeof targets, readonly string[]][]) {
    const file = format === 'raw' ? raw : await convertImage(raw, path.join(dir, `all-formats.${format}`), target, { from: 'raw', ...(o ? { o } : {}) });
    const report = await engine(file);
    assert.equal(report.images[0].format, format);
    assert.equal(check(report, 'image.format').status, 'passed', `${format}: ${check(report, 'image.format').message}`);
    assert.equal(report.result, 'passed', format);
    assert.deepEqual(statuses(report), statuses(fixedVhd), format);
    assert.match(report.images[0].virtualSha256 ?? '', /^[0-9a-f]{64}$/);
    assert.equal(report.images[0].virtualSha256, fixedVhd.images[0].virtualSha256, `${format}: the same virtual disk`);

    const azure = await engine(file, { profile: 'azure' });
    assert.equal(check(azure, 'image.format').status, 'failed', format);
    assert.equal(check(azure, 'image.format').message, `a disk is not accepted: the disk is a ${format} image, and this marketplace accepts vhd-fixed`);
    assert.equal(check(azure, 'linux.os-release').status, 'passed', `${format}: the contents are still read`);
  }
  const onlyQcow2 = await engine(raw, { acceptedFormats: ['qcow2'] });
  assert.equal(check(onlyQcow2, 'image.format').message, 'a disk is not accepted: the disk is a raw image, and this marketplace accepts qcow2');
});

test('ext2 and ext3 roots pass; a data disk with a private key and EICAR is scanned too', async () => {
  for (const fsType of ['ext2', 'ext3'] as const) {
    const report = await certify({ files: tree(), fsType });
    assert.equal(report.result, 'passed', `${fsType}: ${JSON.stringify(report.checks.filter((c) => c.status !== 'passed'))}`);
  }
  const { EICAR } = await import('../../../src/certification/malware/eicar.ts');
  const report = await certify({ files: tree() }, [
    { files: [{ path: '/clean/readme.txt', content: 'data' }], dataOnly: true, sizeMiB: 32 },
    { files: [{ path: '/backups/key.pem', content: openSshPrivateKey(4) }, { path: '/samples/eicar.com', content: EICAR }], dataOnly: true, sizeMiB: 32 },
  ]);
  assert.equal(report.images.length, 3);
  assert.deepEqual(report.images.map((i) => [i.role, i.lun]), [['os', null], ['data', 0], ['data', 1]]);
  assert.deepEqual(check(report, 'malware.scan').evidence.map((e) => [e.image, e.lun, e.path]), [['data', 1, '/samples/eicar.com']]);
  assert.deepEqual(check(report, 'linux.private-keys').evidence.map((e) => [e.image, e.lun, e.path]), [['data', 1, '/backups/key.pem']]);
  assert.equal(check(report, 'image.partitions').status, 'passed');
});

test('an image whose content is not the format its name or the offer declares is refused, and nothing inside it is read', async () => {
  const raw = path.join(dir, 'declared.raw');
  await buildImage({ files: tree(), output: raw, format: 'raw' });
  const config = { clamav: { mode: 'off' as const, databaseDir: '/nonexistent' } };
  const declared = await certifyImages({ osDisk: raw, osDiskKnown: { name: 'images/debian.raw', format: 'qcow2' }, config });
  const format = check(declared, 'image.format');
  assert.equal(format.status, 'failed');
  assert.equal(format.message, 'a disk is not accepted: The offer declares the image as a qcow2 image, but the file holds a raw disk.');
  assert.equal(check(declared, 'linux.os-release').status, 'failed', 'a refused image is not read');
  assert.equal(declared.images[0].virtualSha256, undefined);
  const named = await certifyImages({ osDisk: raw, osDiskKnown: { name: 'https://images.example.com/debian-12.vmdk' }, config });
  assert.equal(check(named, 'image.format').message, 'a disk is not accepted: The file is named https://images.example.com/debian-12.vmdk, which says a VMDK image, but it holds a raw disk.');
});
