/**
 * Seeded corruption of real rpm databases: every read of a damaged BerkeleyDB hash, ndb or SQLite
 * database ends with a PackageDatabase (packages and problem sentences), quickly, never with an
 * exception or a hang; a damaged header blob parses or fails with a VmarketError only. Replay a
 * failure from the seed in its label.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { isVmarketError } from '../../../src/errors.ts';
import { parseRpmHeader, readRpmDatabase } from '../../../src/certification/packages/rpm/index.ts';
import { packageOf } from '../../../src/certification/packages/rpm/package.ts';
import { makeRpmFixtures, type RpmFixtures } from '../../fixtures/rpm.ts';
import { withinTimeLimit } from '../disk/helpers.ts';
import { mutate } from '../../helpers/corrupt.ts';
import { scratchDir } from '../../helpers/files.ts';
import { prng } from '../../helpers/prng.ts';
import { needs } from '../../helpers/tools.ts';
import { guestWith } from './rpm-helpers.ts';

const skip = needs('rpmbuild') || needs('db5.3_load') || needs('sqlite3') || needs('gpg');
const RUNS = 250;

describe('rpm databases under seeded corruption', { skip }, () => {
  const scratch = scratchDir('vmarket-rpm-fuzz-');
  let fixtures: RpmFixtures;
  const bases: { name: string; path: string; bytes: Buffer; pageSize: number }[] = [];

  before(async () => {
    fixtures = await makeRpmFixtures(scratch());
    bases.push(
      { name: 'bdb', path: '/var/lib/rpm/Packages', bytes: await readFile(fixtures.bdb.littleEndian), pageSize: 4096 },
      { name: 'bdb-512', path: '/var/lib/rpm/Packages', bytes: await readFile(fixtures.bdb.smallPages), pageSize: 512 },
      { name: 'bdb-duplicates', path: '/var/lib/rpm/Packages', bytes: await readFile(fixtures.bdb.duplicates), pageSize: 8192 },
      { name: 'bdb-duplicates-on-page', path: '/var/lib/rpm/Packages', bytes: await readFile(fixtures.bdb.duplicatesOnPage), pageSize: 65536 },
      // ndb: blobs sit in 16-byte blocks after one 4096-byte slot page
      { name: 'ndb', path: '/usr/lib/sysimage/rpm/Packages.db', bytes: await readFile(fixtures.ndb), pageSize: 4096 },
    );
  });

  it('damaged databases give packages and problems, never an exception', async () => {
    for (const base of bases) {
      for (let seed = 1; seed <= RUNS; seed++) {
        const random = prng(seed);
        const bytes = Buffer.from(base.bytes);
        // damage the start (metadata, slots), one page's header and item index, or anywhere
        const pages = Math.floor(bytes.length / base.pageSize);
        const choice = random();
        const region =
          choice < 0.35
            ? { name: 'head', start: 0, length: Math.min(bytes.length, 8192) }
            : choice < 0.7
              ? { name: 'page header', start: Math.floor(random() * pages) * base.pageSize, length: 64 }
              : { name: 'all', start: 0, length: bytes.length };
        for (let i = 0, n = 1 + Math.floor(random() * 4); i < n; i++) mutate(bytes, region, random);
        const label = `${base.name} seed ${seed}`;
        const db = await withinTimeLimit(readRpmDatabase(guestWith([{ path: base.path, bytes }])), label);
        assert.ok(db, label);
        for (const problem of db.problems) assert.ok(problem.en && problem.de, label);
      }
    }
  });

  it('a damaged SQLite database gives problems, never an exception', async () => {
    const original = await readFile(fixtures.sqlite);
    for (let seed = 1; seed <= 60; seed++) {
      const random = prng(seed);
      const bytes = Buffer.from(original);
      for (let i = 0; i < 4; i++) mutate(bytes, { name: 'all', start: 0, length: bytes.length }, random);
      const db = await withinTimeLimit(readRpmDatabase(guestWith([{ path: '/var/lib/rpm/rpmdb.sqlite', bytes }])), `sqlite seed ${seed}`);
      assert.ok(db);
    }
  });

  it('a damaged header blob parses or fails with a VmarketError only', () => {
    for (const { hnum, blob: original } of fixtures.blobs) {
      for (let seed = 1; seed <= 400; seed++) {
        const random = prng(seed * 7919 + hnum);
        const blob = Buffer.from(original);
        // the index (tags, types, offsets, counts) is where damage matters most
        const indexBytes = 8 + 16 * blob.readUInt32BE(0);
        const region = random() < 0.7 ? { name: 'index', start: 0, length: indexBytes } : { name: 'data', start: 0, length: blob.length };
        mutate(blob, region, random);
        try {
          packageOf(parseRpmHeader(blob), 1_000_000);
        } catch (error) {
          assert.ok(isVmarketError(error), `header ${hnum} seed ${seed}: ${String(error)}`);
        }
      }
    }
  });
});
