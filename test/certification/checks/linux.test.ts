/** Linux checks on the GuestFs double: each check failing and passing, with its evidence. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { findInstalled, readInstalledPackages } from '../../../src/certification/checks/packages.ts';
import { CHECKS } from '../../../src/certification/checks/registry.ts';
import { ELF_MACHINE, elfBinary } from '../../fixtures/linux-tree.ts';
import { makeRpmFixtures } from '../../fixtures/rpm.ts';
import { contextFor, runCheck, treeWith } from '../context.ts';
import { MemoryFs } from '../memory-fs.ts';

const MIB = 1024 * 1024;

test('the base fixture tree passes every check', async () => {
  const context = await contextFor(treeWith());
  for (const check of CHECKS) {
    const outcome = await check.run(context);
    // without a vulnerability database (test/certification/sbom-vulnerabilities.test.ts syncs one) that check is skipped
    assert.equal(outcome.status, check.id === 'packages.vulnerabilities' ? 'skipped' : 'passed', `${check.id}: ${JSON.stringify(outcome.message)}`);
  }
});

test('linux.os-release: missing, unsupported distribution, unsupported version, major-version match, operator list', async () => {
  const missing = await runCheck('linux.os-release', treeWith({ '/etc/os-release': null, '/etc/fstab': 'UUID=x / ext4 defaults 0 1\n' }));
  assert.equal(missing.status, 'failed');
  assert.match(missing.message, /found ext4 on partition 1 without \/etc\/os-release/);
  // a file system that mounts itself at / by device name is the root even without os-release
  const byDevice = await runCheck('linux.os-release', treeWith({ '/etc/os-release': null, '/etc/fstab': '/dev/sda1 / ext4 defaults 0 1\n' }));
  assert.equal(byDevice.status, 'failed');
  assert.equal(byDevice.message, '/etc/os-release is missing');
  const arch = await runCheck('linux.os-release', treeWith({ '/etc/os-release': 'ID=arch\nVERSION_ID=rolling\n' }));
  assert.equal(arch.status, 'failed');
  assert.match(arch.message, /"arch" is not supported/);
  const old = await runCheck('linux.os-release', treeWith({ '/etc/os-release': 'ID=ubuntu\nVERSION_ID="18.04"\n' }));
  assert.equal(old.status, 'failed');
  assert.deepEqual(old.evidence![0], { image: 'os', path: '/etc/os-release', detail: 'ID=ubuntu VERSION_ID=18.04' });
  assert.equal((await runCheck('linux.os-release', treeWith({ '/etc/os-release': 'ID="rhel"\nVERSION_ID="9.4"\n' }))).status, 'passed');
  assert.equal((await runCheck('linux.os-release', treeWith({ '/etc/os-release': 'ID=sles\nVERSION_ID="15.5"\n' }))).status, 'passed');
  assert.equal((await runCheck('linux.os-release', treeWith(), { config: { supportedOs: [{ id: 'debian', versions: ['12'] }] } })).status, 'failed');
  // os-release as the usual symlink into /usr/lib
  const linked = treeWith({ '/etc/os-release': { path: '', type: 'symlink', target: '../usr/lib/os-release' }, '/usr/lib/os-release': 'ID=debian\nVERSION_ID="12"\n' });
  assert.equal((await runCheck('linux.os-release', linked)).status, 'passed');
});

test('no Linux root: os-release fails naming what was found, root-partition fails, Linux checks are skipped', async () => {
  const part = (n: number) => ({ number: n, scheme: 'gpt' as const, type: 'x', typeName: 'Linux', startByte: n * MIB, sizeBytes: MIB });
  const options = { fileSystems: [{ partition: part(1), kind: 'xfs' as const, fs: null }, { partition: part(2), kind: 'lvm' as const, fs: null }] };
  const release = await runCheck('linux.os-release', null, options);
  assert.equal(release.status, 'failed');
  assert.match(release.message, /xfs on partition 1 that could not be read, an LVM physical volume on partition 2/);
  assert.equal((await runCheck('linux.root-partition', null, options)).status, 'failed');
  const ssh = await runCheck('linux.ssh-password-auth', null, options);
  assert.equal(ssh.status, 'skipped');
  const encrypted = await runCheck('linux.os-release', null, { fileSystems: [{ partition: part(1), kind: 'luks', fs: null }] });
  assert.match(encrypted.message, /encrypted/);
  const empty = await runCheck('linux.os-release', null, { fileSystems: [], disk: { table: { scheme: 'none', partitions: [], problems: [] } } });
  assert.match(empty.message, /no partition table and no file system/);
});

test('linux.root-partition: two root candidates fail', async () => {
  const { MemoryFs } = await import('../memory-fs.ts');
  const fs = () => new MemoryFs(treeWith());
  const part = (n: number) => ({ number: n, scheme: 'mbr' as const, type: '0x83', typeName: 'Linux', startByte: n * MIB, sizeBytes: MIB });
  const outcome = await runCheck('linux.root-partition', null, { fileSystems: [{ partition: part(1), kind: 'ext4', fs: fs() }, { partition: part(2), kind: 'ext4', fs: fs() }] });
  assert.equal(outcome.status, 'failed');
  assert.match(outcome.message, /2 file systems/);
});

test('linux.architecture: follows the usrmerge symlink; 32-bit or foreign binaries fail; aarch64 passes', async () => {
  const passed = await runCheck('linux.architecture', treeWith());
  assert.equal(passed.status, 'passed');
  assert.equal(passed.evidence![0].path, '/usr/bin/dash');
  const i386 = await runCheck('linux.architecture', treeWith({ '/usr/bin/dash': elfBinary(ELF_MACHINE.i386, 32) }));
  assert.equal(i386.status, 'failed');
  assert.deepEqual([i386.evidence![0].path, i386.evidence![0].detail], ['/usr/bin/dash', 'ELF 32-bit x86 (i386)']);
  const arm = ELF_MACHINE.aarch64;
  assert.equal((await runCheck('linux.architecture', treeWith({ '/usr/bin/dash': elfBinary(arm), '/usr/bin/bash': elfBinary(arm), '/usr/bin/ls': elfBinary(arm), '/usr/sbin/sshd': elfBinary(arm) }))).status, 'passed');
  const mixed = await runCheck('linux.architecture', treeWith({ '/usr/bin/old-tool': elfBinary(ELF_MACHINE.arm, 32) }));
  assert.equal(mixed.status, 'failed');
  assert.equal(mixed.evidence![0].path, '/usr/bin/old-tool');
  const script = await runCheck('linux.architecture', treeWith({ '/usr/bin/dash': '#!/bin/busybox\n' }));
  assert.equal(script.status, 'failed');
});

test('linux.provisioning-agent: files, dpkg, RPM SQLite and BerkeleyDB databases, or nothing', async () => {
  const none = { '/usr/bin/cloud-init': null, '/etc/cloud': null, '/var/lib/dpkg/status': 'Package: cloud-init\nStatus: deinstall ok config-files\n\nPackage: bash\nStatus: install ok installed\n' };
  const failed = await runCheck('linux.provisioning-agent', treeWith(none));
  assert.equal(failed.status, 'failed');
  assert.match(failed.message, /neither cloud-init nor waagent/);
  assert.equal((await runCheck('linux.provisioning-agent', treeWith({ ...none, '/usr/sbin/waagent': '#!/usr/bin/python3\n' }))).status, 'passed');
  const dpkg = await runCheck('linux.provisioning-agent', treeWith({ ...none, '/var/lib/dpkg/status': 'Package: walinuxagent\nStatus: install ok installed\n' }));
  assert.equal(dpkg.status, 'passed');
  assert.match(dpkg.message, /walinuxagent/);

  // real rpm databases (rpmbuild + rpm, db5.3_load; test/fixtures/rpm.ts) in each format the reader reads:
  // their packages are found, and a missing agent names the database it read
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmarket-rpmdb-test-'));
  try {
    const rpm = await makeRpmFixtures(dir);
    const databases = [
      ['/var/lib/rpm/rpmdb.sqlite', rpm.sqlite],
      ['/usr/lib/sysimage/rpm/Packages.db', rpm.ndb],
      ['/var/lib/rpm/Packages', rpm.bdb.littleEndian],
    ] as const;
    for (const [guestPath, file] of databases) {
      const tree = treeWith({ ...none, '/var/lib/dpkg/status': null, [guestPath]: await readFile(file) });
      const packages = await readInstalledPackages(new MemoryFs(tree));
      assert.deepEqual([...packages.names].sort(), ['vm-alpha', 'vm-beta', 'vm-beta-libs'], guestPath);
      assert.deepEqual(findInstalled(packages, ['nothing', 'vm-beta-libs']), { name: 'vm-beta-libs', source: guestPath });
      const missing = await runCheck('linux.provisioning-agent', tree);
      assert.equal(missing.status, 'failed');
      assert.match(missing.message, new RegExp(`package databases read: ${guestPath}\\)`), missing.message);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('linux.kernel-console: grub.cfg linux lines, BLS entries, /etc/default/grub', async () => {
  const grub = (line: string) => ({ '/boot/grub/grub.cfg': `menuentry 'x' {\n\tlinux /vmlinuz root=/dev/sda1 ro ${line}\n}\n` });
  const missing = await runCheck('linux.kernel-console', treeWith(grub('console=tty1 quiet')));
  assert.equal(missing.status, 'failed');
  assert.deepEqual([missing.evidence![0].path, missing.evidence![0].line], ['/boot/grub/grub.cfg', 2]);
  const warn = await runCheck('linux.kernel-console', treeWith(grub('console=ttyS0,115200n8')));
  assert.equal(warn.status, 'warning');
  assert.match(warn.message, /missing earlyprintk=ttyS0$/);
  // Azure asks for rootdelay=300 too; the standard profile does not (it slows every boot)
  assert.equal((await runCheck('linux.kernel-console', treeWith(grub('console=ttyS0 earlyprintk=ttyS0')))).status, 'passed');
  const azure = await runCheck('linux.kernel-console', treeWith(grub('console=ttyS0 earlyprintk=ttyS0')), { config: { profile: 'azure' } });
  assert.equal(azure.status, 'warning');
  assert.match(azure.message, /missing rootdelay=300/);
  assert.equal((await runCheck('linux.kernel-console', treeWith(grub('console=ttyS0 earlyprintk=ttyS0,keep rootdelay=300')))).status, 'passed');
  // console=ttyS01 is another port
  assert.equal((await runCheck('linux.kernel-console', treeWith(grub('console=ttyS01')))).status, 'failed');
  // grub2 with linux16, and a second entry without the console
  const two = { '/boot/grub': null, '/boot/grub2/grub.cfg': 'linux16 /vmlinuz console=ttyS0 earlyprintk=ttyS0 rootdelay=300\nlinuxefi /vmlinuz-rescue ro\n' };
  const rescue = await runCheck('linux.kernel-console', treeWith(two));
  assert.equal(rescue.status, 'failed');
  assert.equal(rescue.evidence![0].line, 2);
  // BLS with $kernelopts from grubenv (RHEL 8)
  const bls = {
    '/boot/grub': null,
    '/boot/grub2/grubenv': '# GRUB Environment Block\nkernelopts=root=/dev/sda2 ro console=ttyS0 earlyprintk=ttyS0 rootdelay=300\n',
    '/boot/loader/entries/abc-5.14.0.conf': 'title Red Hat\nlinux /vmlinuz-5.14.0\noptions $kernelopts\n',
    '/etc/default/grub': 'GRUB_CMDLINE_LINUX="console=ttyS0 earlyprintk=ttyS0 rootdelay=300"\n',
    '/etc/default/grub.d': null,
  };
  const blsOutcome = await runCheck('linux.kernel-console', treeWith(bls));
  assert.equal(blsOutcome.status, 'passed', blsOutcome.message);
  assert.equal(blsOutcome.evidence![0].path, '/boot/loader/entries/abc-5.14.0.conf');
  // only /etc/default/grub (grub.cfg generated at first boot)
  const defaultsOnly = { '/boot/grub': null, '/etc/default/grub.d': null };
  assert.equal((await runCheck('linux.kernel-console', treeWith({ ...defaultsOnly, '/etc/default/grub': 'GRUB_CMDLINE_LINUX="console=ttyS0 earlyprintk=ttyS0 rootdelay=300"\n' }))).status, 'passed');
  assert.equal((await runCheck('linux.kernel-console', treeWith({ ...defaultsOnly, '/etc/default/grub': 'GRUB_CMDLINE_LINUX="quiet"\n' }))).status, 'failed');
  // grub.cfg fine but the defaults would drop the console at the next update-grub
  const drift = await runCheck('linux.kernel-console', treeWith({ '/etc/default/grub.d': null, '/etc/default/grub': 'GRUB_CMDLINE_LINUX="quiet"\n' }));
  assert.equal(drift.status, 'warning');
  assert.match(drift.message, /update-grub/);
  const nothing = await runCheck('linux.kernel-console', treeWith({ '/boot/grub': null, '/etc/default': null }));
  assert.equal(nothing.status, 'failed');
});

test('linux.swap: an fstab swap entry or a swap partition fails', async () => {
  const entry = await runCheck('linux.swap', treeWith({ '/etc/fstab': 'LABEL=root / ext4 defaults 0 1\n# /swapfile none swap sw 0 0\n/swapfile none swap sw 0 0\n' }));
  assert.equal(entry.status, 'failed');
  assert.deepEqual([entry.evidence![0].path, entry.evidence![0].line], ['/etc/fstab', 3]);
  const partition = await runCheck('linux.swap', treeWith(), {
    disk: { table: { scheme: 'mbr', partitions: [{ number: 1, scheme: 'mbr', type: '0x83', typeName: 'Linux', startByte: MIB, sizeBytes: 32 * MIB }, { number: 2, scheme: 'mbr', type: '0x82', typeName: 'Linux swap', startByte: 33 * MIB, sizeBytes: 8 * MIB }], problems: [] } },
  });
  assert.equal(partition.status, 'failed');
  assert.match(partition.evidence![0].detail, /partition 2/);
});

test('linux.shell-history: over 1 KiB fails, smaller warns, in /root and /home/*', async () => {
  const big = await runCheck('linux.shell-history', treeWith({ '/home/ubuntu/.bash_history': 'ls -la\n'.repeat(200), '/root/.python_history': 'print(1)\n' }));
  assert.equal(big.status, 'failed');
  assert.deepEqual(big.evidence!.map((e) => e.path), ['/home/ubuntu/.bash_history', '/root/.python_history']);
  const small = await runCheck('linux.shell-history', treeWith({ '/root/.zsh_history': 'whoami\n' }));
  assert.equal(small.status, 'warning');
  assert.equal((await runCheck('linux.shell-history', treeWith({ '/root/.bash_history': '' }))).status, 'passed');
});

test('linux.root-password and linux.empty-passwords: locked forms, usable hashes, empty fields; never the hash', async () => {
  const shadow = (root: string, more = '') => treeWith({ '/etc/shadow': `root:${root}:19000:0:99999:7:::\n${more}` });
  for (const locked of ['*', '!', '!!', '!*', '!$6$salt$abc', '*LK*']) assert.equal((await runCheck('linux.root-password', shadow(locked))).status, 'passed', locked);
  const hash = '$6$saltsalt$' + 'x'.repeat(86);
  const usable = await runCheck('linux.root-password', shadow(hash));
  assert.equal(usable.status, 'failed');
  assert.deepEqual([usable.evidence![0].path, usable.evidence![0].line], ['/etc/shadow', 1]);
  assert.match(usable.message, /SHA-512/);
  assert.ok(!JSON.stringify(usable).includes('saltsalt'), 'the hash never appears in the result');
  assert.equal((await runCheck('linux.root-password', shadow(''))).status, 'failed');
  const empty = await runCheck('linux.empty-passwords', shadow('*', 'daemon:*:1::::::\nguest::19000:0:99999:7:::\n'));
  assert.equal(empty.status, 'failed');
  assert.deepEqual([empty.evidence![0].line, empty.evidence![0].detail], [3, 'guest has an empty password field']);
  const passwd = await runCheck('linux.empty-passwords', treeWith({ '/etc/passwd': 'root:x:0:0::/root:/bin/bash\nold::1001:1001::/home/old:/bin/sh\n' }));
  assert.equal(passwd.status, 'failed');
  assert.equal(passwd.evidence![0].path, '/etc/passwd');
});

test('linux.authorized-keys: keys anywhere in homes and /etc/skel, AuthorizedKeysFile locations; comments only pass', async () => {
  const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@laptop\n';
  const root = await runCheck('linux.authorized-keys', treeWith({ '/root/.ssh/authorized_keys': `# deploy\n${key}` }));
  assert.equal(root.status, 'failed');
  assert.deepEqual([root.evidence![0].path, root.evidence![0].line], ['/root/.ssh/authorized_keys', 2]);
  assert.match(root.evidence![0].detail, /ssh-ed25519 key \(user@laptop\)/);
  assert.equal((await runCheck('linux.authorized-keys', treeWith({ '/etc/skel/.ssh/authorized_keys2': `command="x",no-pty ${key}` }))).status, 'failed');
  const custom = treeWith({ '/etc/ssh/sshd_config.d/60-keys.conf': 'AuthorizedKeysFile /etc/ssh/keys/%u .ssh/authorized_keys\n', '/etc/ssh/keys/ubuntu': key });
  const customOutcome = await runCheck('linux.authorized-keys', custom);
  assert.equal(customOutcome.status, 'failed');
  assert.equal(customOutcome.evidence![0].path, '/etc/ssh/keys/ubuntu');
  assert.equal((await runCheck('linux.authorized-keys', treeWith({ '/home/ubuntu/.ssh/authorized_keys': '# no keys here\n\n' }))).status, 'passed');
});

test('every check of the contract is registered once, in the contract order', () => {
  assert.deepEqual(CHECKS.map((c) => c.id), [
    'image.format', 'image.size', 'image.partitions', 'linux.os-release', 'linux.os-end-of-life', 'linux.architecture', 'linux.provisioning-agent',
    'linux.kernel-console', 'linux.swap', 'linux.root-partition', 'linux.shell-history', 'linux.root-password',
    'linux.empty-passwords', 'linux.ssh-server', 'linux.ssh-client-alive', 'linux.ssh-password-auth', 'linux.ssh-root-login',
    'linux.ssh-host-keys', 'linux.authorized-keys', 'linux.private-keys', 'linux.cloud-credentials', 'linux.machine-id',
    'linux.package-files', 'packages.vulnerabilities', 'malware.scan', 'image.readable',
  ]);
  const warnings = new Set(['linux.ssh-server', 'linux.ssh-host-keys', 'linux.machine-id', 'linux.package-files']);
  for (const check of CHECKS) {
    assert.ok(check.title && check.remediation, check.id);
    assert.equal(check.severity, warnings.has(check.id) ? 'warning' : 'error');
  }
});
