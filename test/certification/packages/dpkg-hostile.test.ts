/**
 * The dpkg reader's semantics on small databases (diversions, conffiles, Multi-Arch names,
 * status states) and its bounds on hostile ones: a status over 64 MiB (by its claimed size) is
 * refused with a sentence, file counts are capped, and seeded corruption of a REAL database
 * (status, lists, md5sums, diversions from mmdebstrap's Debian 12) ends in a result or a
 * VmarketError, quickly, never another exception.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { DEFAULT_CERTIFICATION_LIMITS } from '../../../src/config/schema.ts';
import { isVmarketError } from '../../../src/errors.ts';
import { readPackageDatabases } from '../../../src/certification/packages/databases.ts';
import { readDpkgDatabase } from '../../../src/certification/packages/dpkg.ts';
import { ownedFilesIndex } from '../../../src/certification/packages/owned-files.ts';
import type { GuestFs } from '../../../src/certification/fs/types.ts';
import { debianRootSkip, debianRootTar } from '../../fixtures/debian-root.ts';
import { prng } from '../../helpers/prng.ts';
import { withinTimeLimit } from '../disk/helpers.ts';
import { type MemoryFile, MemoryFs } from '../memory-fs.ts';
import { CLOUD_DEBIAN, memoryTreeOf, rootScratch, run } from './real-root.ts';

const stanza = (name: string, extra = '', status = 'install ok installed') => `Package: ${name}\nStatus: ${status}\nVersion: 1.0-1\nArchitecture: amd64\n${extra}`;

test('diversions move the diverted package file aside; the diverting package owns the path', async () => {
  const fs = new MemoryFs([
    { path: '/var/lib/dpkg/status', content: [stanza('diverter'), stanza('victim'), stanza('other')].join('\n') },
    { path: '/var/lib/dpkg/diversions', content: '/usr/bin/tool\n/usr/bin/tool.distrib\ndiverter\n/usr/bin/local\n/usr/bin/local.orig\n:\n' },
    { path: '/var/lib/dpkg/info/diverter.list', content: '/usr/bin/tool\n' },
    { path: '/var/lib/dpkg/info/victim.list', content: '/usr/bin/tool\n' },
    { path: '/var/lib/dpkg/info/victim.md5sums', content: `${'a'.repeat(32)}  usr/bin/tool\n` },
    { path: '/var/lib/dpkg/info/other.list', content: '/usr/bin/local\n' },
  ]);
  const db = (await readDpkgDatabase(fs))!;
  const index = await ownedFilesIndex(fs, [db]);
  assert.equal(index.get('/usr/bin/tool')?.package, 'diverter');
  assert.deepEqual(index.get('/usr/bin/tool.distrib'), { package: 'victim', manager: 'dpkg', digest: { algorithm: 'md5', hex: 'a'.repeat(32) }, config: false });
  // the administrator's (`:`) diversion: the path itself is nobody's
  assert.equal(index.get('/usr/bin/local'), undefined);
  assert.equal(index.get('/usr/bin/local.orig')?.package, 'other');
});

test('conffiles, Multi-Arch list names, Source versions and states', async () => {
  const fs = new MemoryFs([
    {
      path: '/var/lib/dpkg/status',
      content: [
        stanza('libx', `Source: x-src (2.0-1)\nMulti-Arch: same\nConffiles:\n /etc/x.conf ${'b'.repeat(32)}\n /etc/x.old ${'c'.repeat(32)} obsolete\nDescription: long\n text\n`),
        stanza('gone', '', 'deinstall ok config-files'),
        stanza('pending', '', 'install ok triggers-pending'),
      ].join('\n'),
    },
    { path: '/var/lib/dpkg/info/libx:amd64.list', content: '/.\n/etc\n/etc/x.conf\n/usr/lib/libx.so.1\n' },
    { path: '/var/lib/dpkg/info/libx:amd64.md5sums', content: `${'d'.repeat(32)}  usr/lib/libx.so.1\nnot a line\n` },
    { path: '/var/lib/dpkg/info/pending.list', content: '/usr/bin/pending\n' },
  ]);
  const db = (await readDpkgDatabase(fs))!;
  assert.deepEqual(db.packages.map((p) => [p.name, p.sourcePackage]), [['libx', 'x-src'], ['pending', 'pending']]);
  assert.deepEqual(db.packages[0].files, [
    { path: '/etc', digest: null, config: false },
    { path: '/etc/x.conf', digest: { algorithm: 'md5', hex: 'b'.repeat(32) }, config: true },
    { path: '/usr/lib/libx.so.1', digest: { algorithm: 'md5', hex: 'd'.repeat(32) }, config: false },
  ]);
  assert.deepEqual(db.problems.map((p) => p.en), ['line 2 of /var/lib/dpkg/info/libx:amd64.md5sums is not a checksum followed by a path']);
  assert.equal(db.problems[0].de, 'Zeile 2 von /var/lib/dpkg/info/libx:amd64.md5sums ist keine Prüfsumme mit folgendem Pfad');
});

test('a status claiming more than 64 MiB is refused by its size, with a sentence; file lists are capped', async () => {
  const status = new MemoryFs([{ path: '/var/lib/dpkg/status', content: stanza('a') }]);
  const huge: GuestFs = Object.assign(Object.create(status), {
    stat: async (path: string) => {
      const real = await status.stat(path);
      return real && path === '/var/lib/dpkg/status' ? { ...real, size: 2 ** 40 } : real;
    },
    stream: () => {
      throw new Error('a refused file is never read');
    },
  });
  const read = await readPackageDatabases(huge, DEFAULT_CERTIFICATION_LIMITS);
  assert.deepEqual(read.databases, []);
  assert.equal(read.problems[0].en, '/var/lib/dpkg/status could not be read: /var/lib/dpkg/status is 1099511627776 bytes, more than the 67108864 bytes a real package database file holds');
  const many = new MemoryFs([
    { path: '/var/lib/dpkg/status', content: [stanza('a'), stanza('b')].join('\n') },
    { path: '/var/lib/dpkg/info/a.list', content: '/x/1\n/x/2\n/x/3\n' },
    { path: '/var/lib/dpkg/info/b.list', content: '/y/1\n/y/2\n' },
  ]);
  const capped = (await readDpkgDatabase(many, { ...DEFAULT_CERTIFICATION_LIMITS, packageFiles: 4 }))!;
  assert.deepEqual(capped.packages.map((p) => p.files.length), [3, 1]);
  assert.match(capped.problems.at(-1)!.en, /list more than 4 files \(certification\.limits\.packageFiles\)/);
});

const skip = debianRootSkip();
const scratch = rootScratch('vmarket-dpkg-fuzz-');
const RUNS = 100;
let real: MemoryFile[] = [];

before(async () => {
  if (skip) return;
  const root = join(await scratch.make(), 'root');
  await run('mkdir', ['-p', root]);
  // the database only: status, diversions and the info files of every package
  await run('tar', ['-x', '-f', await debianRootTar(CLOUD_DEBIAN), '-C', root, './var/lib/dpkg', './usr/lib/os-release']);
  real = (await memoryTreeOf(root, [])).filter((f) => f.path.startsWith('/var/lib/dpkg/'));
});

test('seeded corruption of a real dpkg database ends in a result or a VmarketError', { skip }, async () => {
  const targets = real.filter((f) => f.type === 'file' && /\/(status|diversions|(libgnutls30:amd64|dash|openssh-server|libc6:amd64)\.(list|md5sums))$/.test(f.path));
  assert.ok(targets.length >= 8, targets.map((t) => t.path).join(' '));
  const random = prng(11);
  for (let i = 0; i < RUNS; i++) {
    const target = targets[Math.floor(random() * targets.length)];
    const bytes = Buffer.from(target.content as Buffer);
    for (let n = 1 + Math.floor(random() * 16); n > 0; n--) {
      const at = Math.floor(random() * bytes.length);
      // newlines, colons and spaces carry dpkg's structure: flip to them as often as to noise
      bytes[at] = random() < 0.5 ? [10, 58, 32, 47][Math.floor(random() * 4)] : Math.floor(random() * 256);
    }
    const fs = new MemoryFs(real.map((f) => (f === target ? { ...f, content: bytes } : f)));
    try {
      const db = await withinTimeLimit(readDpkgDatabase(fs), `run ${i} (${target.path})`);
      if (db) await withinTimeLimit(ownedFilesIndex(fs, [db]), `index ${i}`);
    } catch (error) {
      assert.ok(isVmarketError(error), `run ${i} (${target.path}): ${(error as Error).stack}`);
    }
  }
});
