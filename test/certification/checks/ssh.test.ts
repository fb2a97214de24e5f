/** SSH checks on the GuestFs double: sshd's own reading rules (case, first value, Include, Match, symlinks, defaults). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSshdConfig, splitSshdLine, sshdSeconds } from '../../../src/certification/checks/sshd-config.ts';
import { MemoryFs } from '../memory-fs.ts';
import { runCheck, treeWith } from '../context.ts';

const MAIN = '/etc/ssh/sshd_config';
const DROPIN = '/etc/ssh/sshd_config.d/50-cloudimg-settings.conf';

test('the fixture passes the three SSH settings checks with evidence naming the drop-in', async () => {
  const alive = await runCheck('linux.ssh-client-alive', treeWith());
  assert.equal(alive.status, 'passed');
  assert.deepEqual([alive.evidence![0].path, alive.evidence![0].line], [DROPIN, 1]);
  assert.equal((await runCheck('linux.ssh-password-auth', treeWith())).status, 'passed');
  assert.equal((await runCheck('linux.ssh-root-login', treeWith())).status, 'passed');
});

test('keywords are case-insensitive and the first obtained value wins (an Include before the line wins over it)', async () => {
  const files = treeWith({
    [MAIN]: 'Include /etc/ssh/sshd_config.d/*.conf\npasswordauthentication YES\nPermitRootLogin=yes\n',
    [DROPIN]: 'PASSWORDAUTHENTICATION no\nClientAliveInterval 120\n',
  });
  const pa = await runCheck('linux.ssh-password-auth', files);
  assert.equal(pa.status, 'passed');
  assert.equal(pa.evidence![0].path, DROPIN);
  const root = await runCheck('linux.ssh-root-login', files);
  assert.equal(root.status, 'failed');
  assert.deepEqual([root.evidence![0].path, root.evidence![0].line], [MAIN, 3]);

  const later = treeWith({ [MAIN]: 'PasswordAuthentication yes\nInclude /etc/ssh/sshd_config.d/*.conf\n', [DROPIN]: 'PasswordAuthentication no\nClientAliveInterval 120\n' });
  const failed = await runCheck('linux.ssh-password-auth', later);
  assert.equal(failed.status, 'failed');
  assert.deepEqual([failed.evidence![0].path, failed.evidence![0].line], [MAIN, 1]);
});

test('Include globs are relative to /etc/ssh and expanded in lexical order', async () => {
  const files = treeWith({
    [MAIN]: 'Include sshd_config.d/*.conf\n',
    [DROPIN]: null,
    '/etc/ssh/sshd_config.d/20-b.conf': 'ClientAliveInterval 600\n',
    '/etc/ssh/sshd_config.d/10-a.conf': 'ClientAliveInterval 60\nPasswordAuthentication no\n',
    '/etc/ssh/sshd_config.d/05-ignored.txt': 'ClientAliveInterval 1\n',
  });
  const alive = await runCheck('linux.ssh-client-alive', files);
  assert.equal(alive.status, 'passed');
  assert.equal(alive.evidence![0].path, '/etc/ssh/sshd_config.d/10-a.conf');
});

test('a Match block ends the global section; in an included file only until that file ends', async () => {
  const main = await runCheck('linux.ssh-password-auth', treeWith({ [MAIN]: 'Match User backup\n  PasswordAuthentication no\n', [DROPIN]: null }));
  assert.equal(main.status, 'failed', 'the Match-only setting is not global: the default yes applies');
  assert.match(main.message, /default yes/);

  const included = treeWith({
    [MAIN]: 'Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication no\n',
    [DROPIN]: 'ClientAliveInterval 120\nMatch Address 10.0.0.0/8\n  PasswordAuthentication yes\n',
  });
  const pa = await runCheck('linux.ssh-password-auth', included);
  assert.equal(pa.status, 'passed');
  assert.equal(pa.evidence![0].path, MAIN);
});

test('sshd_config may be a symlink; defaults apply when unset (ClientAliveInterval 0 fails, PermitRootLogin prohibit-password passes)', async () => {
  const files = treeWith({ [MAIN]: { path: MAIN, type: 'symlink', target: '../sshd/real_config' }, '/etc/sshd/real_config': 'PasswordAuthentication no\n', [DROPIN]: null });
  assert.equal((await runCheck('linux.ssh-password-auth', files)).status, 'passed');
  const alive = await runCheck('linux.ssh-client-alive', files);
  assert.equal(alive.status, 'failed');
  assert.match(alive.message, /unset: sshd's default 0/);
  assert.equal((await runCheck('linux.ssh-root-login', files)).status, 'passed');
});

test('ClientAliveInterval bounds 30..235 and sshd time units', async () => {
  for (const [value, status] of [['29', 'failed'], ['30', 'passed'], ['235', 'passed'], ['236', 'failed'], ['2m', 'passed'], ['1h', 'failed'], ['junk', 'failed']]) {
    const outcome = await runCheck('linux.ssh-client-alive', treeWith({ [DROPIN]: `ClientAliveInterval ${value}\n` }));
    assert.equal(outcome.status, status, `ClientAliveInterval ${value}`);
  }
  assert.equal(sshdSeconds('1m30s'), 90);
});

test('no SSH server: ssh-server warns and the SSH settings checks are skipped', async () => {
  const files = treeWith({ '/usr/sbin/sshd': null, '/var/lib/dpkg/status': 'Package: cloud-init\nStatus: install ok installed\n\nPackage: openssh-server\nStatus: deinstall ok config-files\n' });
  const server = await runCheck('linux.ssh-server', files);
  assert.equal(server.status, 'warning');
  for (const id of ['linux.ssh-client-alive', 'linux.ssh-password-auth', 'linux.ssh-root-login']) {
    const outcome = await runCheck(id, files);
    assert.equal(outcome.status, 'skipped', id);
    assert.match(outcome.message, /no SSH server/);
  }
  // the package alone counts as installed
  const viaPackage = treeWith({ '/usr/sbin/sshd': null, '/var/lib/dpkg/status': 'Package: openssh-server\nStatus: install ok installed\n' });
  assert.equal((await runCheck('linux.ssh-server', viaPackage)).status, 'passed');
});

test('line splitting: Keyword=value, quotes, trailing comments', async () => {
  assert.deepEqual(splitSshdLine('  ClientAliveInterval=120'), ['ClientAliveInterval', '120']);
  assert.deepEqual(splitSshdLine('Include "/etc/ssh/my dir/*.conf" other # comment'), ['Include', '/etc/ssh/my dir/*.conf', 'other']);
  assert.deepEqual(splitSshdLine('# PasswordAuthentication yes'), []);
  const config = await readSshdConfig(new MemoryFs([{ path: MAIN, content: 'Include missing/*.conf\nPermitRootLogin no\n' }]));
  assert.equal(config.get('permitrootlogin').value, 'no');
});
