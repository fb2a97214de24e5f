/**
 * Hostile rpm databases, each damaged in one named way from a real fixture: a header entry
 * pointing outside its data, a count of 2^31, a BerkeleyDB overflow chain that loops, an ndb slot
 * pointing outside the file, a damaged ndb blob, a SQLite `Packages` that is a view over an
 * endless recursive query, a file that is no database. Each ends in one problem sentence (in
 * English and German) and the other packages are still read.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { before, describe, it } from 'node:test';
import { isVmarketError } from '../../../src/errors.ts';
import { parseRpmHeader, readRpmDatabase } from '../../../src/certification/packages/rpm/index.ts';
import type { PackageDatabase } from '../../../src/certification/packages/types.ts';
import { makeRpmFixtures, type RpmFixtures } from '../../fixtures/rpm.ts';
import { scratchDir } from '../../helpers/files.ts';
import { needs } from '../../helpers/tools.ts';
import { guestWith } from './rpm-helpers.ts';

const run = promisify(execFile);
const skip = needs('rpmbuild') || needs('db5.3_load') || needs('sqlite3') || needs('gpg');

/** Index entry `i` of a header blob: [tag, type, offset, count] at 8 + 16 i. */
const entryAt = (i: number) => 8 + 16 * i;

function names(db: PackageDatabase | null): string[] {
  return (db?.packages ?? []).map((p) => p.name).sort();
}

function onlyProblem(db: PackageDatabase | null, pattern: RegExp): void {
  assert.equal(db?.problems.length, 1, JSON.stringify(db?.problems));
  assert.match(db.problems[0].en, pattern);
  assert.ok(db.problems[0].de.length > 0 && db.problems[0].de !== db.problems[0].en, 'a German sentence too');
}

describe('hostile rpm databases', { skip }, () => {
  const scratch = scratchDir('vmarket-rpm-hostile-');
  let fixtures: RpmFixtures;
  let alpha: { hnum: number; blob: Buffer };

  before(async () => {
    fixtures = await makeRpmFixtures(scratch());
    alpha = fixtures.blobs.find((b) => b.blob.includes(Buffer.from('vm-alpha\0'))) ?? fixtures.blobs[0];
  });

  it('a header entry pointing outside the data is corrupt; the rest of the ndb database is read', async () => {
    const blob = Buffer.from(alpha.blob);
    blob.writeUInt32BE(blob.readUInt32BE(4) + 64, entryAt(2) + 8);
    assert.throws(() => parseRpmHeader(blob), (e: unknown) => isVmarketError(e) && e.code === 'IMAGE_CORRUPT' && /lies outside the header/.test(e.message));
    const { writeNdb } = await import('../../fixtures/ndb-writer.ts');
    const bytes = writeNdb(fixtures.blobs.map(({ hnum, blob: b }) => ({ pkgidx: hnum, blob: hnum === alpha.hnum ? blob : b })));
    const db = await readRpmDatabase(guestWith([{ path: '/usr/lib/sysimage/rpm/Packages.db', bytes }]));
    onlyProblem(db, new RegExp(`package header ${alpha.hnum} in /usr/lib/sysimage/rpm/Packages.db was skipped: the data of tag \\d+ lies outside the header`));
    assert.deepEqual(names(db), ['vm-beta', 'vm-beta-libs']);
  });

  it('a count of 2^31 is refused before anything is allocated', () => {
    const blob = Buffer.from(alpha.blob);
    blob.writeUInt32BE(2 ** 31, entryAt(3) + 12);
    assert.throws(() => parseRpmHeader(blob), /claims an impossible count 2147483648/);
    const index = Buffer.from(alpha.blob);
    index.writeUInt32BE(2 ** 31, 0);
    assert.throws(() => parseRpmHeader(index), /impossible 2147483648 index entries/);
  });

  it('a BerkeleyDB overflow chain that loops is one problem, not a hang', async () => {
    const bytes = await readFile(fixtures.bdb.littleEndian);
    const pageSize = bytes.readUInt32LE(20);
    let looped = 0;
    for (let page = 1; page < bytes.length / pageSize; page++) {
      const base = page * pageSize;
      // the last page of a chain points back to itself
      if (bytes[base + 25] === 7 && bytes.readUInt32LE(base + 16) === 0) {
        bytes.writeUInt32LE(page, base + 16);
        looped++;
        break;
      }
    }
    assert.equal(looped, 1);
    const db = await readRpmDatabase(guestWith([{ path: '/var/lib/rpm/Packages', bytes }]));
    onlyProblem(db, /package header \d+ in \/var\/lib\/rpm\/Packages was skipped: the overflow chain starting at page \d+ loops/);
    assert.equal(db?.packages.length, 2);
  });

  it('an ndb slot pointing outside the file skips that package', async () => {
    const bytes = await readFile(fixtures.ndb);
    bytes.writeUInt32LE(0x7fffffff, 32 + 8); // the first slot's block offset
    const db = await readRpmDatabase(guestWith([{ path: '/usr/lib/sysimage/rpm/Packages.db', bytes }]));
    onlyProblem(db, /package header \d+ in \S+ was skipped: slot 2 points outside the file/);
    assert.equal(db?.packages.length, 2);
  });

  it('a damaged ndb blob fails its Adler-32', async () => {
    const bytes = await readFile(fixtures.ndb);
    const blkoff = bytes.readUInt32LE(32 + 8);
    bytes[blkoff * 16 + 16 + 200] ^= 0x01;
    const db = await readRpmDatabase(guestWith([{ path: '/usr/lib/sysimage/rpm/Packages.db', bytes }]));
    onlyProblem(db, /was skipped: its blob checksum \(Adler-32\) does not match/);
  });

  it('a SQLite Packages that is a view (an endless recursive query) is refused without running it', async () => {
    const file = join(scratch(), 'view.sqlite');
    await run('sqlite3', [file, 'CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x AS hnum, x AS blob FROM c;']);
    const db = await readRpmDatabase(guestWith([{ path: '/var/lib/rpm/rpmdb.sqlite', bytes: await readFile(file) }]));
    assert.deepEqual(db?.packages, []);
    onlyProblem(db, /the rpm database \/var\/lib\/rpm\/rpmdb.sqlite could not be read: Packages is a view, not a table/);
  });

  it('a file that is no database of its kind is one problem', async () => {
    const junk = Buffer.alloc(8192, 0x41);
    for (const path of ['/var/lib/rpm/rpmdb.sqlite', '/var/lib/rpm/Packages', '/usr/lib/sysimage/rpm/Packages.db']) {
      const db = await readRpmDatabase(guestWith([{ path, bytes: junk }]));
      assert.deepEqual(db?.packages, [], path);
      onlyProblem(db, /could not be read: (it is not|SQLite refused it)/);
    }
  });
});
