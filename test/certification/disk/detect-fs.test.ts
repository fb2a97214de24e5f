import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { detectFileSystem } from '../../../src/certification/disk/detect-fs.ts';
import { swapSignature } from '../../fixtures/partition-writer.ts';
import { MiB, run } from './helpers.ts';
import { scratchDir } from '../../helpers/files.ts';
import { needs } from '../../helpers/tools.ts';

const UUID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const uuidBytes = () => Buffer.from(UUID.replace(/-/g, ''), 'hex');
const detect = (bytes: Buffer) => detectFileSystem(bufferReader(bytes));

describe('detectFileSystem', () => {
  const scratch = scratchDir('vmarket-disk-');

  it('tells ext2, ext3 and ext4 apart by their features, with label and UUID', { skip: needs('mkfs.ext4') }, async () => {
    const cases: [string, string[], string][] = [
      ['mkfs.ext2', [], 'ext2'],
      ['mkfs.ext3', [], 'ext3'],
      ['mkfs.ext4', [], 'ext4'],
      ['mkfs.ext4', ['-O', '^has_journal'], 'ext4'],
      ['mkfs.ext4', ['-O', '^64bit,^metadata_csum', '-b', '1024'], 'ext4'],
      ['mkfs.ext2', ['-O', 'has_journal'], 'ext3'],
    ];
    for (const [mkfs, options, kind] of cases) {
      const path = join(scratch(), `${kind}.img`);
      await writeFile(path, Buffer.alloc(0));
      await run(mkfs, ['-q', '-F', '-L', 'cloudimg-rootfs', '-U', UUID, ...options, path, '8M']);
      assert.deepEqual(await detect(await readFile(path)), { kind, label: 'cloudimg-rootfs', uuid: UUID }, `${mkfs} ${options.join(' ')}`);
    }
  });

  it('finds swap written by mkswap and by the fixture writer, and swap with 64 KiB pages', async () => {
    if (!needs('mkswap')) {
      const path = join(scratch(), 'swap.img');
      await writeFile(path, Buffer.alloc(4 * MiB));
      await run('mkswap', ['-L', 'swappy', '-U', UUID, path]);
      assert.deepEqual(await detect(await readFile(path)), { kind: 'swap', label: 'swappy', uuid: UUID });
    }
    const ours = Buffer.alloc(MiB);
    swapSignature(MiB, UUID, 'mine').copy(ours);
    assert.deepEqual(await detect(ours), { kind: 'swap', label: 'mine', uuid: UUID });
    const bigPages = Buffer.alloc(MiB);
    bigPages.write('SWAPSPACE2', 65536 - 10, 'latin1');
    assert.equal((await detect(bigPages)).kind, 'swap');
    const old = Buffer.alloc(MiB);
    old.write('SWAP-SPACE', 4096 - 10, 'latin1');
    assert.deepEqual(await detect(old), { kind: 'swap' });
  });

  it('finds XFS, btrfs, LVM, LUKS, NTFS and vfat signatures', async () => {
    const xfs = Buffer.alloc(MiB);
    xfs.write('XFSB', 0, 'latin1');
    uuidBytes().copy(xfs, 32);
    xfs.write('rootfs', 108, 'latin1');
    assert.deepEqual(await detect(xfs), { kind: 'xfs', label: 'rootfs', uuid: UUID });

    const btrfs = Buffer.alloc(MiB);
    btrfs.write('_BHRfS_M', 65536 + 64, 'latin1');
    uuidBytes().copy(btrfs, 65536 + 32);
    btrfs.write('fedora', 65536 + 299, 'latin1');
    assert.deepEqual(await detect(btrfs), { kind: 'btrfs', label: 'fedora', uuid: UUID });

    const lvm = Buffer.alloc(MiB);
    lvm.write('LABELONE', 512, 'latin1');
    lvm.write('LVM2 001', 512 + 24, 'latin1');
    lvm.write('AbCdEfGhIjKlMnOpQrStUvWxYz012345', 512 + 32, 'latin1');
    assert.deepEqual(await detect(lvm), { kind: 'lvm', uuid: 'AbCdEfGhIjKlMnOpQrStUvWxYz012345' });

    const luks = Buffer.alloc(MiB);
    luks.write('LUKS\xba\xbe', 0, 'latin1');
    luks.writeUInt16BE(2, 6);
    luks.write('secret', 24, 'latin1');
    luks.write(UUID, 168, 'latin1');
    assert.deepEqual(await detect(luks), { kind: 'luks', label: 'secret', uuid: UUID, luksVersion: 2 });

    const ntfs = Buffer.alloc(MiB);
    ntfs.write('NTFS    ', 3, 'latin1');
    ntfs.writeBigUInt64LE(0x1234567890abcdefn, 72);
    assert.deepEqual(await detect(ntfs), { kind: 'ntfs', uuid: '1234567890ABCDEF' });

    const vfat = Buffer.alloc(MiB);
    vfat.write('FAT32   ', 82, 'latin1');
    vfat.writeUInt32LE(0x1a2b3c4d, 67);
    vfat.write('EFI        ', 71, 'latin1');
    vfat[510] = 0x55;
    vfat[511] = 0xaa;
    assert.deepEqual(await detect(vfat), { kind: 'vfat', label: 'EFI', uuid: '1A2B-3C4D' });
  });

  it('calls zeros, random bytes and tiny partitions unknown without reading past them', async () => {
    assert.deepEqual(await detect(Buffer.alloc(MiB)), { kind: 'unknown' });
    for (const size of [0, 1, 100, 1100, 4095]) {
      assert.deepEqual(await detect(Buffer.alloc(size, 0x5a)), { kind: 'unknown' }, `${size} bytes`);
    }
    // The swap magic sits at the end of the first page: a partition of exactly one page has it.
    const onePage = Buffer.alloc(4096);
    onePage.write('SWAPSPACE2', 4086, 'latin1');
    assert.equal((await detect(onePage)).kind, 'swap');
  });
});
