/**
 * What the LVM reader refuses, on metadata lvm2 itself wrote (vgcfgrestore validates the text and
 * writes its on-disk format with its checksums): thin pools and thin volumes, RAID1, snapshots
 * (origin and copy-on-write store), a volume group whose second PV is not on the disk; and
 * damage: metadata whose checksum does not match, an image cut short. Each is a sentence in
 * image.partitions' problems (en + de) and nothing of the refused volume is opened.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { volumeProblems } from '../../../src/certification/checks/image-partitions.ts';
import { lvmCrc } from '../../../src/certification/disk/lvm/crc.ts';
import { readDisk, type DiskContents } from '../../../src/certification/fs/open.ts';
import { buildLvmImage, lvmUuid, type Allocation, type LvmImage } from '../../fixtures/lvm.ts';
import { scratchDir } from '../../helpers/files.ts';
import { needs } from '../../helpers/tools.ts';

/** One volume's section as vgcfgbackup writes it, one segment. */
function volume(name: string, visible: boolean, segment: string, extents: number): string {
  const status = visible ? '["READ", "WRITE", "VISIBLE"]' : '["READ", "WRITE"]';
  return `\t\t${name} {\n\t\t\tid = "${lvmUuid(name)}"\n\t\t\tstatus = ${status}\n\t\t\tflags = []\n\t\t\tsegment_count = 1\n\t\t\tsegment1 {\n\t\t\t\tstart_extent = 0\n\t\t\t\textent_count = ${extents}\n${segment}\t\t\t}\n\t\t}\n`;
}

function linearOn(pv: string, extent: number): string {
  return `\t\t\t\ttype = "striped"\n\t\t\t\tstripe_count = 1\n\t\t\t\tstripes = [\n\t\t\t\t\t"${pv}", ${extent}\n\t\t\t\t]\n`;
}

/** Adds volumes after the fixture's own, on free extents of pv0. */
function adding(build: (at: (extents: number) => number) => string): (text: string, allocation: Allocation) => string {
  return (text, allocation) => {
    let next = allocation.nextFree[0];
    const at = (extents: number) => ((next += extents), next - extents);
    return text.replace('\tlogical_volumes {\n\n', `\tlogical_volumes {\n\n${build(at)}\n`);
  };
}

const thin = adding((at) =>
  [
    volume('pool', true, '\t\t\t\ttype = "thin-pool"\n\t\t\t\tmetadata = "pool_tmeta"\n\t\t\t\tpool = "pool_tdata"\n\t\t\t\ttransaction_id = 1\n\t\t\t\tchunk_size = 128\n\t\t\t\tdiscards = "passdown"\n\t\t\t\tzero_new_blocks = 1\n', 4),
    volume('thin1', true, '\t\t\t\ttype = "thin"\n\t\t\t\tthin_pool = "pool"\n\t\t\t\ttransaction_id = 0\n\t\t\t\tdevice_id = 1\n', 8),
    volume('pool_tmeta', false, linearOn('pv0', at(1)), 1),
    volume('pool_tdata', false, linearOn('pv0', at(4)), 4),
  ].join('\n'),
);

const raid1 = adding((at) =>
  [
    volume('mirrored', true, '\t\t\t\ttype = "raid1"\n\t\t\t\tdevice_count = 2\n\t\t\t\tregion_size = 1024\n\t\t\t\traids = [\n\t\t\t\t\t"mirrored_rmeta_0", "mirrored_rimage_0",\n\t\t\t\t\t"mirrored_rmeta_1", "mirrored_rimage_1"\n\t\t\t\t]\n', 2),
    volume('mirrored_rmeta_0', false, linearOn('pv0', at(1)), 1),
    volume('mirrored_rimage_0', false, linearOn('pv0', at(2)), 2),
    volume('mirrored_rmeta_1', false, linearOn('pv1', 0), 1),
    volume('mirrored_rimage_1', false, linearOn('pv1', 1), 2),
  ].join('\n'),
);

const snapshot = adding((at) =>
  [
    volume('snap', true, linearOn('pv0', at(2)), 2),
    volume('snapshot0', false, '\t\t\t\ttype = "snapshot"\n\t\t\t\tchunk_size = 8\n\t\t\t\torigin = "root"\n\t\t\t\tcow_store = "snap"\n', 4),
  ].join('\n'),
);

async function open(image: LvmImage, cut?: number): Promise<DiskContents> {
  const bytes = await readFile(image.path);
  return readDisk(bufferReader(cut === undefined ? bytes : bytes.subarray(0, cut)));
}

function english(disk: DiskContents): string[] {
  const problems = volumeProblems(disk);
  for (const p of problems) assert.ok(p.de && p.de !== p.en, `a German sentence for: ${p.en}`);
  return problems.map((p) => p.en);
}

function openedVolumes(disk: DiskContents): string[] {
  return disk.fileSystems.filter((f) => f.volume).map((f) => f.volume!.name);
}

describe('LVM volumes vmarket refuses', { skip: needs('vgcfgrestore') || needs('sfdisk') }, () => {
  const scratch = scratchDir('vmarket-lvm-refused-');
  const images: Record<string, LvmImage> = {};

  before(async () => {
    const base = { sizeMiB: 24, pvCount: 2, vg: 'rhel', lvs: [{ name: 'root', sizeMiB: 4 }] };
    for (const [name, editMetadata] of Object.entries({ plain: undefined, thin, raid1, snapshot })) {
      images[name] = await buildLvmImage({ ...base, path: join(scratch(), `${name}.img`), editMetadata });
    }
  });

  it('reads the plain volume group without problems (the control case)', async () => {
    const disk = await open(images.plain);
    assert.deepEqual(english(disk), []);
    assert.deepEqual(openedVolumes(disk), ['root']);
  });

  it('refuses a thin pool and its thin volume by name, and still reads the linear volume', async () => {
    const disk = await open(images.thin);
    const problems = english(disk);
    assert.ok(problems.includes('logical volume rhel/pool is a thin pool (thin-pool), which vmarket does not read: only linear and striped logical volumes can be certified'), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('logical volume rhel/thin1 is a thin volume (thin)')), problems.join('\n'));
    assert.deepEqual(openedVolumes(disk), ['root']);
    assert.deepEqual(disk.volumeGroups[0].lvs.map((lv) => lv.name).sort(), ['pool', 'root', 'thin1']);
  });

  it('refuses a RAID1 volume', async () => {
    const disk = await open(images.raid1);
    assert.ok(english(disk).some((p) => p.startsWith('logical volume rhel/mirrored is a RAID volume (raid1)')));
    assert.deepEqual(openedVolumes(disk), ['root']);
  });

  it('refuses a snapshot: its origin and its copy-on-write store', async () => {
    const disk = await open(images.snapshot);
    const problems = english(disk);
    assert.ok(problems.some((p) => p.startsWith('logical volume rhel/root is the origin of snapshot rhel/snap')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('logical volume rhel/snap is a snapshot of rhel/root')), problems.join('\n'));
    assert.deepEqual(openedVolumes(disk), []);
  });

  it('reads nothing of a volume group whose second PV is not on the disk, and names that PV', async () => {
    // Cut the image inside the second PV's partition: its label is gone (the first PV's metadata lists it).
    const disk = await open(images.plain, images.plain.pvs[1].startByte + 256);
    const problems = english(disk);
    assert.ok(problems.some((p) => p.startsWith(`volume group rhel lacks physical volume pv1 (${images.plain.pvs[1].uuid})`)), problems.join('\n'));
    assert.deepEqual(openedVolumes(disk), []);
  });

  it('refuses a volume cut short by a truncated image', async () => {
    // The image ends inside root's extents on the first PV.
    const disk = await open(images.plain, images.plain.pvs[0].startByte + images.plain.pvs[0].peStart + 2 * images.plain.extentSize);
    const problems = english(disk);
    assert.ok(problems.some((p) => /^logical volume rhel\/root uses extent \d+ of physical volume pv0, which has \d+ extents; it is not read$/.test(p)), problems.join('\n'));
    assert.deepEqual(openedVolumes(disk), []);
  });

  it('reports metadata whose checksum does not match and reads no volume group from it', async () => {
    const bytes = await readFile(images.plain.path);
    // Change one character of the newest metadata text on both PVs (lvm2 keeps a copy on each):
    // the metadata area at 4 KiB names it in its first raw location (offset from the area's start).
    for (const pv of images.plain.pvs) {
      const area = pv.startByte + 4096;
      assert.equal(bytes.toString('latin1', area + 4, area + 20), ' LVM2 x[5A%r0N*>', 'the metadata area is at 4 KiB');
      const text = area + Number(bytes.readBigUInt64LE(area + 40));
      const at = bytes.indexOf('extent_size = ', text);
      assert.ok(at > text && at < text + 4096, 'the text holds extent_size');
      bytes[at + 'extent_size = '.length] ^= 0x01;
    }
    const disk = await readDisk(bufferReader(bytes));
    assert.deepEqual(disk.volumeGroups, []);
    const problems = english(disk);
    assert.equal(problems.length, 2);
    assert.match(problems[0], /^the LVM physical volume on partition 1 could not be read: The LVM metadata text has checksum 0x[0-9a-f]{8}, but its contents give 0x[0-9a-f]{8}\.$/);
  });

  it('reads nothing of a volume group that lists one PV twice (its bytes would be read twice)', async () => {
    const bytes = await readFile(images.plain.path);
    const [first, second] = images.plain.pvs;
    // In the newest text on the first PV, give pv1 the uuid of pv0 (same length), then recompute
    // lvm2's checksums of the text and of the area header as lvm2 would have written them.
    const area = first.startByte + 4096;
    const text = area + Number(bytes.readBigUInt64LE(area + 40));
    const size = Number(bytes.readBigUInt64LE(area + 48));
    const edited = bytes.toString('latin1', text, text + size).replace(`id = "${second.uuid}"`, `id = "${first.uuid}"`);
    assert.notEqual(edited, bytes.toString('latin1', text, text + size), 'the text names the second PV');
    bytes.write(edited, text, 'latin1');
    bytes.writeUInt32LE(lvmCrc(bytes.subarray(text, text + size)), area + 56);
    bytes.writeUInt32LE(lvmCrc(bytes.subarray(area + 4, area + 512)), area);
    const disk = await readDisk(bufferReader(bytes));
    const problems = english(disk);
    assert.ok(problems.includes('volume group rhel lists physical volume pv1, which volume group rhel already holds, so none of its logical volumes is read'), problems.join('\n'));
    assert.deepEqual(openedVolumes(disk), []);
  });
});
