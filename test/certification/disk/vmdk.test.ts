/**
 * The VMDK reader against QEMU: every single-file kind qemu-img writes (monolithicSparse,
 * streamOptimized, one with its grain directory at the end as VMware's ovftool writes it, a size
 * that ends inside a grain, grains written and zeroed by qemu-io) reads byte for byte as
 * `qemu-img convert -O raw` does; a VMDK that needs any other file is refused without opening it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, truncate, writeFile, open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { before, describe, it } from 'node:test';
import { openFileReader } from '../../../src/certification/disk/file-reader.ts';
import { openImageFormat, type OpenedImage } from '../../../src/certification/disk/formats/index.ts';
import { certifyImages } from '../../../src/certification/index.ts';
import { isVmarketError } from '../../../src/errors.ts';
import { buildImage, baseLinuxTree } from '../../fixtures/images.ts';
import { pseudoRandomBytes } from '../../fixtures/pseudo-random.ts';
import { assertSameVirtualDisk, convertImage, patternedRaw, qemuImg, qemuIo, qemuRaw } from '../../fixtures/qemu.ts';
import { scratchDir } from '../../helpers/files.ts';
import { needs } from '../../helpers/tools.ts';
import { english, MiB } from './helpers.ts';

const run = promisify(execFile);
const SECTOR = 512;

async function opened<T>(path: string, use: (image: OpenedImage) => Promise<T>): Promise<T> {
  const file = await openFileReader(path);
  try {
    return await use(await openImageFormat(file.reader));
  } finally {
    await file.close();
  }
}

/** The image with its embedded descriptor text replaced (the descriptor area is NUL-padded; the new text must fit). */
async function withDescriptor(source: string, output: string, edit: (text: string) => string): Promise<string> {
  const bytes = await readFile(source);
  const offset = Number(bytes.readBigUInt64LE(28)) * SECTOR;
  const size = Number(bytes.readBigUInt64LE(36)) * SECTOR;
  const area = bytes.subarray(offset, offset + size);
  const text = area.toString('latin1', 0, area.indexOf(0));
  const edited = Buffer.from(edit(text), 'latin1');
  assert.ok(edited.length < size && edited.toString('latin1') !== text, 'the edit fits and changes the descriptor');
  area.fill(0);
  edited.copy(area);
  await writeFile(output, bytes);
  return output;
}

/**
 * A streamOptimized VMDK as VMware writes it in one pass: the header at the start says GD_AT_END
 * and the real header follows the data as [footer marker][header][end-of-stream marker]. Made
 * from qemu-img's streamOptimized image (whose header at the start is already complete).
 */
async function withFooter(source: string, output: string): Promise<string> {
  const bytes = await readFile(source);
  const header = Buffer.from(bytes.subarray(0, SECTOR));
  const marker = Buffer.alloc(SECTOR);
  marker.writeBigUInt64LE(1n, 0); // the footer is one sector
  marker.writeUInt32LE(3, 12); // MARKER_FOOTER
  // qemu-img writes no end-of-stream marker: the grains run to the end of the file
  const start = Buffer.from(bytes);
  start.writeBigUInt64LE(0xffffffffffffffffn, 56);
  await writeFile(output, Buffer.concat([start, marker, header, Buffer.alloc(SECTOR)]));
  return output;
}

describe('VMDK reader', { skip: needs('qemu-img') }, () => {
  const scratch = scratchDir('vmarket-vmdk-');
  let raw: string;
  let odd: string;
  let sparse: string;
  let stream: string;
  before(async () => {
    raw = await patternedRaw(join(scratch(), 'disk.raw'), 16, 'vmdk');
    // 33 MiB + 512 bytes: the last grain holds one sector, which is data
    odd = await patternedRaw(join(scratch(), 'odd.raw'), 33, 'vmdk-odd');
    await truncate(odd, 33 * MiB + SECTOR);
    const handle = await openFile(odd, 'r+');
    await handle.write(pseudoRandomBytes('odd-tail', SECTOR), 0, SECTOR, 33 * MiB);
    await handle.close();
    sparse = await convertImage(raw, join(scratch(), 'sparse.vmdk'), 'vmdk', { from: 'raw' });
    stream = await convertImage(raw, join(scratch(), 'stream.vmdk'), 'vmdk', { from: 'raw', o: 'subformat=streamOptimized' });
  });

  it('reads a monolithicSparse VMDK as qemu-img does', async () => {
    const info = await assertSameVirtualDisk(sparse, await qemuRaw(sparse, join(scratch(), 'sparse.out')));
    assert.equal(info.format, 'vmdk');
    assert.deepEqual(info.problems, []);
    assert.equal(info.details.createType, 'monolithicSparse');
    assert.equal(info.details.compressed, false);
  });

  it('reads a streamOptimized VMDK (deflated grains behind markers) as qemu-img does', async () => {
    const info = await assertSameVirtualDisk(stream, await qemuRaw(stream, join(scratch(), 'stream.out')));
    assert.equal(info.details.createType, 'streamOptimized');
    assert.equal(info.details.compressed, true);
  });

  it('reads a streamOptimized VMDK whose header is in the footer (GD_AT_END) as qemu-img does', async () => {
    const footer = await withFooter(stream, join(scratch(), 'footer.vmdk'));
    const info = await assertSameVirtualDisk(footer, await qemuRaw(footer, join(scratch(), 'footer.out')));
    assert.equal(info.details.compressed, true);
  });

  it('reads a disk whose size ends inside a grain, in both subformats', async () => {
    for (const o of ['subformat=monolithicSparse', 'subformat=streamOptimized']) {
      const image = await convertImage(odd, join(scratch(), `odd-${o.slice(10)}.vmdk`), 'vmdk', { from: 'raw', o });
      const info = await assertSameVirtualDisk(image, odd);
      assert.equal(info.virtualSize, 33 * MiB + SECTOR, o);
    }
  });

  it('reads grains qemu-io wrote and zeroed after creation, with and without zeroed-grain entries', async () => {
    for (const zeroed of ['off', 'on']) {
      const image = join(scratch(), `written-${zeroed}.vmdk`);
      await qemuImg(['convert', '-f', 'raw', '-O', 'vmdk', '-o', `zeroed_grain=${zeroed}`, raw, image]);
      await qemuIo(image, 'vmdk', ['write -P 0xab 0 64k', 'write -P 0x5c 4095k 130k', 'write -z 128k 192k', 'write -z 8M 1M', 'write -P 0x33 15M 1M']);
      await assertSameVirtualDisk(image, await qemuRaw(image, join(scratch(), `written-${zeroed}.out`)));
    }
  });

  it('refuses a descriptor naming a second extent, without opening it (a FIFO there would hang)', async () => {
    const fifo = join(scratch(), 'other.vmdk');
    await run('mkfifo', [fifo]);
    const image = await withDescriptor(sparse, join(scratch(), 'two-extents.vmdk'), (text) =>
      text.replace(/(RW \d+ SPARSE "sparse.vmdk"\n)/, `$1RW 100 FLAT "other.vmdk" 0\n`),
    );
    await opened(image, async ({ info, disk }) => {
      assert.equal(disk, null);
      assert.equal(info.format, 'vmdk');
      const refusals = english(info.refusals);
      assert.ok(refusals.some((r) => r.includes('2 extents') && r.includes('"other.vmdk"')), refusals.join(' | '));
      assert.ok(refusals.some((r) => r.includes('"other.vmdk" is of type FLAT')), refusals.join(' | '));
      assert.ok(info.refusals.every((r) => r.de !== r.en && r.de.length > 0));
    });
  });

  it('refuses a delta disk (parentCID and parentFileNameHint) made by qemu-img', async () => {
    const child = join(scratch(), 'child.vmdk');
    await qemuImg(['create', '-f', 'vmdk', '-b', sparse, '-F', 'vmdk', child]);
    await opened(child, async ({ info, disk }) => {
      assert.equal(disk, null);
      assert.ok(english(info.refusals).some((r) => r.startsWith('The VMDK is a delta disk') && r.includes('sparse.vmdk')), english(info.refusals).join(' | '));
    });
    const cidOnly = await withDescriptor(sparse, join(scratch(), 'cid.vmdk'), (text) => text.replace('parentCID=ffffffff', 'parentCID=1234abcd'));
    await opened(cidOnly, async ({ info, disk }) => {
      assert.equal(disk, null);
      assert.deepEqual(english(info.refusals).map((r) => r.slice(0, 40)), ['The VMDK is a delta disk: its data depen']);
    });
  });

  it('refuses a monolithicFlat descriptor file and a twoGbMaxExtentSparse piece on its own', async () => {
    const flat = join(scratch(), 'flat.vmdk');
    await qemuImg(['create', '-f', 'vmdk', '-o', 'subformat=monolithicFlat', flat, '8M']);
    await opened(flat, async ({ info, disk }) => {
      assert.equal(disk, null);
      assert.match(english(info.refusals)[0], /^The file is a VMDK descriptor/);
    });
    const split = join(scratch(), 'split.vmdk');
    await qemuImg(['create', '-f', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse', split, '8M']);
    await opened(join(scratch(), 'split-s001.vmdk'), async ({ info, disk }) => {
      assert.equal(disk, null);
      assert.match(english(info.refusals)[0], /^The VMDK sparse extent has no embedded descriptor/);
    });
    const renamed = await withDescriptor(sparse, join(scratch(), 'vmfs.vmdk'), (text) => text.replace('createType="monolithicSparse"', 'createType="twoGbMaxExtentFlat"'));
    await opened(renamed, async ({ info }) => {
      assert.match(english(info.refusals)[0], /^The VMDK's create type is "twoGbMaxExtentFlat", a disk kept in other files \(the descriptor names "sparse.vmdk"\)/);
    });
  });

  it('ends in IMAGE_CORRUPT for a text-mode transfer, a grain table outside the file and a compressed grain under the wrong marker', async () => {
    const bytes = await readFile(sparse);
    const textMode = Buffer.from(bytes);
    textMode.write('\n\0', 75, 'latin1'); // a CRLF → LF conversion: "\r\n" became "\n" and the bytes after it moved up
    await writeFile(join(scratch(), 'text-mode.vmdk'), textMode);
    await opened(join(scratch(), 'text-mode.vmdk'), async ({ info, disk }) => {
      assert.equal(disk, null);
      assert.match(english(info.problems)[0], /line-ending test bytes are changed/);
    });
    const gd = Number(bytes.readBigUInt64LE(56)) * SECTOR;
    const broken = Buffer.from(bytes);
    broken.writeUInt32LE(0x7fffffff, gd); // the first grain table, far beyond the end
    await writeFile(join(scratch(), 'gt-outside.vmdk'), broken);
    await opened(join(scratch(), 'gt-outside.vmdk'), async ({ disk }) => {
      assert.ok(disk);
      await assert.rejects(disk.read(0, 4096), (e: unknown) => isVmarketError(e) && e.code === 'IMAGE_CORRUPT' && /VMDK grain table at byte/.test(e.message));
    });
    const streamBytes = Buffer.from(await readFile(stream));
    const streamGd = Number(streamBytes.readBigUInt64LE(56)) * SECTOR;
    const firstGrain = streamBytes.readUInt32LE(streamBytes.readUInt32LE(streamGd) * SECTOR) * SECTOR;
    streamBytes.writeBigUInt64LE(128n, firstGrain); // the marker of grain 0 names sector 128
    await writeFile(join(scratch(), 'marker.vmdk'), streamBytes);
    await opened(join(scratch(), 'marker.vmdk'), async ({ disk }) => {
      assert.ok(disk);
      await assert.rejects(disk.read(0, 512), (e: unknown) => isVmarketError(e) && e.code === 'IMAGE_CORRUPT' && /names sector 128, not the grain's sector 0/.test(e.message));
    });
  });

  it('certifies a VMDK of a fixture with the same check statuses as its fixed VHD', async () => {
    const config = { clamav: { mode: 'off' as const, databaseDir: '/nonexistent' }, acceptedFormats: ['vmdk' as const, 'vhd-fixed' as const] };
    const statuses = async (format: 'vmdk' | 'vhd-fixed') => {
      const image = await buildImage({ files: baseLinuxTree().files, output: join(scratch(), `fixture.${format === 'vmdk' ? 'vmdk' : 'vhd'}`), format });
      const report = await certifyImages({ osDisk: image, config });
      return { images: report.images.map((i) => [i.format, i.virtualSize]), checks: report.checks.map((c) => `${c.id}: ${c.status}`) };
    };
    const vmdk = await statuses('vmdk');
    const vhd = await statuses('vhd-fixed');
    assert.deepEqual(vmdk.checks, vhd.checks);
    assert.ok(vmdk.checks.includes('linux.os-release: passed'), 'the guest was read');
    assert.deepEqual(vmdk.images, [['vmdk', 64 * MiB]]);
  });
});
