/**
 * linux.ssh-host-keys and linux.machine-id on the fixture tree: what makes host keys at first
 * boot (cloud-init's ssh module and its settings, systemd units started at boot, masked ones),
 * and which machine-id contents clones would share.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { openSshPrivateKey } from '../../fixtures/linux-tree.ts';
import { runCheck, treeWith } from '../context.ts';

const NO_CLOUD_SSH = { '/etc/cloud/cloud.cfg': 'users:\n  - default\ncloud_init_modules:\n  - growpart\n' };
const REGENERATE = '[Unit]\nBefore=ssh.service\n[Service]\nType=oneshot\nExecStartPre=-/bin/sh -c "/bin/rm -f -v /etc/ssh/ssh_host_*_key*"\nExecStart=/usr/bin/ssh-keygen -A -v\n[Install]\nWantedBy=multi-user.target\n';
/** A symlink for treeWith (which sets the path). */
/** A dpkg database in which package `name` installed `path` with `content`, and the file itself. */
function installedFile(name: string, path: string, content: string): Record<string, string> {
  const md5 = createHash('md5').update(content).digest('hex');
  return {
    '/var/lib/dpkg/status': `Package: ${name}\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n`,
    [`/var/lib/dpkg/info/${name}.list`]: `${path}\n`,
    [`/var/lib/dpkg/info/${name}.md5sums`]: `${md5}  ${path.slice(1)}\n`,
    [path]: content,
  };
}
const link = (target: string) => ({ path: '', type: 'symlink' as const, target });

test('host keys with cloud-init running its ssh module (defaults: delete and regenerate) pass', async () => {
  const outcome = await runCheck('linux.ssh-host-keys', treeWith());
  assert.equal(outcome.status, 'passed', outcome.message);
  assert.match(outcome.message, /replaced at first boot by cloud-init's ssh module \(in cloud_init_modules; ssh_deletekeys true, ssh_genkeytypes rsa, ecdsa, ed25519; from \/etc\/cloud\/cloud.cfg\)/);
  assert.equal(outcome.evidence[0].path, '/etc/ssh/ssh_host_ed25519_key');
  // a drop-in set later wins, as cloud-init merges them; `[ssh, always]` names the module too
  const dropIn = await runCheck('linux.ssh-host-keys', treeWith({ ...NO_CLOUD_SSH, '/etc/cloud/cloud.cfg.d/90-ssh.cfg': 'cloud_init_modules:\n  - [ssh, always]\n' }));
  assert.equal(dropIn.status, 'passed', dropIn.message);
});

test('host keys without anything replacing them warn, naming the keys', async () => {
  const outcome = await runCheck('linux.ssh-host-keys', treeWith(NO_CLOUD_SSH));
  assert.equal(outcome.status, 'warning');
  assert.equal(outcome.message, '1 SSH host key is baked into the image (/etc/ssh/ssh_host_ed25519_key) and nothing replaces them at first boot: every VM started from it shares them');
  assert.equal((await runCheck('linux.ssh-host-keys', treeWith({ '/etc/cloud/cloud.cfg.d/99.cfg': 'ssh_deletekeys: false\n' }))).status, 'warning');
  assert.equal((await runCheck('linux.ssh-host-keys', treeWith({ '/etc/cloud/cloud-init.disabled': '' }))).status, 'warning');
  const german = await runCheck('linux.ssh-host-keys', treeWith(NO_CLOUD_SSH), { locale: 'de' });
  assert.match(german.message, /nichts ersetzt sie beim ersten Start/);
});

test('a unit started at boot that deletes the keys and runs ssh-keygen -A replaces them; a masked one does not', async () => {
  const unit = { ...NO_CLOUD_SSH, '/etc/systemd/system/regenerate-ssh-host-keys.service': REGENERATE };
  const enabled = { ...unit, '/etc/systemd/system/multi-user.target.wants/regenerate-ssh-host-keys.service': link('../regenerate-ssh-host-keys.service') };
  // default.target is a link to multi-user.target: its .wants count for it
  const viaDefault = { ...enabled, '/usr/lib/systemd/system/default.target': link('multi-user.target'), '/usr/lib/systemd/system/multi-user.target': '[Unit]\nDescription=Multi-User\n' };
  const outcome = await runCheck('linux.ssh-host-keys', treeWith(viaDefault));
  assert.equal(outcome.status, 'passed', outcome.message);
  assert.match(outcome.message, /systemd unit regenerate-ssh-host-keys\.service, started at boot \(deletes the keys and runs ssh-keygen\)/);
  // present but not enabled
  assert.equal((await runCheck('linux.ssh-host-keys', treeWith(unit))).status, 'warning');
  const masked = { ...enabled, '/etc/systemd/system/regenerate-ssh-host-keys.service': link('/dev/null'), '/usr/lib/systemd/system/regenerate-ssh-host-keys.service': REGENERATE };
  assert.equal((await runCheck('linux.ssh-host-keys', treeWith(masked))).status, 'warning');
});

test("Red Hat's sshd-keygen only creates missing keys: baked keys still warn, an image without keys passes", async () => {
  const redHat = {
    ...NO_CLOUD_SSH,
    '/usr/lib/systemd/system/sshd.service': '[Unit]\nWants=sshd-keygen.target\n[Service]\nExecStart=/usr/sbin/sshd -D\n',
    '/usr/lib/systemd/system/sshd-keygen.target': '[Unit]\nWants=sshd-keygen@rsa.service sshd-keygen@ecdsa.service sshd-keygen@ed25519.service\n',
    '/usr/lib/systemd/system/sshd-keygen@.service': '[Service]\nType=oneshot\nExecStart=/usr/libexec/openssh/sshd-keygen %i\n',
    '/etc/systemd/system/multi-user.target.wants/sshd.service': link('/usr/lib/systemd/system/sshd.service'),
  };
  const baked = await runCheck('linux.ssh-host-keys', treeWith(redHat));
  assert.equal(baked.status, 'warning');
  assert.match(baked.message, /\(systemd unit sshd-keygen@rsa\.service, started at boot \(creates missing keys only: ssh-keygen\)/);
  const none = await runCheck('linux.ssh-host-keys', treeWith({ ...redHat, '/etc/ssh/ssh_host_ed25519_key': null }));
  assert.equal(none.status, 'passed', none.message);
  assert.match(none.message, /^no SSH host keys in the image; created at first boot by systemd unit sshd-keygen@rsa\.service/);
});

test('no host keys and nothing creating them: sshd will not start', async () => {
  const outcome = await runCheck('linux.ssh-host-keys', treeWith({ ...NO_CLOUD_SSH, '/etc/ssh/ssh_host_ed25519_key': null }));
  assert.equal(outcome.status, 'warning');
  assert.equal(outcome.message, 'no SSH host keys in the image and nothing creates them at first boot: sshd will not start');
  // no SSH server at all: nothing to say
  assert.equal((await runCheck('linux.ssh-host-keys', treeWith({ '/usr/sbin/sshd': null, '/var/lib/dpkg/status': '' }))).status, 'skipped');
});

test('a cloud.cfg that is not YAML (or an alias bomb) is no regeneration, and no crash', async () => {
  const bomb = `a: &a [x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`).join('\n')}\n`;
  for (const text of ['cloud_init_modules: [ssh\n', bomb]) {
    const outcome = await runCheck('linux.ssh-host-keys', treeWith({ '/etc/cloud/cloud.cfg': text }));
    assert.equal(outcome.status, 'warning', outcome.message);
  }
});

test('linux.machine-id: an id warns; absent, empty and uninitialized pass', async () => {
  assert.equal((await runCheck('linux.machine-id', treeWith())).status, 'passed');
  for (const content of ['', 'uninitialized\n']) assert.equal((await runCheck('linux.machine-id', treeWith({ '/etc/machine-id': content }))).status, 'passed', JSON.stringify(content));
  const id = await runCheck('linux.machine-id', treeWith({ '/etc/machine-id': '4c4c4544003910348032b4c04f4a3332\n' }));
  assert.equal(id.status, 'warning');
  assert.equal(id.message, '/etc/machine-id holds a machine id: every VM cloned from the image shares it');
  assert.equal(id.evidence[0].detail, 'holds the machine id 4c4c4544…');
  // D-Bus's copy counts when it is a file of its own, not when it links to /etc/machine-id
  const dbus = await runCheck('linux.machine-id', treeWith({ '/var/lib/dbus/machine-id': '4c4c4544003910348032b4c04f4a3332\n' }));
  assert.equal(dbus.status, 'warning');
  assert.equal((await runCheck('linux.machine-id', treeWith({ '/var/lib/dbus/machine-id': link('/etc/machine-id') }))).status, 'passed');
  const german = await runCheck('linux.machine-id', treeWith({ '/etc/machine-id': '4c4c4544003910348032b4c04f4a3332\n' }), { locale: 'de' });
  assert.match(german.message, /Jede aus dem Image geklonte VM teilt sie/);
});

test('an authorized_keys file a package installed unchanged outside the publisher trees is information', async () => {
  const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF9hbmRvbWtleWJvZHlmb3J0ZXN0aW5nb25seQ test@example\n';
  // openssh-server stays installed (the check reads sshd's config); the test package ships the file
  const packaged: Record<string, string> = { ...installedFile('openssh-tests', '/usr/share/openssh-tests/authorized_keys', key), '/var/lib/dpkg/info/openssh-server.list': '/usr/sbin/sshd\n' };
  packaged['/var/lib/dpkg/status'] += '\nPackage: openssh-server\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n';
  const outcome = await runCheck('linux.authorized-keys', treeWith(packaged));
  assert.equal(outcome.status, 'passed', outcome.message);
  assert.equal(outcome.message, 'no authorized key left by the publisher; 1 in unchanged package files: openssh-tests /usr/share/openssh-tests/authorized_keys');
  const changed = await runCheck('linux.authorized-keys', treeWith({ ...packaged, '/usr/share/openssh-tests/authorized_keys': `${key}${key}` }));
  assert.equal(changed.status, 'failed');
});

test('a documented AWS key id in an unchanged package file is information; in /home it fails', async () => {
  const doc = 'aws_access_key_id = AKIAZZZZ7EXAMPLEAAAA\n';
  const files = installedFile('awscli', '/usr/share/doc/awscli/config.txt', doc);
  const outcome = await runCheck('linux.cloud-credentials', treeWith(files));
  assert.equal(outcome.status, 'passed', outcome.message);
  assert.match(outcome.message, /1 in unchanged package files: awscli \/usr\/share\/doc\/awscli\/config\.txt/);
  assert.equal((await runCheck('linux.cloud-credentials', treeWith({ ...files, '/home/ubuntu/notes.txt': doc }))).status, 'failed');
});
