/**
 * Seeded corruption of footers and partition tables: every run of the disk layer (format,
 * partition table, file-system detection, ext open) on a damaged image must end with a result
 * or a VmarketError, quickly, never with another exception or a hang. Half of the runs fix the
 * checksums after the damage so that the code behind the CRC and checksum tests is reached too.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { isVmarketError } from '../../../src/errors.ts';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { readDisk } from '../../../src/certification/fs/open.ts';
import { buildImage } from '../../fixtures/images.ts';
import { extendedChain, mbrSector, SECTOR } from '../../fixtures/partition-writer.ts';
import { vhdFooter } from '../../fixtures/vhd-writer.ts';
import { MiB, withinTimeLimit } from './helpers.ts';
import { scratchDir } from '../../helpers/files.ts';
import { prng } from '../../helpers/prng.ts';
import { fixChecksums, mutate, type Region, tableRegions } from '../../helpers/corrupt.ts';

const RUNS_PER_IMAGE = 400;

interface Base {
  name: string;
  bytes: Buffer;
  regions: Region[];
}

describe('disk layer under seeded corruption', () => {
  const scratch = scratchDir('vmarket-disk-');
  const bases: Base[] = [];

  before(async () => {
    const files = [
      { path: '/etc/os-release', content: 'ID=ubuntu\nVERSION_ID="22.04"\n' },
      { path: '/bin', type: 'symlink' as const, target: 'usr/bin' },
    ];
    for (const partitionTable of ['mbr', 'gpt'] as const) {
      const path = await buildImage({ files, output: join(scratch(), `${partitionTable}.vhd`), sizeMiB: 8, partitionTable, swapPartitionMiB: 1 });
      const bytes = await readFile(path);
      const disk = bytes.length - 512;
      bases.push({
        name: partitionTable,
        bytes,
        regions: [
          ...tableRegions(bytes.length),
          { name: 'backup GPT', start: disk - 33 * SECTOR, length: 33 * SECTOR },
          { name: 'ext superblock', start: MiB + 1024, length: 1024 },
          { name: 'swap signature', start: disk - (partitionTable === 'gpt' ? 2 : 1) * MiB, length: 4096 },
        ],
      });
    }
    // A synthetic disk with an extended partition and a chain of three logical partitions.
    const diskBytes = 4 * MiB;
    const bytes = Buffer.alloc(diskBytes + 512);
    mbrSector([
      { type: 0x83, startLba: 2048, sectors: 1024 },
      { type: 0x0f, startLba: 4096, sectors: diskBytes / SECTOR - 4096 },
    ]).copy(bytes, 0);
    const logicals = [0, 1, 2].map((i) => ({ type: 0x83, ebrLba: 4096 + i * 1024, startLba: 4096 + i * 1024 + 64, sectors: 512 }));
    for (const { offset, bytes: sector } of extendedChain(4096, logicals)) sector.copy(bytes, offset);
    vhdFooter({ size: diskBytes }).copy(bytes, diskBytes);
    bases.push({
      name: 'extended',
      bytes,
      regions: [
        { name: 'footer', start: diskBytes, length: 512 },
        { name: 'sector 0 entries', start: 446, length: 66 },
        ...logicals.map((l, i) => ({ name: `EBR ${i + 1}`, start: l.ebrLba * SECTOR + 446, length: 66 })),
      ],
    });
  });

  it(`ends every run with a result or a VmarketError (${RUNS_PER_IMAGE} runs per image)`, { timeout: 120_000 }, async (t) => {
    let results = 0;
    let errors = 0;
    let reported = 0;
    for (const base of bases) {
      const bytes = Buffer.from(base.bytes);
      for (let run = 0; run < RUNS_PER_IMAGE; run++) {
        const seed = run * 7919 + base.name.length;
        const random = prng(seed);
        // Undo the previous run's damage (fields may spill a few bytes past a region).
        for (const { start, length } of base.regions) {
          base.bytes.copy(bytes, Math.max(0, start - 8), Math.max(0, start - 8), Math.min(bytes.length, start + length + 8));
        }
        assert.ok(bytes.equals(base.bytes), 'the damage of the previous run was undone');
        for (let i = 0, n = 1 + Math.floor(random() * 3); i < n; i++) {
          mutate(bytes, base.regions[Math.floor(random() * base.regions.length)], random);
        }
        if (random() < 0.5) fixChecksums(bytes);
        // Now and then the image is cut short too.
        const image = random() < 0.1 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes;
        const label = `${base.name} seed ${seed}`;
        try {
          const contents = await withinTimeLimit(readDisk(bufferReader(image)), label);
          const problems = [...contents.info.problems, ...contents.table.problems, ...contents.fileSystems.flatMap((fs) => fs.problem ?? [])];
          for (const problem of problems) assert.ok(typeof problem.en === 'string' && typeof problem.de === 'string' && problem.de.length > 0, label);
          if (problems.length > 0) reported++;
          for (const fs of contents.fileSystems) {
            if (fs.fs) await withinTimeLimit(fs.fs.readdir('/').catch((error) => assert.ok(isVmarketError(error), `${label}: ${error}`)), label);
          }
          results++;
        } catch (error) {
          assert.ok(isVmarketError(error), `${label}: ${(error as Error).stack}`);
          errors++;
        }
      }
    }
    t.diagnostic(`${results} results (${reported} with problems), ${errors} VmarketErrors`);
    assert.equal(results + errors, RUNS_PER_IMAGE * bases.length);
    // readDisk turns damage into problems: it should practically never need to throw.
    assert.ok(results > errors, `${results} results, ${errors} errors`);
    // The damage is real: most runs must find something wrong (a fuzzer that changes nothing fails here).
    assert.ok(reported > results * 0.3, `${reported} of ${results} runs reported a problem`);
  });
});
