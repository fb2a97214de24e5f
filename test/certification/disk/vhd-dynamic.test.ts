/**
 * The dynamic VHD reader against QEMU: images qemu-img writes (creator "qemu", sized by CHS
 * geometry; with force_size=on creator "qem2", sized by the footer's current size), blocks
 * qemu-io wrote later, and footers whose creator was changed to Virtual PC's and Hyper-V's read
 * with exactly the virtual size and bytes `qemu-img convert -O raw` gives. A differencing VHD is
 * refused.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { openFileReader } from '../../../src/certification/disk/file-reader.ts';
import { openImageFormat, type OpenedImage } from '../../../src/certification/disk/formats/index.ts';
import { vhdChecksum } from '../../../src/certification/disk/vhd-footer.ts';
import { isVmarketError } from '../../../src/errors.ts';
import { assertSameVirtualDisk, convertImage, patternedRaw, qemuImg, qemuInfo, qemuIo, qemuRaw } from '../../fixtures/qemu.ts';
import { scratchDir } from '../../helpers/files.ts';
import { needs } from '../../helpers/tools.ts';
import { english, MiB } from './helpers.ts';

const FOOTER = 512;

async function opened<T>(path: string, use: (image: OpenedImage) => Promise<T>): Promise<T> {
  const file = await openFileReader(path);
  try {
    return await use(await openImageFormat(file.reader));
  } finally {
    await file.close();
  }
}

/** A copy of a dynamic VHD with both footers (the copy at 0 and the one at the end) edited and their checksums fixed. */
async function withFooters(source: string, output: string, edit: (footer: Buffer) => void): Promise<string> {
  const bytes = await readFile(source);
  for (const at of [0, bytes.length - FOOTER]) {
    const footer = bytes.subarray(at, at + FOOTER);
    edit(footer);
    footer.writeUInt32BE(vhdChecksum(footer), 64);
  }
  await writeFile(output, bytes);
  return output;
}

describe('dynamic VHD reader', { skip: needs('qemu-img') }, () => {
  const scratch = scratchDir('vmarket-vhd-');
  let raw: string;
  let chs: string;
  let forced: string;
  before(async () => {
    // 33 MiB is not a CHS size: qemu-img rounds the geometry up, and force_size keeps it exact
    raw = await patternedRaw(join(scratch(), 'disk.raw'), 33, 'vhd');
    chs = await convertImage(raw, join(scratch(), 'chs.vhd'), 'vpc', { from: 'raw', o: 'subformat=dynamic' });
    forced = await convertImage(raw, join(scratch(), 'forced.vhd'), 'vpc', { from: 'raw', o: 'subformat=dynamic,force_size=on' });
  });

  it('reads a dynamic VHD qemu-img sized by CHS geometry, with qemu-img\'s virtual size', async () => {
    const info = await assertSameVirtualDisk(chs, await qemuRaw(chs, join(scratch(), 'chs.out')));
    assert.equal(info.format, 'vhd-dynamic');
    assert.deepEqual(english(info.problems), []);
    assert.equal(info.details.creator, 'qemu');
    assert.ok(info.virtualSize > 33 * MiB, 'the geometry rounds up');
    assert.equal(info.virtualSize, (await qemuInfo(chs))['virtual-size']);
  });

  it('reads a dynamic VHD made with force_size=on, exactly the raw disk', async () => {
    const info = await assertSameVirtualDisk(forced, raw);
    assert.equal(info.details.creator, 'qem2');
    assert.equal(info.virtualSize, 33 * MiB);
  });

  it('sizes by geometry for Virtual PC and qemu, by current size for Hyper-V and Disk2vhd, as QEMU does', async () => {
    const sizes: number[] = [];
    for (const creator of ['vpc ', 'qemu', 'win ', 'd2v ']) {
      // the geometry of qemu-img's CHS image (33 MiB rounded up) with a current size of exactly 33 MiB
      const image = await withFooters(chs, join(scratch(), `${creator.trim()}.vhd`), (footer) => {
        footer.write(creator, 28, 'latin1');
        footer.writeBigUInt64BE(BigInt(33 * MiB), 48);
      });
      const info = await assertSameVirtualDisk(image, await qemuRaw(image, join(scratch(), `${creator.trim()}.out`)));
      sizes.push(info.virtualSize);
    }
    assert.ok(sizes[0] > 33 * MiB && sizes[1] === sizes[0], 'Virtual PC and older qemu-img: the geometry');
    assert.deepEqual(sizes.slice(2), [33 * MiB, 33 * MiB], 'Hyper-V and Disk2vhd: the current size');
  });

  it('reads blocks qemu-io wrote after creation, at unaligned offsets', async () => {
    const image = join(scratch(), 'written.vhd');
    await qemuImg(['create', '-f', 'vpc', '-o', 'subformat=dynamic,force_size=on', image, '16M']);
    await qemuIo(image, 'vpc', ['write -P 0xab 0 4k', 'write -P 0x5c 2047k 130k', 'write -z 5M 1M', 'write -P 0x33 12M 3M', 'write -P 0x44 16383k 1k']);
    await assertSameVirtualDisk(image, await qemuRaw(image, join(scratch(), 'written.out')));
  });

  it('refuses a differencing VHD (disk type 4) without reading it', async () => {
    // qemu-img cannot write differencing VHDs: the dynamic one's footers are changed to type 4
    const image = await withFooters(forced, join(scratch(), 'child.vhd'), (footer) => footer.writeUInt32BE(4, 60));
    await opened(image, async ({ info, disk }) => {
      assert.equal(disk, null);
      assert.equal(info.format, 'vhd-differencing');
      assert.match(english(info.refusals)[0], /^The VHD is a differencing disk/);
    });
  });

  it('reports a bad header checksum and ends in IMAGE_CORRUPT for a block beyond the file or a bad block size', async () => {
    const bytes = Buffer.from(await readFile(forced));
    const header = Number(bytes.readBigUInt64BE(16));
    const table = Number(bytes.readBigUInt64BE(header + 16));
    bytes.writeUInt32BE(0x00ffffff, table); // block 0 at sector 16 M, far beyond the end
    bytes[header + 1000] ^= 0xff; // a reserved byte: only the checksum notices
    await writeFile(join(scratch(), 'outside.vhd'), bytes);
    await opened(join(scratch(), 'outside.vhd'), async ({ info, disk }) => {
      assert.match(english(info.problems).join(' '), /The dynamic VHD header's checksum is 0x[0-9a-f]{8}, but its contents give/);
      assert.ok(disk);
      await assert.rejects(disk.read(0, 512), (e: unknown) => isVmarketError(e) && e.code === 'IMAGE_CORRUPT' && /beyond the end/.test(e.message));
    });
    bytes.writeUInt32BE(3000, header + 32);
    await writeFile(join(scratch(), 'block-size.vhd'), bytes);
    await opened(join(scratch(), 'block-size.vhd'), async ({ info, disk }) => {
      assert.equal(disk, null);
      assert.match(english(info.problems).join(' '), /block size of 3000 bytes is not a power of two/);
    });
  });
});
