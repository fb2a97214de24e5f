/**
 * Seeded damage to a small VHDX's headers, region tables, metadata and BAT: every run must end
 * with `openImageFormat` answering and the virtual disk reading to the end (or as far as a
 * damaged table allows) or throwing a VmarketError — never another exception, never a hang.
 * Half of the runs recompute the CRC-32C after the damage so the code behind the checksums is
 * reached too. A failure names its seed; `prng(seed)` replays it.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { openImageFormat } from '../../../src/certification/disk/formats/index.ts';
import type { RangeReader } from '../../../src/certification/disk/types.ts';
import { isVmarketError } from '../../../src/errors.ts';
import { convertImage, patternedRaw } from '../../fixtures/qemu.ts';
import { fixVhdxChecksums, HEADER_OFFSETS, REGION_TABLE_OFFSETS, regionOffsets } from '../../fixtures/vhdx-bytes.ts';
import { mutate, type Region } from '../../helpers/corrupt.ts';
import { scratchDir } from '../../helpers/files.ts';
import { prng } from '../../helpers/prng.ts';
import { needs } from '../../helpers/tools.ts';
import { MiB, withinTimeLimit } from './helpers.ts';

const RUNS = 300;
/** A damaged size may claim 64 TB of zeros: beyond this, the disk is read at its start and at seeded places. */
const FULL_READ_LIMIT = 32 * MiB;

/** Reads the whole disk in 1 MiB reads (or its first 16 MiB and 64 seeded places when it claims more). */
async function readThrough(disk: RangeReader, random: () => number): Promise<void> {
  const end = Math.min(disk.size, disk.size <= FULL_READ_LIMIT ? disk.size : 16 * MiB);
  for (let at = 0; at < end; at += MiB) await disk.read(at, Math.min(MiB, end - at));
  if (disk.size > FULL_READ_LIMIT) {
    for (let i = 0; i < 64; i++) await disk.read(Math.floor(random() * disk.size), 1 + Math.floor(random() * 2 * MiB));
  }
}

describe('VHDX reader under seeded corruption', { skip: needs('qemu-img') }, () => {
  const scratch = scratchDir('vmarket-vhdx-fuzz-');
  let base = Buffer.alloc(0);
  let regions: Region[] = [];

  before(async () => {
    const raw = await patternedRaw(join(scratch(), 'disk.raw'), 8, 'vhdx-fuzz');
    base = await readFile(await convertImage(raw, join(scratch(), 'disk.vhdx'), 'vhdx', { from: 'raw', o: 'block_size=1M' }));
    const { bat, metadata } = regionOffsets(base);
    regions = [
      ...HEADER_OFFSETS.map((at) => ({ name: `header at ${at}`, start: at, length: 80 })),
      ...REGION_TABLE_OFFSETS.map((at) => ({ name: `region table at ${at}`, start: at, length: 16 + 2 * 32 })),
      { name: 'metadata table', start: metadata, length: 32 + 6 * 32 },
      { name: 'metadata items', start: metadata + 64 * 1024, length: 64 },
      { name: 'BAT', start: bat, length: 8 * 10 },
    ];
  });

  it(`ends every run with a result or a VmarketError (${RUNS} runs)`, { timeout: 180_000 }, async () => {
    const outcomes = { read: 0, refusedOrProblem: 0, vmarketError: 0 };
    for (let run = 0; run < RUNS; run++) {
      const seed = run * 7919 + 17;
      const random = prng(seed);
      const bytes = Buffer.from(base);
      for (let i = 0, n = 1 + Math.floor(random() * 3); i < n; i++) mutate(bytes, regions[Math.floor(random() * regions.length)], random);
      if (random() < 0.5) fixVhdxChecksums(bytes);
      const image = random() < 0.1 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes;
      const label = `VHDX seed ${seed}`;
      try {
        await withinTimeLimit((async () => {
          const { info, disk } = await openImageFormat(bufferReader(image));
          for (const sentence of [...info.problems, ...info.refusals]) assert.ok(sentence.en.length > 0 && sentence.de.length > 0, `${label}: a sentence in every language`);
          if (!disk) {
            outcomes.refusedOrProblem++;
            return;
          }
          await readThrough(disk, random);
          outcomes.read++;
        })(), label);
      } catch (error) {
        assert.ok(isVmarketError(error), `${label}: ${(error as Error).stack}`);
        outcomes.vmarketError++;
      }
    }
    // The damage must reach every outcome: a fuzz that only ever fails the first checksum tests nothing.
    assert.ok(outcomes.read > 0 && outcomes.refusedOrProblem > 0 && outcomes.vmarketError > 0, JSON.stringify(outcomes));
  });
});
