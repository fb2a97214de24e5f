/**
 * Logical volumes read through the LVM reader against real lvm2 layouts (test/fixtures/lvm.ts:
 * pvcreate, vgcreate, vgcfgrestore): a multi-segment linear volume over two PVs, a volume striped
 * over two PVs with 64 KiB stripes, and a PV that is the whole disk. Each volume's bytes must equal
 * the content written at the places lvm2 reports, and the layout must be lvm2's own.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { volumeProblems } from '../../../src/certification/checks/image-partitions.ts';
import { readVolumeGroups } from '../../../src/certification/disk/lvm/volume-groups.ts';
import type { RangeReader } from '../../../src/certification/disk/types.ts';
import { readDisk, type DiskContents } from '../../../src/certification/fs/open.ts';
import { buildLvmImage, type LvmImage } from '../../fixtures/lvm.ts';
import { scratchDir } from '../../helpers/files.ts';
import { needs } from '../../helpers/tools.ts';

const MiB = 1024 * 1024;

/** The reader of logical volume `name`, from the disk's LVM partitions as openDisk finds them. */
async function lvReader(contents: DiskContents, name: string): Promise<RangeReader> {
  const sources = contents.fileSystems
    .filter((f) => f.kind === 'lvm')
    .map((f) => ({ partition: f.partition, reader: f.partition ? contents.disk.slice(f.partition.startByte, f.partition.sizeBytes) : contents.disk }));
  const { volumes } = await readVolumeGroups(sources);
  const volume = volumes.find((v) => v.name === name);
  assert.ok(volume, `logical volume ${name} can be read`);
  return volume.reader;
}

async function lvmHeader(image: LvmImage): Promise<{ areaSize: number; offset: number; size: number }> {
  const bytes = await readFile(image.path);
  const area = image.pvs[0].startByte + 4096;
  return { areaSize: Number(bytes.readBigUInt64LE(area + 32)), offset: Number(bytes.readBigUInt64LE(area + 40)), size: Number(bytes.readBigUInt64LE(area + 48)) };
}

async function lvBytes(contents: DiskContents, name: string): Promise<Buffer> {
  const reader = await lvReader(contents, name);
  return reader.read(0, reader.size);
}

describe('LVM logical volumes as lvm2 lays them out', { skip: needs('vgcfgrestore') || needs('sfdisk') }, () => {
  const scratch = scratchDir('vmarket-lvm-layout-');
  const contents: Record<string, Buffer> = {};
  let twoPvs: { image: LvmImage; disk: DiskContents };
  let whole: { image: LvmImage; disk: DiskContents };
  let wrapped: { image: LvmImage; disk: DiskContents };

  before(async () => {
    for (const [name, size] of [['multi', 6 * MiB], ['striped', 4 * MiB], ['whole', 3 * MiB]] as const) {
      contents[name] = randomBytes(size);
      await writeFile(join(scratch(), `${name}.bin`), contents[name]);
    }
    const image = await buildLvmImage({
      path: join(scratch(), 'two.img'),
      sizeMiB: 40,
      pvCount: 2,
      vg: 'rhel',
      lvs: [
        { name: 'multi', sizeMiB: 6, segments: 3, content: join(scratch(), 'multi.bin') },
        { name: 'striped', sizeMiB: 4, stripes: 2, stripeSizeKiB: 64, content: join(scratch(), 'striped.bin') },
      ],
    });
    twoPvs = { image, disk: await readDisk(bufferReader(await readFile(image.path))) };
    const wholeImage = await buildLvmImage({ path: join(scratch(), 'whole.img'), sizeMiB: 8, partitionTable: 'none', vg: 'data', lvs: [{ name: 'whole', sizeMiB: 3, content: join(scratch(), 'whole.bin') }] });
    whole = { image: wholeImage, disk: await readDisk(bufferReader(await readFile(wholeImage.path))) };
    // Many volumes make a long text, so a small metadata area wraps after a few writes.
    const many = Array.from({ length: 24 }, (_, i) => ({ name: `lv${i}`, sizeMiB: 1 }));
    const wrappedImage = await buildLvmImage({
      path: join(scratch(), 'wrapped.img'),
      sizeMiB: 40,
      vg: 'wrap',
      lvs: many,
      pvcreateArgs: ['--metadatasize', '32k', '--dataalignment', '64k'],
      wrapMetadata: true,
    });
    wrapped = { image: wrappedImage, disk: await readDisk(bufferReader(await readFile(wrappedImage.path))) };
  });

  it('reads the volume group with lvm2\'s layout: PVs on partitions 1 and 2, segments and stripes as lvm2 reports them', () => {
    const [vg] = twoPvs.disk.volumeGroups;
    assert.equal(twoPvs.disk.volumeGroups.length, 1);
    assert.equal(vg.name, 'rhel');
    assert.deepEqual(vg.problems, []);
    assert.equal(vg.extentSize, twoPvs.image.extentSize);
    assert.deepEqual(vg.pvs.map((pv) => pv.partition), [1, 2]);
    assert.deepEqual(vg.pvs.map((pv) => pv.uuid), twoPvs.image.pvs.map((pv) => pv.uuid.replaceAll('-', '')));
    for (const lv of vg.lvs) {
      const reported = twoPvs.image.lvs.find((l) => l.name === lv.name)!;
      assert.deepEqual(
        lv.segments.map((s) => [s.startExtent, s.extentCount, s.stripes, s.stripeSize]),
        reported.segments.map((s) => [s.startExtent, s.extents, s.stripes, s.stripeSize]),
        lv.name,
      );
      assert.equal(lv.refused, undefined);
    }
    assert.equal(vg.lvs.find((lv) => lv.name === 'multi')!.segments.length, 3);
    assert.deepEqual(twoPvs.disk.fileSystems.filter((f) => f.volume).map((f) => [f.volume!.name, f.volume!.pvPartitions]), [['multi', [1, 2]], ['striped', [1, 2]]]);
  });

  it('reads a multi-segment linear volume byte for byte', async () => {
    const bytes = await lvBytes(twoPvs.disk, 'multi');
    assert.equal(bytes.length, 6 * MiB);
    assert.ok(bytes.equals(contents.multi));
  });

  it('reads a volume striped over two PVs byte for byte, also across stripe boundaries', async () => {
    const bytes = await lvBytes(twoPvs.disk, 'striped');
    assert.ok(bytes.subarray(0, contents.striped.length).equals(contents.striped));
    const reader = await lvReader(twoPvs.disk, 'striped');
    // a read straddling the first stripe boundary (64 KiB) and one inside the second row
    for (const [at, length] of [[64 * 1024 - 100, 300], [3 * 64 * 1024 + 5, 70 * 1024], [0, 1]]) {
      assert.ok((await reader.read(at, length)).equals(contents.striped.subarray(at, at + length)), `${length} bytes at ${at}`);
    }
  });

  it('reads a PV that is the whole disk', async () => {
    assert.equal(whole.disk.table.scheme, 'none');
    assert.deepEqual(whole.disk.volumeGroups.map((vg) => [vg.name, vg.pvs.map((pv) => pv.partition)]), [['data', [null]]]);
    const bytes = await lvBytes(whole.disk, 'whole');
    assert.ok(bytes.equals(contents.whole));
  });

  it('reads metadata that wraps around the end of its circular metadata area', async () => {
    assert.deepEqual(volumeProblems(wrapped.disk).map((p) => p.en), []);
    const [vg] = wrapped.disk.volumeGroups;
    assert.equal(vg.name, 'wrap');
    // the test is only worth something if the newest text really wraps (layout.h: mda_header at 4 KiB)
    const header = await lvmHeader(wrapped.image);
    assert.ok(header.offset + header.size > header.areaSize, `text of ${header.size} bytes at ${header.offset} in a ${header.areaSize}-byte area`);
    assert.deepEqual(vg.lvs.map((lv) => lv.name), wrapped.image.lvs.map((lv) => lv.name).sort((a, b) => Number(a.slice(2)) - Number(b.slice(2))));
  });
});
