/**
 * The rpm database reader against databases made by the real tools (test/fixtures/rpm.ts): what
 * it reads from SQLite, BerkeleyDB (every variant db5.3_load writes) and ndb equals what
 * `rpm -qa --qf` and `rpm -q --dump` print; it finds the database rpm would read, through a
 * symlinked /var/lib/rpm and inside a real ext4 image; damaged databases end in problem
 * sentences, never in an exception.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { DEFAULT_CERTIFICATION_LIMITS } from '../../../src/config/schema.ts';
import { readDisk } from '../../../src/certification/fs/open.ts';
import { readRpmDatabase } from '../../../src/certification/packages/rpm/index.ts';
import type { InstalledPackage, PackageDatabase } from '../../../src/certification/packages/types.ts';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { buildImage } from '../../fixtures/images.ts';
import { makeRpmFixtures, type RpmFixtures } from '../../fixtures/rpm.ts';
import { scratchDir } from '../../helpers/files.ts';
import { needs } from '../../helpers/tools.ts';
import { guestWith, packagesByRpm, sortPackages } from './rpm-helpers.ts';

const skip = needs('rpmbuild') || needs('db5.3_load') || needs('sqlite3') || needs('gpg');

function read(db: PackageDatabase | null): InstalledPackage[] {
  assert.ok(db, 'a database was found');
  assert.deepEqual(db.problems, []);
  return sortPackages(db.packages);
}

describe('rpm databases made by the real rpm tools', { skip }, () => {
  const scratch = scratchDir('vmarket-rpm-');
  let fixtures: RpmFixtures;
  let expected: InstalledPackage[];
  let sqliteBytes: Buffer;

  before(async () => {
    fixtures = await makeRpmFixtures(scratch());
    expected = await packagesByRpm(fixtures.root);
    sqliteBytes = await readFile(fixtures.sqlite);
  });

  it('rpm itself lists the three packages and the key (the fixture is what the test assumes)', () => {
    assert.deepEqual(expected.map((p) => `${p.name} ${p.version} ${p.architecture} ${p.sourcePackage}`), [
      'vm-alpha 2:1.2-3 noarch vm-alpha',
      'vm-beta 0.9.1-1.el9 x86_64 vm-beta',
      'vm-beta-libs 0.9.1-1.el9 x86_64 vm-beta',
    ]);
    assert.equal(fixtures.blobs.length, 4, 'three packages and gpg-pubkey');
    assert.ok(fixtures.blobs.some((b) => b.blob.length > 4096), 'one header is larger than a BerkeleyDB page');
  });

  it('reads the SQLite database as rpm -qa and rpm -q --dump print it', async () => {
    const db = await readRpmDatabase(guestWith([{ path: '/var/lib/rpm/rpmdb.sqlite', bytes: sqliteBytes }]), DEFAULT_CERTIFICATION_LIMITS);
    assert.equal(db?.format, 'rpm-sqlite');
    assert.equal(db?.path, '/var/lib/rpm/rpmdb.sqlite');
    assert.deepEqual(read(db), expected);
  });

  it('keeps %config, drops digests of %ghost files, symlinks and directories', async () => {
    const db = await readRpmDatabase(guestWith([{ path: '/var/lib/rpm/rpmdb.sqlite', bytes: sqliteBytes }]));
    const alpha = db?.packages.find((p) => p.name === 'vm-alpha');
    const byPath = new Map(alpha?.files.map((f) => [f.path, f]));
    assert.equal(byPath.get('/etc/alpha.conf')?.config, true);
    assert.equal(byPath.get('/etc/alpha.conf')?.digest?.algorithm, 'sha256');
    assert.equal(byPath.get('/usr/share/alpha/readme.txt')?.config, false);
    for (const path of ['/usr/share/alpha', '/usr/share/alpha/link', '/usr/share/alpha/ghost.log']) assert.equal(byPath.get(path)?.digest, null, path);
    const beta = db?.packages.find((p) => p.name === 'vm-beta');
    assert.equal(beta?.files.length, 151);
    assert.equal(beta?.files.find((f) => f.path.endsWith('file-001.txt'))?.digest?.algorithm, 'md5');
    assert.ok(!db?.packages.some((p) => p.name === 'gpg-pubkey'), 'the gpg-pubkey pseudo package is skipped');
  });

  for (const variant of ['littleEndian', 'bigEndian', 'checksummed', 'smallPages'] as const) {
    it(`reads a BerkeleyDB hash Packages (${variant}, by db5.3_load) as the SQLite database it was made from`, async () => {
      const bytes = await readFile(fixtures.bdb[variant]);
      const db = await readRpmDatabase(guestWith([{ path: '/var/lib/rpm/Packages', bytes }]));
      assert.equal(db?.format, 'rpm-bdb');
      assert.deepEqual(read(db), expected);
    });
  }

  for (const variant of ['duplicates', 'duplicatesOnPage'] as const) {
    it(`reads duplicates of a BerkeleyDB hash (${variant}: each header twice under one key)`, async () => {
      const bytes = await readFile(fixtures.bdb[variant]);
      const db = await readRpmDatabase(guestWith([{ path: '/var/lib/rpm/Packages', bytes }]));
      const twice = sortPackages(expected.flatMap((p) => [p, p]));
      assert.deepEqual(read(db), twice);
    });
  }

  it('reads an ndb Packages.db as rpm prints the same headers', async () => {
    const bytes = await readFile(fixtures.ndb);
    const db = await readRpmDatabase(guestWith([{ path: '/usr/lib/sysimage/rpm/Packages.db', bytes }]));
    assert.equal(db?.format, 'rpm-ndb');
    assert.equal(db?.path, '/usr/lib/sysimage/rpm/Packages.db');
    assert.deepEqual(read(db), expected);
  });

  it('prefers what rpm would read (sqlite > ndb > bdb) and reads a symlinked /var/lib/rpm once', async () => {
    const bdb = await readFile(fixtures.bdb.littleEndian);
    const ndb = await readFile(fixtures.ndb);
    const fs = guestWith(
      [
        { path: '/usr/lib/sysimage/rpm/rpmdb.sqlite', bytes: sqliteBytes },
        { path: '/usr/lib/sysimage/rpm/Packages.db', bytes: ndb },
        { path: '/usr/lib/sysimage/rpm/Packages', bytes: bdb },
      ],
      [{ path: '/var/lib/rpm', target: '../../usr/lib/sysimage/rpm' }],
    );
    const db = await readRpmDatabase(fs);
    assert.equal(db?.format, 'rpm-sqlite');
    assert.equal(db?.path, '/usr/lib/sysimage/rpm/rpmdb.sqlite');
    assert.equal(db?.packages.length, 3, 'each package once');
    const older = await readRpmDatabase(guestWith([{ path: '/var/lib/rpm/Packages', bytes: bdb }, { path: '/usr/lib/sysimage/rpm/Packages.db', bytes: ndb }]));
    assert.equal(older?.format, 'rpm-ndb');
  });

  it('is null for a guest without an rpm database', async () => {
    assert.equal(await readRpmDatabase(guestWith([{ path: '/var/lib/dpkg/status', bytes: Buffer.from('') }])), null);
  });

  it('reads the database out of a real ext4 image', { skip: needs('mkfs.ext4') }, async () => {
    const output = await buildImage({
      files: [
        { path: '/etc/os-release', content: 'ID=rhel\nVERSION_ID="7.9"\n' },
        { path: '/var/lib/rpm/Packages', content: await readFile(fixtures.bdb.littleEndian) },
      ],
      output: join(scratch(), 'rpm.vhd'),
      sizeMiB: 16,
    });
    const contents = await readDisk(bufferReader(await readFile(output)));
    const fs = contents.fileSystems.find((f) => f.fs)?.fs;
    assert.ok(fs);
    assert.deepEqual(read(await readRpmDatabase(fs)), expected);
  });

  it('stops at certification.limits.rpmRows and packageFiles with a sentence', async () => {
    const fs = guestWith([{ path: '/var/lib/rpm/rpmdb.sqlite', bytes: sqliteBytes }]);
    const rows = await readRpmDatabase(fs, { ...DEFAULT_CERTIFICATION_LIMITS, rpmRows: 2 });
    assert.equal(rows?.packages.length, 2);
    assert.match(rows?.problems[0]?.en ?? '', /more than 2 package headers/);
    assert.match(rows?.problems[0]?.de ?? '', /mehr als 2 Paket-Header/);
    const files = await readRpmDatabase(fs, { ...DEFAULT_CERTIFICATION_LIMITS, packageFiles: 10 });
    assert.equal(files?.packages.reduce((n, p) => n + p.files.length, 0), 10);
    assert.match(files?.problems[0]?.en ?? '', /more than 10 files/);
    const small = await readRpmDatabase(fs, { ...DEFAULT_CERTIFICATION_LIMITS, rpmDbBytes: 1024 });
    assert.deepEqual(small?.packages, []);
    assert.match(small?.problems[0]?.en ?? '', /could not be read: it is \d+ bytes, more than the limit of 1024/);
  });
});
