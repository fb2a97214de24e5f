import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { open as openFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { openDisk } from '../../../src/certification/fs/open.ts';
import type { OpenedDisk } from '../../../src/certification/disk/types.ts';
import { baseLinuxTree, buildImage, type FileSpec, type ImageSpec } from '../../fixtures/images.ts';
import { pseudoRandomBytes } from '../../fixtures/pseudo-random.ts';
import { vhdFooter } from '../../fixtures/vhd-writer.ts';
import { rejectsWith } from '../../helpers/assert.ts';
import { english, MiB } from './helpers.ts';
import { scratchDir } from '../../helpers/files.ts';
import { needs } from '../../helpers/tools.ts';
import { sha256Of } from '../../helpers/streams.ts';

const extra: FileSpec[] = [
  { path: '/home/tester', type: 'dir', mode: 0o750, uid: 1000, gid: 1000 },
  { path: '/home/tester/notes.txt', content: 'hello\n', mode: 0o600, uid: 1000, gid: 1000 },
  { path: '/var/lib/blob.bin', size: 3 * MiB + 17 },
  { path: '/etc/alternatives/editor', type: 'symlink', target: '/usr/bin/sh' },
];

async function withDisk<T>(path: string, use: (disk: OpenedDisk) => Promise<T>): Promise<T> {
  const disk = await openDisk(path);
  try {
    return await use(disk);
  } finally {
    await disk.close();
  }
}

describe('openDisk', () => {
  const scratch = scratchDir('vmarket-disk-');
  let mbr: string;
  before(async () => {
    mbr = await buildImage({ files: [...baseLinuxTree().files, ...extra], output: join(scratch(), 'os.vhd'), swapPartitionMiB: 8 });
  });

  it('opens the ext4 root of a fixture, with the tree as specified, and sees the swap partition', async () => {
    await withDisk(mbr, async (disk) => {
      assert.equal(disk.info.format, 'vhd-fixed');
      assert.equal(disk.disk.size, 64 * MiB, 'the disk is the file without its footer');
      assert.equal(disk.table.scheme, 'mbr');
      assert.deepEqual(english(disk.table.problems), []);
      assert.deepEqual(disk.fileSystems.map((f) => [f.partition?.number, f.kind, f.fs !== null]), [[1, 'ext4', true], [2, 'swap', false]]);
      const fs = disk.fileSystems[0].fs!;
      assert.match(String(await fs.readFile('/etc/os-release')), /^ID=ubuntu$/m);
      assert.deepEqual(await fs.readdir('/home/tester'), [{ name: 'notes.txt', type: 'file', inode: (await fs.stat('/home/tester/notes.txt'))!.inode }]);
      const notes = (await fs.stat('/home/tester/notes.txt'))!;
      assert.deepEqual([notes.mode & 0o7777, notes.uid, notes.gid, notes.size], [0o600, 1000, 1000, 6]);
      const home = (await fs.stat('/home/tester'))!;
      assert.deepEqual([home.type, home.mode & 0o7777, home.uid], ['dir', 0o750, 1000]);
      assert.equal(await fs.readlink('/bin'), 'usr/bin');
      assert.equal(await fs.readlink('/etc/alternatives/editor'), '/usr/bin/sh');
      const blob = (await fs.stat('/var/lib/blob.bin'))!;
      assert.equal(blob.size, 3 * MiB + 17);
      const expected = createHash('sha256').update(pseudoRandomBytes('/var/lib/blob.bin', 3 * MiB + 17)).digest('hex');
      assert.equal(await sha256Of(fs.stream('/var/lib/blob.bin')), expected);
    });
  });

  it('opens GPT disks, whole-disk file systems, ext2 and ext3 the same way', async () => {
    const cases: (Pick<ImageSpec, 'partitionTable' | 'fsType' | 'mkfsOptions'> & { scheme: string })[] = [
      { partitionTable: 'gpt', fsType: 'ext4', scheme: 'gpt' },
      { partitionTable: 'none', fsType: 'ext4', scheme: 'none' },
      { partitionTable: 'mbr', fsType: 'ext2', scheme: 'mbr' },
      { partitionTable: 'mbr', fsType: 'ext3', scheme: 'mbr', mkfsOptions: ['-b', '4096'] },
    ];
    for (const { scheme, ...spec } of cases) {
      const path = await buildImage({ ...baseLinuxTree(), output: join(scratch(), `${spec.fsType}-${spec.partitionTable}.vhd`), sizeMiB: 24, ...spec });
      await withDisk(path, async (disk) => {
        assert.equal(disk.table.scheme, scheme);
        assert.equal(disk.fileSystems.length, 1);
        const [root] = disk.fileSystems;
        assert.equal(root.kind, spec.fsType);
        assert.equal(root.partition === null, spec.partitionTable === 'none');
        assert.match(String(await root.fs!.readFile('/etc/os-release')), /VERSION_ID="22.04"/);
      });
    }
  });

  it('records why an ext file system could not be opened, without throwing', async () => {
    const path = await buildImage({ ...baseLinuxTree(), output: join(scratch(), 'broken.vhd'), sizeMiB: 24 });
    const handle = await openFile(path, 'r+');
    // s_log_block_size of the superblock (partition at 1 MiB, superblock at +1024, field at +24).
    await handle.write(Buffer.from([40, 0, 0, 0]), 0, 4, MiB + 1024 + 24);
    await handle.close();
    await withDisk(path, async (disk) => {
      const [root] = disk.fileSystems;
      assert.equal(root.kind, 'ext4');
      assert.equal(root.fs, null);
      assert.ok(root.problem && root.problem.en.length > 0);
    });
  });

  it('reads into dynamic VHD and VMDK images as into the fixed one', { skip: needs('qemu-img') }, async () => {
    for (const format of ['vhd-dynamic', 'vmdk'] as const) {
      const path = await buildImage({ ...baseLinuxTree(), output: join(scratch(), `os.${format}`), format, sizeMiB: 24 });
      await withDisk(path, async (disk) => {
        assert.equal(disk.info.format, format);
        assert.equal(disk.table.scheme, 'mbr', format);
        assert.deepEqual(disk.fileSystems.map((f) => [f.kind, f.fs !== null]), [['ext4', true]], format);
        assert.match(String(await disk.fileSystems[0].fs!.readFile('/etc/os-release')), /^ID=ubuntu$/m);
      });
    }
  });

  it('opens a raw disk as the whole file, and a tiny file as unknown', async () => {
    const raw = await buildImage({ ...baseLinuxTree(), output: join(scratch(), 'os.raw'), format: 'raw', sizeMiB: 24 });
    await withDisk(raw, async (disk) => {
      assert.equal(disk.info.format, 'raw');
      assert.equal(disk.disk.size, 24 * MiB);
      assert.equal(disk.fileSystems[0].kind, 'ext4');
    });
    const tiny = join(scratch(), 'tiny.vhd');
    await writeFile(tiny, 'not an image');
    await withDisk(tiny, async (disk) => {
      assert.equal(disk.info.format, 'unknown');
      assert.deepEqual(disk.fileSystems, []);
    });
  });

  it('still reads the disk behind a trailing footer with an impossible disk type', async () => {
    const path = await buildImage({ ...baseLinuxTree(), output: join(scratch(), 'odd-type.vhd'), sizeMiB: 24 });
    const handle = await openFile(path, 'r+');
    await handle.write(vhdFooter({ size: 24 * MiB, diskType: 9 }), 0, 512, 24 * MiB);
    await handle.close();
    await withDisk(path, async (disk) => {
      assert.equal(disk.info.format, 'unknown');
      assert.match(english(disk.info.problems).join(' '), /disk type 9/);
      assert.equal(disk.fileSystems[0].kind, 'ext4');
      assert.ok(disk.fileSystems[0].fs);
    });
  });

  it('throws FILE_UNREADABLE only when the file cannot be opened', async () => {
    await rejectsWith(openDisk(join(scratch(), 'nowhere.vhd')), 'FILE_UNREADABLE', 'nowhere.vhd');
  });
});
