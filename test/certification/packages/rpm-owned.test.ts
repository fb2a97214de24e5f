/**
 * rpm-owned files in the one malware pass: the files `rpm -i` installed (test/fixtures/rpm.ts,
 * real rpmbuild packages in a real rpm SQLite database) are compared with the digests their
 * headers record (SHA-256 for vm-alpha, md5 for vm-beta): unchanged they pass
 * linux.package-files, changed they are named with their package, and a changed %config file is
 * no finding.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { makeRpmFixtures } from '../../fixtures/rpm.ts';
import { needs } from '../../helpers/tools.ts';
import { runCheck, treeWith } from '../context.ts';
import type { MemoryFile } from '../memory-fs.ts';

const skip = needs('rpmbuild');
let dir = '';
let installed: Record<string, MemoryFile> = {};

async function treeOf(root: string): Promise<Record<string, MemoryFile>> {
  const files: Record<string, MemoryFile> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath, entry.name);
    const path = `/${relative(root, full)}`;
    if (entry.isSymbolicLink()) files[path] = { path, type: 'symlink', target: await readlink(full) };
    else if (entry.isFile()) files[path] = { path, type: 'file', content: await readFile(full) };
  }
  return files;
}

before(async () => {
  if (skip) return;
  // its own directory, made here: another file's before hook may not have run yet (scratchDir)
  dir = await mkdtemp(join(tmpdir(), 'vmarket-rpm-owned-'));
  const fixtures = await makeRpmFixtures(dir);
  installed = await treeOf(fixtures.root);
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

// the base tree is a Debian-like root: without its dpkg status only the rpm database is read
const rpmRoot = (change: Record<string, string | MemoryFile | null> = {}) => treeWith({ '/var/lib/dpkg/status': null, ...installed, ...change });

test('files as rpm installed them pass linux.package-files; their digests were compared', { skip }, async () => {
  assert.ok(installed['/usr/share/alpha/readme.txt'] && installed['/var/lib/rpm/rpmdb.sqlite'], 'rpm installed the files and its database');
  const outcome = await runCheck('linux.package-files', rpmRoot());
  assert.equal(outcome.status, 'passed', outcome.message);
  assert.match(outcome.message, /\b15[0-9] /, outcome.message);
});

test('a changed file is named with its rpm package, for SHA-256 and md5 digests alike', { skip }, async () => {
  const outcome = await runCheck('linux.package-files', rpmRoot({ '/usr/share/alpha/readme.txt': 'changed\n', '/usr/lib/vm-beta/data/file-001.txt': 'changed too\n' }));
  assert.equal(outcome.status, 'warning', outcome.message);
  assert.deepEqual(outcome.evidence.map((e) => e.path).sort(), ['/usr/lib/vm-beta/data/file-001.txt', '/usr/share/alpha/readme.txt']);
  const alpha = outcome.evidence.find((e) => e.path === '/usr/share/alpha/readme.txt');
  assert.match(alpha?.detail ?? '', /sha256 differs from the one package vm-alpha \(rpm\) recorded/, alpha?.detail);
  const beta = outcome.evidence.find((e) => e.path !== alpha?.path);
  assert.match(beta?.detail ?? '', /md5 differs from the one package vm-beta \(rpm\) recorded/, beta?.detail);
});

test('a changed %config file is no finding', { skip }, async () => {
  const outcome = await runCheck('linux.package-files', rpmRoot({ '/etc/alpha.conf': 'conf=2\n' }));
  assert.equal(outcome.status, 'passed', outcome.message);
});
