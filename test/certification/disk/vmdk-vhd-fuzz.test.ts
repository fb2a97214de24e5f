/**
 * Seeded corruption of VMDK (monolithicSparse, streamOptimized) and dynamic VHD images made by
 * qemu-img: header, descriptor, grain directory and table, grain markers, footers, dynamic
 * header and block allocation table. Every run must end with `openImageFormat` answering and a
 * full read of the virtual disk completing or throwing a VmarketError, within a time limit:
 * never another exception, never a hang. Half of the VHD runs fix the checksums after the
 * damage so that the code behind them is reached too. A failure names its seed.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { openImageFormat } from '../../../src/certification/disk/formats/index.ts';
import type { RangeReader } from '../../../src/certification/disk/types.ts';
import { vhdChecksum } from '../../../src/certification/disk/vhd-footer.ts';
import { isVmarketError } from '../../../src/errors.ts';
import { convertImage, patternedRaw } from '../../fixtures/qemu.ts';
import { scratchDir } from '../../helpers/files.ts';
import { mutate, type Region } from '../../helpers/corrupt.ts';
import { prng } from '../../helpers/prng.ts';
import { needs } from '../../helpers/tools.ts';
import { MiB, withinTimeLimit } from './helpers.ts';

const RUNS_PER_IMAGE = 200;
const SECTOR = 512;

interface Base {
  name: string;
  bytes: Buffer;
  regions: Region[];
  fixChecksums?: (bytes: Buffer) => void;
}

function vmdkRegions(bytes: Buffer, stream: boolean): Region[] {
  const descriptor = Number(bytes.readBigUInt64LE(28)) * SECTOR;
  const directory = Number(bytes.readBigUInt64LE(56)) * SECTOR;
  const table = bytes.readUInt32LE(directory) * SECTOR;
  const regions = [
    { name: 'header', start: 0, length: 80 },
    { name: 'descriptor', start: descriptor, length: bytes.indexOf(0, descriptor) - descriptor },
    { name: 'grain directory', start: directory, length: 4 },
    { name: 'grain table', start: table, length: 2048 },
  ];
  if (stream) regions.push({ name: 'first grain marker', start: bytes.readUInt32LE(table) * SECTOR, length: 64 });
  return regions;
}

function vhdRegions(bytes: Buffer): Region[] {
  const header = Number(bytes.readBigUInt64BE(16));
  const table = Number(bytes.readBigUInt64BE(header + 16));
  const firstBlock = bytes.readUInt32BE(table) * SECTOR;
  return [
    { name: 'footer copy', start: 0, length: SECTOR },
    { name: 'footer', start: bytes.length - SECTOR, length: SECTOR },
    { name: 'dynamic header', start: header, length: 40 },
    { name: 'block allocation table', start: table, length: 16 },
    { name: 'first block bitmap', start: firstBlock, length: SECTOR },
  ];
}

/** Both footers' checksums and the dynamic header's, wherever the damage left them. */
function fixVhdChecksums(bytes: Buffer): void {
  for (const at of [0, bytes.length - SECTOR]) {
    const footer = bytes.subarray(at, at + SECTOR);
    if (footer.toString('latin1', 0, 8) === 'conectix') footer.writeUInt32BE(vhdChecksum(footer), 64);
  }
  const header = Number(bytes.readBigUInt64BE(16));
  if (header + 1024 > bytes.length) return;
  const dynamic = bytes.subarray(header, header + 1024);
  let sum = 0;
  for (let i = 0; i < 1024; i++) if (i < 36 || i >= 40) sum += dynamic[i];
  dynamic.writeUInt32BE(~sum >>> 0, 36);
}

/** Reads the whole virtual disk in 1 MiB pieces. */
async function readAll(disk: RangeReader): Promise<void> {
  for (let at = 0; at < disk.size; at += MiB) await disk.read(at, Math.min(MiB, disk.size - at));
}

describe('VMDK and dynamic VHD readers under seeded corruption', { skip: needs('qemu-img') }, () => {
  const scratch = scratchDir('vmarket-fuzz-');
  const bases: Base[] = [];

  before(async () => {
    const raw = await patternedRaw(join(scratch(), 'disk.raw'), 8, 'fuzz');
    for (const subformat of ['monolithicSparse', 'streamOptimized']) {
      const bytes = await readFile(await convertImage(raw, join(scratch(), `${subformat}.vmdk`), 'vmdk', { from: 'raw', o: `subformat=${subformat}` }));
      bases.push({ name: subformat, bytes, regions: vmdkRegions(bytes, subformat === 'streamOptimized') });
    }
    const vhd = await readFile(await convertImage(raw, join(scratch(), 'dynamic.vhd'), 'vpc', { from: 'raw', o: 'subformat=dynamic' }));
    bases.push({ name: 'dynamic VHD', bytes: vhd, regions: vhdRegions(vhd), fixChecksums: fixVhdChecksums });
  });

  it(`ends every run with an answer or a VmarketError (${RUNS_PER_IMAGE} runs per image)`, { timeout: 120_000 }, async (t) => {
    for (const base of bases) {
      let read = 0;
      let noticed = 0;
      for (let run = 0; run < RUNS_PER_IMAGE; run++) {
        const seed = run * 7919 + base.name.length;
        const random = prng(seed);
        const bytes = Buffer.from(base.bytes);
        for (let i = 0, n = 1 + Math.floor(random() * 3); i < n; i++) mutate(bytes, base.regions[Math.floor(random() * base.regions.length)], random);
        if (base.fixChecksums && random() < 0.5) base.fixChecksums(bytes);
        const image = random() < 0.1 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes;
        const label = `${base.name} seed ${seed}`;
        const { info, disk } = await withinTimeLimit(openImageFormat(bufferReader(image)), label).catch((error: unknown) => {
          assert.fail(`${label}: openImageFormat threw ${(error as Error).stack}`);
        });
        for (const sentence of [...info.problems, ...info.refusals]) assert.ok(sentence.en.length > 0 && sentence.de.length > 0, label);
        let failed = false;
        if (disk) {
          await withinTimeLimit(readAll(disk), label).catch((error: unknown) => {
            assert.ok(isVmarketError(error), `${label}: ${(error as Error).stack}`);
            failed = true;
          });
          read++;
        }
        if (failed || !disk || info.problems.length > 0 || info.refusals.length > 0) noticed++;
      }
      t.diagnostic(`${base.name}: ${read} virtual disks read, ${noticed} of ${RUNS_PER_IMAGE} runs found damage`);
      // the damage is real: a fuzzer that changes nothing, or a reader that notices nothing, fails here
      assert.ok(noticed > RUNS_PER_IMAGE * 0.2, `${base.name}: only ${noticed} runs found damage`);
      assert.ok(read > RUNS_PER_IMAGE * 0.1, `${base.name}: only ${read} runs got as far as a virtual disk`);
    }
  });
});
