/**
 * The checks on real LVM images (test/fixtures/lvm.ts): an ext4 root in logical volume rhel/root,
 * named by fstab as /dev/mapper/rhel-root, is found and certified; the messages name the volume;
 * a swap volume fails linux.swap; fstab device-mapper names are matched to the volume they name.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { findLinuxRoot, logicalVolumeNamed } from '../../../src/certification/checks/root.ts';
import { readDisk } from '../../../src/certification/fs/open.ts';
import { certifyImages } from '../../../src/certification/index.ts';
import type { CertificationReport, CheckResult } from '../../../src/certification/types.ts';
import { baseLinuxTree, type FileSpec } from '../../fixtures/images.ts';
import { buildExtFsImage, buildLvmImage } from '../../fixtures/lvm.ts';
import { scratchDir } from '../../helpers/files.ts';
import { needs } from '../../helpers/tools.ts';

const FSTAB = '/dev/mapper/rhel-root\t/\text4\tdefaults\t0 1\n';

function rootTree(fstab: string): FileSpec[] {
  return [...baseLinuxTree().files.filter((f) => f.path !== '/etc/fstab'), { path: '/etc/fstab', content: fstab }];
}

function check(report: CertificationReport, id: string): CheckResult {
  const found = report.checks.find((c) => c.id === id);
  assert.ok(found, id);
  return found;
}

describe('checks on a root in an LVM logical volume', { skip: needs('vgcfgrestore') || needs('mkfs.ext4') }, () => {
  const scratch = scratchDir('vmarket-lvm-checks-');
  let withSwap: CertificationReport;
  let withoutSwap: CertificationReport;

  before(async () => {
    const root = await buildExtFsImage(join(scratch(), 'root.ext4'), rootTree(FSTAB), 16);
    const plain = await buildLvmImage({ path: join(scratch(), 'plain.img'), sizeMiB: 40, vg: 'rhel', lvs: [{ name: 'root', sizeMiB: 16, content: root }] });
    const swapped = await buildLvmImage({ path: join(scratch(), 'swap.img'), sizeMiB: 40, vg: 'rhel', lvs: [{ name: 'root', sizeMiB: 16, content: root }], swapLv: { name: 'swap', sizeMiB: 4 } });
    const config = { clamav: { mode: 'off' as const, databaseDir: '/nonexistent' } };
    withoutSwap = await certifyImages({ osDisk: plain.path, dataDisks: [], config });
    withSwap = await certifyImages({ osDisk: swapped.path, dataDisks: [], config });
  });

  it('finds the root in rhel/root and names the place as the logical volume (en and de)', () => {
    const root = check(withoutSwap, 'linux.root-partition');
    assert.equal(root.status, 'passed', root.message);
    assert.match(root.message, /logical volume rhel\/root \(ext4\)/);
    assert.match(root.translations?.de?.message ?? '', /logisches Volume rhel\/root \(ext4\)/);
    assert.equal(check(withoutSwap, 'linux.os-release').status, 'passed');
  });

  it('image.partitions passes and names the volume group and its volumes', () => {
    const partitions = check(withoutSwap, 'image.partitions');
    assert.equal(partitions.status, 'passed', partitions.message);
    assert.match(partitions.message, /volume group rhel \(partition 1\) with logical volume root/);
  });

  it('linux.swap passes without swap and fails on a swap logical volume, naming it', () => {
    assert.equal(check(withoutSwap, 'linux.swap').status, 'passed', check(withoutSwap, 'linux.swap').message);
    const swap = check(withSwap, 'linux.swap');
    assert.equal(swap.status, 'failed');
    assert.match(swap.message, /logical volume rhel\/swap holds a swap signature/);
  });
});

describe('fstab names of logical volumes', { skip: needs('vgcfgrestore') || needs('mkfs.ext4') }, () => {
  const scratch = scratchDir('vmarket-lvm-fstab-');

  it('parses device-mapper and /dev/<vg>/<lv> names, with doubled dashes', () => {
    assert.deepEqual(logicalVolumeNamed('/dev/mapper/rhel-root'), { group: 'rhel', name: 'root' });
    assert.deepEqual(logicalVolumeNamed('/dev/mapper/my--vg-lv--1'), { group: 'my-vg', name: 'lv-1' });
    assert.deepEqual(logicalVolumeNamed('/dev/rhel/root'), { group: 'rhel', name: 'root' });
    assert.deepEqual(logicalVolumeNamed('/dev/disk/by-id/dm-name-rhel-swap'), { group: 'rhel', name: 'swap' });
    assert.equal(logicalVolumeNamed('/dev/sda1'), null);
    assert.equal(logicalVolumeNamed('/dev/disk/by-uuid/1234'), null);
  });

  it('a volume whose fstab mounts another volume at / is no root candidate; one naming itself is', async () => {
    const other = await buildExtFsImage(join(scratch(), 'other.ext4'), [{ path: '/etc/fstab', content: FSTAB }], 4);
    const self = await buildExtFsImage(join(scratch(), 'self.ext4'), [{ path: '/etc/fstab', content: '/dev/vg0/alt / ext4 defaults 0 1\n' }], 4);
    const image = await buildLvmImage({ path: join(scratch(), 'fstab.img'), sizeMiB: 24, vg: 'vg0', lvs: [{ name: 'other', sizeMiB: 4, content: other }, { name: 'alt', sizeMiB: 4, content: self }] });
    const disk = await readDisk(bufferReader(await readFile(image.path)));
    const search = await findLinuxRoot({ path: image.path, ...disk, close: async () => {} });
    assert.deepEqual(search.candidates.map((c) => c.volume?.name), ['alt']);
  });
});
