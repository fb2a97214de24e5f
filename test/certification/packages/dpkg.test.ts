/**
 * The dpkg reader and the owned-files index against a REAL Debian 12 database (mmdebstrap from
 * Debian's packages), cross-checked with the real dpkg: `dpkg-query -W` for the packages,
 * `dpkg -S` for the owners (through the usr-merge and dash's diversion of /bin/sh), and
 * `dpkg --verify` for which files changed, after one file of the root was changed on disk.
 */
import assert from 'node:assert/strict';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { readDpkgDatabase } from '../../../src/certification/packages/dpkg.ts';
import { ownedFilesIndex } from '../../../src/certification/packages/owned-files.ts';
import type { PackageDatabase } from '../../../src/certification/packages/types.ts';
import { scanFileSystems } from '../../../src/certification/malware/scan.ts';
import { debianRootSkip, debianRootTar, extractDebianRoot } from '../../fixtures/debian-root.ts';
import { MemoryFs } from '../memory-fs.ts';
import { CLOUD_DEBIAN, memoryTreeOf, rootScratch, run } from './real-root.ts';

const skip = debianRootSkip();
const scratch = rootScratch('vmarket-dpkg-');
/** Packages whose real files are loaded: libgnutls30 (keys in its test vectors), dash (diverts /bin/sh), libc6 (/lib under the usr-merge). */
const LOADED = ['libgnutls30:amd64', 'dash', 'libc6:amd64', 'openssh-server'];
const CHANGED = '/usr/bin/dash';
let root = '';
let fs: MemoryFs;
let db: PackageDatabase;

before(async () => {
  if (skip) return;
  root = join(await scratch.make(), 'root');
  await extractDebianRoot(await debianRootTar(CLOUD_DEBIAN), root);
  // one file changed behind dpkg's back, before the tree is loaded: dpkg --verify and the scan must both see it
  await appendFile(join(root, CHANGED), 'changed');
  fs = new MemoryFs(await memoryTreeOf(root, LOADED));
  db = (await readDpkgDatabase(fs))!;
});

test('the installed packages, versions, architectures and sources are what dpkg-query says', { skip }, async () => {
  const { stdout } = await run('dpkg-query', ['--admindir', join(root, 'var/lib/dpkg'), '-W', '-f', '${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\n'], { maxBuffer: 16 * 1024 * 1024 });
  const expected = stdout.split('\n').filter((l) => l.startsWith('ii')).map((l) => l.split('\t').slice(1).join('\t')).sort();
  const actual = db.packages.map((p) => [p.name, p.version, p.architecture, p.sourcePackage].join('\t')).sort();
  assert.ok(expected.length > 150, `a real apt root has a few hundred packages, dpkg-query listed ${expected.length}`);
  assert.deepEqual(actual, expected);
  assert.equal(db.manager, 'dpkg');
  assert.equal(db.format, 'dpkg');
  assert.deepEqual(db.problems, []);
  const gnutls = db.packages.find((p) => p.name === 'libgnutls30')!;
  assert.equal(gnutls.sourcePackage, 'gnutls28');
  const conffiles = db.packages.find((p) => p.name === 'openssh-server')!.files.filter((f) => f.config).map((f) => f.path);
  assert.ok(conffiles.includes('/etc/default/ssh'), conffiles.join(' '));
});

test('owners match dpkg -S through the usr-merge and the diversion of /bin/sh', { skip }, async () => {
  const index = await ownedFilesIndex(fs, [db]);
  // every regular file the loaded packages list, by the path dpkg knows it (/lib/…, /bin/…)
  const listed = db.packages
    .filter((p) => LOADED.some((l) => l.split(':')[0] === p.name))
    .flatMap((p) => p.files.filter((f) => f.digest).map((f) => f.path));
  assert.ok(listed.some((p) => p.startsWith('/lib/x86_64-linux-gnu/')), 'libc6 lists files under /lib, the usr-merge symlink');
  const { stdout } = await run('dpkg', ['--root', root, '-S', ...listed, '/bin/sh'], { maxBuffer: 16 * 1024 * 1024 });
  const owners = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const match = /^([^:\s]+(?::[a-z0-9]+)?): (\/.*)$/.exec(line);
    if (match && !line.startsWith('diversion')) owners.set(match[2], match[1].split(':')[0]);
  }
  let compared = 0;
  for (const path of listed) {
    const real = (await fs.realpath(path.slice(0, path.lastIndexOf('/'))))! + path.slice(path.lastIndexOf('/'));
    assert.equal(index.get(real)?.package, owners.get(path), `${path} (on disk ${real})`);
    compared++;
  }
  assert.ok(compared > 100, `${compared} files compared`);
  assert.equal(index.get('/usr/lib/x86_64-linux-gnu/libc.so.6')?.package, 'libc6');
  // dash diverts /bin/sh: the file there is dash's (dpkg -S says so too)
  assert.equal(owners.get('/bin/sh'), 'dash');
  assert.equal(index.get('/usr/bin/sh')?.package, 'dash');
  assert.equal(index.get('/usr/bin/not-a-package-file'), undefined);
});

test('the files the scan finds changed are those dpkg --verify reports', { skip }, async () => {
  const index = await ownedFilesIndex(fs, [db]);
  const scan = await scanFileSystems([{ image: 'os', fs }], { hashes: new Map(), yara: null, clam: null }, { packageFiles: { fs, index } });
  // dpkg --verify exits 1 when it finds changes; its lines are `??5?????? [c] PATH`
  const verify = await run('dpkg', ['--root', root, '--verify', ...LOADED.map((p) => p.split(':')[0])]).catch((error: { stdout: string }) => error);
  const reported = verify.stdout.split('\n').filter((l) => /^..5/.test(l) && !/^\S+ c /.test(l)).map((l) => l.split(/\s+/).at(-1)!);
  assert.deepEqual(reported.map((p) => (p.startsWith('/bin/') ? `/usr${p}` : p)), [CHANGED]);
  assert.deepEqual(scan.packageFiles.modified.map((m) => [m.path, m.package, m.algorithm]), [[CHANGED, 'dash', 'md5']]);
  assert.deepEqual(scan.packageFiles.databases, ['/var/lib/dpkg']);
  assert.ok(scan.packageFiles.verified > 100, `${scan.packageFiles.verified} files compared`);
  // GnuTLS's test vectors: private key blocks in an unchanged package file, outside the publisher's trees
  const keys = scan.findings.filter((f) => f.kind === 'private-key' && f.evidence.path?.includes('libgnutls'));
  assert.ok(keys.length > 0, 'libgnutls holds key blocks');
  assert.ok(keys.every((f) => f.packaged?.package === 'libgnutls30'), JSON.stringify(keys.map((k) => k.packaged)));
});

test('a real md5sums line agrees with the md5 of the file', { skip }, async () => {
  const dash = db.packages.find((p) => p.name === 'dash')!.files.find((f) => f.path === '/bin/dash' || f.path === '/usr/bin/dash')!;
  const { createHash } = await import('node:crypto');
  const original = (await readFile(join(root, CHANGED))).subarray(0, -'changed'.length);
  assert.equal(dash.digest?.hex, createHash('md5').update(original).digest('hex'));
});
