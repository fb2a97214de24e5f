/**
 * Seeded corruption of real LVM structures (a lvm2-written image with an ext4 volume over two
 * segments and a striped volume): the PV labels, the metadata-area headers and the newest metadata
 * texts, by bit flips, extreme 32/64-bit fields and changed digits in the text (which keep it
 * parseable, so the checks behind the parser are reached). Half of the runs recompute lvm2's
 * checksums after the damage. Every run must end with a result or a VmarketError, quickly; the
 * volumes that still open are read end to end.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { isVmarketError } from '../../../src/errors.ts';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { lvmCrc } from '../../../src/certification/disk/lvm/crc.ts';
import { readVolumeGroups } from '../../../src/certification/disk/lvm/volume-groups.ts';
import { volumeProblems } from '../../../src/certification/checks/image-partitions.ts';
import { readDisk } from '../../../src/certification/fs/open.ts';
import { buildExtFsImage, buildLvmImage } from '../../fixtures/lvm.ts';
import { withinTimeLimit } from '../disk/helpers.ts';
import { scratchDir } from '../../helpers/files.ts';
import { prng } from '../../helpers/prng.ts';
import { mutate, type Region } from '../../helpers/corrupt.ts';
import { needs } from '../../helpers/tools.ts';

const RUNS = 300;
const MDA = 4096;

interface Pv {
  start: number;
}

/** The newest text of a PV's first metadata area: where it is and how long (from the mda header). */
function textRegion(bytes: Buffer, pv: Pv): Region {
  const area = pv.start + MDA;
  return { name: 'metadata text', start: area + Number(bytes.readBigUInt64LE(area + 40)), length: Number(bytes.readBigUInt64LE(area + 48)) };
}

/** Recomputes the label's, the mda header's and the newest text's checksums as lvm2 computes them. */
function fixChecksums(bytes: Buffer, pvs: Pv[]): void {
  for (const pv of pvs) {
    const area = pv.start + MDA;
    const offset = bytes.readBigUInt64LE(area + 40);
    const size = bytes.readBigUInt64LE(area + 48);
    if (offset > 0n && offset + size < 1024n * 1024n) {
      const text = area + Number(offset);
      bytes.writeUInt32LE(lvmCrc(bytes.subarray(text, text + Number(size))), area + 56);
    }
    bytes.writeUInt32LE(lvmCrc(bytes.subarray(area + 4, area + 512)), area);
    const label = pv.start + 512;
    bytes.writeUInt32LE(lvmCrc(bytes.subarray(label + 20, label + 512)), label + 16);
  }
}

/** A digit of the text changed to another: the text stays parseable, its numbers do not stay sane. */
function changeDigit(bytes: Buffer, region: Region, random: () => number): void {
  for (let tries = 0; tries < 64; tries++) {
    const at = region.start + Math.floor(random() * region.length);
    if (bytes[at] >= 0x30 && bytes[at] <= 0x39) {
      bytes[at] = 0x30 + Math.floor(random() * 10);
      return;
    }
  }
}

describe('LVM reader under seeded corruption', { skip: needs('vgcfgrestore') || needs('mkfs.ext4') }, () => {
  const scratch = scratchDir('vmarket-lvm-fuzz-');
  let base: Buffer;
  let pvs: Pv[];
  let regions: Region[];

  before(async () => {
    const root = await buildExtFsImage(join(scratch(), 'root.ext4'), [{ path: '/etc/os-release', content: 'ID=rhel\nVERSION_ID=9.4\n' }, { path: '/etc/fstab', content: '/dev/mapper/rhel-root / ext4 defaults 0 1\n' }], 4);
    const image = await buildLvmImage({
      path: join(scratch(), 'fuzz.img'),
      sizeMiB: 24,
      pvCount: 2,
      vg: 'rhel',
      lvs: [{ name: 'root', sizeMiB: 4, content: root, segments: 2 }, { name: 'data', sizeMiB: 2, stripes: 2 }],
    });
    base = await readFile(image.path);
    pvs = image.pvs.map((pv) => ({ start: pv.startByte }));
    regions = pvs.flatMap((pv) => [
      { name: 'label', start: pv.start + 512, length: 512 },
      { name: 'mda header', start: pv.start + MDA, length: 512 },
      textRegion(base, pv),
    ]);
  });

  it(`ends every run with a result or a VmarketError (${RUNS} runs)`, { timeout: 120_000 }, async (t) => {
    let results = 0;
    let errors = 0;
    let reported = 0;
    let opened = 0;
    const bytes = Buffer.from(base);
    for (let run = 0; run < RUNS; run++) {
      const seed = run * 7919 + 11;
      const random = prng(seed);
      for (const { start, length } of regions) base.copy(bytes, start - 8, start - 8, start + length + 8);
      assert.ok(bytes.equals(base), 'the damage of the previous run was undone');
      for (let i = 0, n = 1 + Math.floor(random() * 3); i < n; i++) {
        const region = regions[Math.floor(random() * regions.length)];
        if (region.name === 'metadata text' && random() < 0.6) changeDigit(bytes, region, random);
        else mutate(bytes, region, random);
      }
      if (random() < 0.5) fixChecksums(bytes, pvs);
      const image = random() < 0.1 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes;
      const label = `seed ${seed}`;
      try {
        const contents = await withinTimeLimit(readDisk(bufferReader(image)), label);
        const problems = volumeProblems(contents);
        for (const p of problems) assert.ok(typeof p.en === 'string' && p.de.length > 0, label);
        if (problems.length > 0) reported++;
        for (const fs of contents.fileSystems) {
          if (fs.fs) await withinTimeLimit(fs.fs.readdir('/').catch((error) => assert.ok(isVmarketError(error), `${label}: ${error}`)), label);
        }
        const sources = contents.fileSystems.filter((f) => f.kind === 'lvm' && f.partition).map((f) => ({ partition: f.partition, reader: contents.disk.slice(f.partition!.startByte, Math.min(f.partition!.sizeBytes, contents.disk.size - f.partition!.startByte)) }));
        const { volumes } = await withinTimeLimit(readVolumeGroups(sources), label);
        for (const volume of volumes) {
          await withinTimeLimit(volume.reader.read(0, volume.reader.size), label);
          opened++;
        }
        results++;
      } catch (error) {
        assert.ok(isVmarketError(error), `${label}: ${(error as Error).stack}`);
        errors++;
      }
    }
    t.diagnostic(`${results} results (${reported} with LVM problems, ${opened} volumes read whole), ${errors} VmarketErrors`);
    assert.equal(results + errors, RUNS);
    assert.ok(results > errors, `${results} results, ${errors} errors`);
    // The damage is real: many runs must find something wrong, and some volumes must still open.
    assert.ok(reported > results * 0.3, `${reported} of ${results} runs reported a problem`);
    assert.ok(opened > 0, 'some runs still open volumes');
  });
});
