/**
 * Seeded damage to small qcow2 images made by qemu-img: bit flips, extreme or random big-endian
 * 32/64-bit values at field offsets of the header, the header extensions, the L1 table and an L2
 * table, and truncation. Each case must end in `openImageFormat` answering (refusals, problems) and
 * reads of the virtual disk that complete or throw a VmarketError: never another error type, never
 * a hang. A failing case names its base and seed so it can be replayed.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { openImageFormat } from '../../../src/certification/disk/formats/index.ts';
import type { RangeReader } from '../../../src/certification/disk/types.ts';
import { isVmarketError } from '../../../src/errors.ts';
import { convertImage, patternedRaw, qemuImg, qemuIo } from '../../fixtures/qemu.ts';
import { scratchDir } from '../../helpers/files.ts';
import { prng } from '../../helpers/prng.ts';
import { needs } from '../../helpers/tools.ts';
import { MiB, withinTimeLimit } from './helpers.ts';

const RUNS_PER_BASE = 75;
/** A damaged size may declare a terabyte of zeros: the first bytes are read in full, the rest sampled. */
const FULL_READ_BYTES = 16 * MiB;
const SAMPLED_READS = 40;

interface Region {
  name: string;
  start: number;
  length: number;
}
interface Base {
  name: string;
  bytes: Buffer;
  regions: Region[];
}

/** The header, extension area, L1 table and first L2 table of a qcow2 file, found as the reader would. */
function qcow2Regions(bytes: Buffer): Region[] {
  const clusterSize = 2 ** bytes.readUInt32BE(20);
  const headerLength = bytes.readUInt32BE(4) === 3 ? bytes.readUInt32BE(100) : 72;
  const l1 = Number(bytes.readBigUInt64BE(40));
  const l1Bytes = bytes.readUInt32BE(36) * 8;
  const l2 = Number(bytes.readBigUInt64BE(l1) & 0x00fffffffffffe00n);
  return [
    { name: 'header', start: 0, length: headerLength },
    { name: 'extensions', start: headerLength, length: Math.min(512, clusterSize - headerLength) },
    { name: 'L1 table', start: l1, length: l1Bytes },
    { name: 'L2 table', start: l2, length: Math.min(clusterSize, 4096) },
  ];
}

/** One seeded change to `bytes` (a copy): answers the damaged bytes, possibly shorter. */
function damage(bytes: Buffer, regions: Region[], random: () => number): Buffer {
  const pick = (n: number) => Math.floor(random() * n);
  const region = regions[pick(regions.length)];
  const at = region.start + pick(region.length);
  switch (pick(5)) {
    case 0: // truncation, somewhere in the tables or just before the end
      return bytes.subarray(0, random() < 0.5 ? at : bytes.length - 1 - pick(64 * 1024));
    case 1:
      for (let i = 0, n = 1 + pick(8); i < n; i++) bytes[region.start + pick(region.length)] ^= 1 << pick(8);
      return bytes;
    case 2: {
      const field = at - (at % 4);
      const extremes = [0, 1, 2, 3, 8, 9, 21, 22, 0x7fffffff, 0x80000000, 0xffffffff];
      bytes.writeUInt32BE(random() < 0.5 ? extremes[pick(extremes.length)] : pick(2 ** 32), field);
      return bytes;
    }
    default: {
      // offsets and sizes: huge, zero, flag bits (copied, compressed, zero), somewhere in the file (aligned or not)
      const field = at - (at % 8);
      const values = [0n, 1n, 2n ** 63n, 2n ** 62n, 2n ** 64n - 1n, BigInt(pick(bytes.length)), BigInt(pick(bytes.length)) & ~0xffffn, (2n ** 63n) | BigInt(pick(2 ** 32)), BigInt(pick(2 ** 32)) << 20n];
      bytes.writeBigUInt64BE(values[pick(values.length)], field);
      return bytes;
    }
  }
}

/** Reads the start of the disk in full and samples the rest; a VmarketError ends the reading. */
async function readDisk(disk: RangeReader, random: () => number): Promise<void> {
  try {
    const full = Math.min(disk.size, FULL_READ_BYTES);
    for (let at = 0; at < full; at += MiB) await disk.read(at, Math.min(MiB, full - at));
    for (let i = 0; i < SAMPLED_READS && disk.size > 0; i++) {
      const at = Math.floor(random() * disk.size);
      await disk.read(at, Math.min(disk.size - at, 1 + Math.floor(random() * 256 * 1024)));
    }
  } catch (error) {
    if (!isVmarketError(error)) throw error;
  }
}

describe('qcow2 reader under seeded corruption', { skip: needs('qemu-img') }, () => {
  const scratch = scratchDir('vmarket-qcow2-fuzz-');
  const bases: Base[] = [];

  before(async () => {
    const raw = await patternedRaw(join(scratch(), 'base.raw'), 4, 'qcow2-fuzz');
    const variants: { name: string; o?: string; compress?: boolean; io?: string[] }[] = [
      { name: 'v3-4k', o: 'cluster_size=4k' },
      { name: 'v2', o: 'compat=0.10,cluster_size=4k' },
      { name: 'zstd', o: 'compression_type=zstd,cluster_size=16k', compress: true },
      { name: 'deflate', o: 'cluster_size=16k', compress: true },
      { name: 'extended-l2', o: 'extended_l2=on,cluster_size=32k', io: ['write -P 0x5a 4k 2k', 'write -z 64k 8k'] },
    ];
    for (const variant of variants) {
      const path = await convertImage(raw, join(scratch(), `${variant.name}.qcow2`), 'qcow2', { from: 'raw', o: variant.o, compress: variant.compress });
      if (variant.io) await qemuIo(path, 'qcow2', variant.io);
      const bytes = await readFile(path);
      bases.push({ name: variant.name, bytes, regions: qcow2Regions(bytes) });
    }
    // a backing-file overlay: the refusal path must hold up under damage too
    const overlay = join(scratch(), 'overlay.qcow2');
    await qemuImg(['create', '-q', '-f', 'qcow2', '-u', '-b', '/nonexistent/base.qcow2', '-F', 'qcow2', overlay, '4M']);
    const bytes = await readFile(overlay);
    bases.push({ name: 'overlay', bytes, regions: qcow2Regions(bytes).slice(0, 3) });
  });

  it(`ends every damaged image in an answer or a VmarketError (${RUNS_PER_BASE} seeds per base)`, async () => {
    let answered = 0;
    let expected = 0;
    for (const base of bases) {
      const runs = base.name === 'overlay' ? 25 : RUNS_PER_BASE;
      expected += runs;
      for (let seed = 1; seed <= runs; seed++) {
        const random = prng(seed);
        const label = `${base.name} seed ${seed}`;
        const bytes = damage(Buffer.from(base.bytes), base.regions, random);
        try {
          await withinTimeLimit(
            (async () => {
              const { info, disk } = await openImageFormat(bufferReader(bytes));
              assert.ok(info.format, label);
              if (disk) await readDisk(disk, random);
            })(),
            label,
          );
          answered++;
        } catch (error) {
          assert.fail(`${label}: ${error instanceof Error ? error.stack : String(error)}`);
        }
      }
    }
    assert.equal(answered, expected, 'every case ran');
    assert.equal(bases.length, 6);
  });
});
