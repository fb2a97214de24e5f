import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { openFileReader } from '../../../src/certification/disk/file-reader.ts';
import { detectFormat } from '../../../src/certification/disk/formats/index.ts';
import { vhdChecksum } from '../../../src/certification/disk/vhd-footer.ts';
import { buildImage } from '../../fixtures/images.ts';
import { vhdFooter, vhdGeometry } from '../../fixtures/vhd-writer.ts';
import { english, MiB, readerOf, run } from './helpers.ts';
import { scratchDir } from '../../helpers/files.ts';
import { needs } from '../../helpers/tools.ts';

const files = [{ path: '/etc/hostname', content: 'fixture\n' }];

describe('detectFormat', () => {
  const scratch = scratchDir('vmarket-disk-');
  let dir: string;
  let vhd: string;
  before(async () => {
    dir = scratch();
    vhd = await buildImage({ files, output: join(dir, 'disk.vhd'), sizeMiB: 32 });
  });

  it('reads our fixed VHD: cookie, disk type 2, valid checksum, sizes, geometry, creator', async () => {
    const info = await detectFormat(await readerOf(vhd));
    assert.equal(info.format, 'vhd-fixed');
    assert.deepEqual(english(info.problems), []);
    assert.equal(info.fileSize, 32 * MiB + 512);
    assert.equal(info.virtualSize, 32 * MiB);
    const footer = info.footer!;
    assert.equal(footer.cookie, 'conectix');
    assert.equal(footer.diskType, 2);
    assert.equal(footer.checksumValid, true);
    assert.equal(footer.creatorApplication, 'vmkt');
    assert.equal(footer.dataOffset, 0xffffffffffffffffn);
    assert.equal(footer.originalSize, 32 * MiB);
    assert.deepEqual(footer.geometry, vhdGeometry(32 * MiB));
    assert.match(footer.uniqueId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('gives each fixed VHD a different unique id', async () => {
    const other = await buildImage({ files, output: join(dir, 'other.vhd'), sizeMiB: 32 });
    const [a, b] = await Promise.all([detectFormat(await readerOf(vhd)), detectFormat(await readerOf(other))]);
    assert.notEqual(a.footer!.uniqueId, b.footer!.uniqueId);
  });

  it('reports a footer checksum that does not match, with both values', async () => {
    const bytes = await readFile(vhd);
    const footerAt = bytes.length - 512;
    const stored = bytes.readUInt32BE(footerAt + 64);
    bytes[footerAt + 30] ^= 0x01; // one bit of the creator application
    const info = await detectFormat(bufferReader(bytes));
    assert.equal(info.format, 'vhd-fixed');
    assert.equal(info.footer!.checksumValid, false);
    assert.equal(english(info.problems).length, 1);
    const computed = vhdChecksum(bytes.subarray(footerAt));
    assert.ok(english(info.problems)[0].includes(`0x${stored.toString(16).padStart(8, '0')}`), english(info.problems)[0]);
    assert.ok(english(info.problems)[0].includes(`0x${computed.toString(16).padStart(8, '0')}`), english(info.problems)[0]);
  });

  it('reports a current size that is not the file size minus the footer', async () => {
    const disk = Buffer.alloc(4 * MiB);
    const image = Buffer.concat([disk, vhdFooter({ size: 5 * MiB })]);
    const info = await detectFormat(bufferReader(image));
    assert.equal(info.format, 'vhd-fixed');
    assert.equal(info.virtualSize, 5 * MiB);
    assert.deepEqual(english(info.problems), [
      `The VHD footer's current size (${5 * MiB} bytes) differs from the file size minus the 512-byte footer (${4 * MiB} bytes).`,
    ]);
  });

  it('reports a footer whose disk type is none of fixed, dynamic, differencing', async () => {
    const footer = vhdFooter({ size: MiB, diskType: 7 });
    const info = await detectFormat(bufferReader(Buffer.concat([Buffer.alloc(MiB), footer])));
    assert.equal(info.format, 'unknown');
    assert.equal(info.footer!.checksumValid, true);
    assert.match(english(info.problems).join(' '), /disk type 7/);
  });

  it('calls a tiny or empty file unknown', async () => {
    for (const size of [0, 1, 511]) {
      const info = await detectFormat(bufferReader(Buffer.alloc(size)));
      assert.equal(info.format, 'unknown');
      assert.equal(info.virtualSize, 0);
      assert.match(english(info.problems)[0], new RegExp(`${size} bytes long`));
    }
  });

  it('calls a file without any magic raw, with its size as the virtual size', async () => {
    const raw = await buildImage({ files, output: join(dir, 'disk.raw'), format: 'raw', sizeMiB: 32 });
    const info = await detectFormat(await readerOf(raw));
    assert.equal(info.format, 'raw');
    assert.equal(info.virtualSize, 32 * MiB);
    assert.equal(info.footer, null);
    assert.match(english(info.problems)[0], /no VHD footer.*raw disk/);
  });

  it('recognises a VHDX by its signature', async () => {
    const bytes = Buffer.alloc(MiB);
    bytes.write('vhdxfile', 0, 'latin1');
    const info = await detectFormat(bufferReader(bytes));
    assert.equal(info.format, 'unknown');
    assert.match(english(info.problems)[0], /VHDX/);
  });

  describe('foreign formats made by qemu-img', { skip: needs('qemu-img') }, () => {
    it('detects a dynamic VHD (type 3) with its sparse header, and reads it', async () => {
      const path = await buildImage({ files, output: join(dir, 'dynamic.vhd'), format: 'vhd-dynamic', sizeMiB: 32 });
      const info = await detectFormat(await readerOf(path));
      assert.equal(info.format, 'vhd-dynamic');
      assert.equal(info.footer!.diskType, 3);
      assert.equal(info.footer!.checksumValid, true);
      assert.ok(info.virtualSize >= 32 * MiB);
      assert.deepEqual(english(info.problems), []);
      assert.deepEqual(english(info.refusals), []);
    });

    it('reads a dynamic VHD whose trailing footer is gone from the copy at offset 0', async () => {
      const path = await buildImage({ files, output: join(dir, 'cut.vhd'), format: 'vhd-dynamic', sizeMiB: 32 });
      const bytes = await readFile(path);
      await writeFile(path, bytes.subarray(0, bytes.length - 512));
      const info = await detectFormat(await readerOf(path));
      assert.equal(info.format, 'vhd-dynamic');
      assert.match(english(info.problems)[0], /does not end with a VHD footer/);
    });

    it('reports a dynamic VHD whose cxsparse header is damaged', async () => {
      const path = await buildImage({ files, output: join(dir, 'broken.vhd'), format: 'vhd-dynamic', sizeMiB: 32 });
      const bytes = await readFile(path);
      const dataOffset = Number(bytes.readBigUInt64BE(bytes.length - 512 + 16));
      assert.equal(bytes.toString('latin1', dataOffset, dataOffset + 8), 'cxsparse');
      bytes.write('xxxxxxxx', dataOffset, 'latin1');
      const info = await detectFormat(bufferReader(bytes));
      assert.equal(info.format, 'vhd-dynamic');
      assert.match(english(info.problems).join(' '), /The dynamic VHD's header could not be read: The dynamic VHD's header lacks the cookie "cxsparse"/);
    });

    it('detects a differencing VHD (type 4)', async () => {
      const path = await buildImage({ files, output: join(dir, 'diff.vhd'), format: 'vhd-dynamic', sizeMiB: 32 });
      const bytes = await readFile(path);
      for (const at of [0, bytes.length - 512]) {
        bytes.writeUInt32BE(4, at + 60);
        bytes.writeUInt32BE(vhdChecksum(bytes.subarray(at, at + 512)), at + 64);
      }
      const info = await detectFormat(bufferReader(bytes));
      assert.equal(info.format, 'vhd-differencing');
      assert.match(english(info.problems)[0], /differencing disk \(disk type 4\)/);
    });

    it('reads fixed VHDs made by qemu-img, with the geometry our writer computes', async () => {
      for (const size of ['64M', '1G', '130G']) {
        for (const options of ['subformat=fixed', 'subformat=fixed,force_size=on']) {
          const path = join(dir, `qemu-${size}.vhd`);
          await run('qemu-img', ['create', '-q', '-f', 'vpc', '-o', options, path, size]);
          // Sparse files of up to 130 GiB: positioned reads, never into memory.
          const file = await openFileReader(path);
          const info = await detectFormat(file.reader).finally(() => file.close());
          assert.equal(info.format, 'vhd-fixed', size);
          assert.equal(info.footer!.checksumValid, true);
          assert.deepEqual(english(info.problems), [], `${size} ${options}`);
          // With force_size qemu writes the maximal geometry as a marker; without, the spec's CHS.
          if (!options.includes('force_size')) assert.deepEqual(info.footer!.geometry, vhdGeometry(info.virtualSize), size);
          await rm(path);
        }
      }
    });

    it('detects qcow2 with the virtual size from its header', async () => {
      const path = await buildImage({ files, output: join(dir, 'disk.qcow2'), format: 'qcow2', sizeMiB: 32 });
      const info = await detectFormat(await readerOf(path));
      assert.equal(info.format, 'qcow2');
      assert.equal(info.virtualSize, 32 * MiB);
      assert.match(english(info.problems)[0], /qcow2 image, not a fixed VHD/);
    });

    it('detects a sparse VMDK with its capacity', async () => {
      const path = await buildImage({ files, output: join(dir, 'disk.vmdk'), format: 'vmdk', sizeMiB: 32 });
      const info = await detectFormat(await readerOf(path));
      assert.equal(info.format, 'vmdk');
      assert.equal(info.virtualSize, 32 * MiB);
      assert.deepEqual([...english(info.problems), ...english(info.refusals)], []);
      assert.equal(info.details.createType, 'monolithicSparse');
    });

    it('detects a VMDK text descriptor and sums its extents', async () => {
      const path = join(dir, 'flat.vmdk');
      await run('qemu-img', ['create', '-q', '-f', 'vmdk', '-o', 'subformat=monolithicFlat', path, '48M']);
      const info = await detectFormat(await readerOf(path));
      assert.equal(info.format, 'vmdk');
      assert.equal(info.virtualSize, 48 * MiB);
      assert.match(english(info.problems)[0], /VMDK descriptor/);
    });

    it('a raw image that qemu-img made is raw', async () => {
      const path = join(dir, 'qemu.raw');
      await run('qemu-img', ['create', '-q', '-f', 'raw', path, '24M']);
      const info = await detectFormat(await readerOf(path));
      assert.equal(info.format, 'raw');
      assert.equal(info.virtualSize, 24 * MiB);
    });
  });
});
