/**
 * The secret checks on a REAL Debian 12 root (mmdebstrap): GnuTLS's built-in test keys in
 * libgnutls.so.30 are information while the library is as the package installed it, a failure
 * (and a linux.package-files warning) once it is changed, and a key the publisher left (/root,
 * /opt) fails whatever a package owns. The real cloud-init configuration regenerates the real
 * host keys.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { debianRootSkip, debianRootTar, extractDebianRoot } from '../../fixtures/debian-root.ts';
import { openSshPrivateKey } from '../../fixtures/linux-tree.ts';
import type { MemoryFile } from '../memory-fs.ts';
import { CLOUD_DEBIAN, memoryTreeOf, rootScratch } from '../packages/real-root.ts';
import { runCheck } from '../context.ts';

const skip = debianRootSkip();
const scratch = rootScratch('vmarket-owned-');
const GNUTLS = '/usr/lib/x86_64-linux-gnu/libgnutls.so.30.34.3';
let tree: MemoryFile[] = [];

/** The real tree with `path` replaced or added. */
function withFile(path: string, content: Buffer | string): MemoryFile[] {
  return [...tree.filter((f) => f.path !== path), { path, type: 'file', content }];
}

before(async () => {
  if (skip) return;
  const root = join(await scratch.make(), 'root');
  await extractDebianRoot(await debianRootTar(CLOUD_DEBIAN), root);
  tree = await memoryTreeOf(root, ['libgnutls30:amd64', 'openssh-server', 'cloud-init', 'dash']);
});

test('GnuTLS test keys in the unchanged library are information, named with their package', { skip }, async () => {
  assert.ok(tree.some((f) => f.path === GNUTLS && f.content), `${GNUTLS} is in the real root`);
  const outcome = await runCheck('linux.private-keys', tree);
  assert.equal(outcome.status, 'passed', outcome.message);
  assert.match(outcome.message, /^no private key outside \/etc\/ssh\/ssh_host_\* \(\d+ files read; \d+ in unchanged package files: libgnutls30 \/usr\/lib\/x86_64-linux-gnu\/libgnutls\.so\.30\.34\.3\)$/);
  assert.ok(outcome.evidence.length >= 1 && outcome.evidence.every((e) => e.path === GNUTLS && /package libgnutls30/.test(e.detail)), JSON.stringify(outcome.evidence));
  const german = await runCheck('linux.private-keys', tree, { locale: 'de' });
  assert.match(german.message, /in unveränderten Paketdateien: libgnutls30/);
  assert.equal((await runCheck('linux.package-files', tree)).status, 'passed');
});

test('the same library changed: its keys fail and linux.package-files names it with its package', { skip }, async () => {
  const original = tree.find((f) => f.path === GNUTLS)!.content as Buffer;
  const changed = withFile(GNUTLS, Buffer.concat([original, Buffer.from('patched')]));
  const keys = await runCheck('linux.private-keys', changed);
  assert.equal(keys.status, 'failed');
  assert.ok(keys.evidence.every((e) => e.path === GNUTLS));
  const files = await runCheck('linux.package-files', changed);
  assert.equal(files.status, 'warning');
  assert.match(files.message, new RegExp(`^1 of \\d+ files installed by packages were changed: ${GNUTLS.replace(/\./g, '\\.')} \\(libgnutls30\\)$`));
  assert.deepEqual(files.evidence.map((e) => e.path), [GNUTLS]);
  assert.match(files.evidence[0].detail, /md5 differs from the one package libgnutls30 \(dpkg\) recorded/);
});

test('a changed conffile is no finding of linux.package-files', { skip }, async () => {
  const outcome = await runCheck('linux.package-files', withFile('/etc/default/ssh', '# changed by the administrator\n'));
  assert.equal(outcome.status, 'passed', outcome.message);
});

test('keys the publisher left fail: in /root, and in a package-owned file under /etc', { skip }, async () => {
  const inRoot = await runCheck('linux.private-keys', withFile('/root/.ssh/id_ed25519', openSshPrivateKey(3)));
  assert.equal(inRoot.status, 'failed');
  assert.deepEqual(inRoot.evidence.map((e) => e.path), ['/root/.ssh/id_ed25519']);
  // /etc/default/ssh is openssh-server's; a key there is the publisher's even though a package owns the file
  const inEtc = await runCheck('linux.private-keys', withFile('/etc/default/ssh', openSshPrivateKey(4)));
  assert.equal(inEtc.status, 'failed');
});

test("the real cloud-init configuration replaces the real host keys at first boot", { skip }, async () => {
  const outcome = await runCheck('linux.ssh-host-keys', tree);
  assert.equal(outcome.status, 'passed', outcome.message);
  assert.match(outcome.message, /^3 SSH host keys in the image, replaced at first boot by cloud-init's ssh module \(in cloud_init_modules; ssh_deletekeys true/);
  assert.deepEqual(outcome.evidence.filter((e) => e.path?.startsWith('/etc/ssh/')).map((e) => e.path), ['/etc/ssh/ssh_host_ecdsa_key', '/etc/ssh/ssh_host_ed25519_key', '/etc/ssh/ssh_host_rsa_key']);
  // with cloud-init's ssh module told to keep them, nothing replaces them
  const kept = await runCheck('linux.ssh-host-keys', withFile('/etc/cloud/cloud.cfg.d/99-keep.cfg', 'ssh_deletekeys: false\n'));
  assert.equal(kept.status, 'warning');
  assert.match(kept.message, /3 SSH host keys are baked into the image .* every VM started from it shares them/);
});
