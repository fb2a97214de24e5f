/**
 * The VHDX reader against QEMU: images qemu-img and qemu-io wrote (dynamic, fixed, 1 MiB and
 * 32 MiB blocks, a size that ends inside a block, scattered writes) read byte for byte as
 * `qemu-img convert -O raw` reads them; patched files (a log to replay, a parent, a broken
 * header, a state only differencing disks use) are refused or reported in one sentence.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { openFileReader } from '../../../src/certification/disk/file-reader.ts';
import { crc32c } from '../../../src/certification/disk/crc32c.ts';
import { openImageFormat } from '../../../src/certification/disk/formats/index.ts';
import { parseGuid } from '../../../src/certification/disk/partition-types.ts';
import { certifyImages } from '../../../src/certification/index.ts';
import { isVmarketError } from '../../../src/errors.ts';
import { baseLinuxTree, buildImage } from '../../fixtures/images.ts';
import { assertSameVirtualDisk, convertImage, patternedRaw, qemuImg, qemuIo, qemuRaw } from '../../fixtures/qemu.ts';
import { activeHeaderOffset, fixVhdxChecksums, HEADER_OFFSETS, metadataItemOffset, REGION_TABLE_OFFSETS, regionOffsets } from '../../fixtures/vhdx-bytes.ts';
import { scratchDir } from '../../helpers/files.ts';
import { needs } from '../../helpers/tools.ts';
import { english, MiB } from './helpers.ts';

const FILE_PARAMETERS = 'caa16737-fa36-4d43-b3b6-33f0aa44e76b';

describe('CRC-32C', () => {
  it('gives the known check values (Castagnoli, RFC 3720 B.4)', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(Buffer.alloc(0)), 0);
    assert.equal(crc32c(Buffer.alloc(32)), 0x8a9136aa);
    assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
    assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i))), 0x46dd794e);
  });
});

/** A parent locator item: its type GUID, the key/value count, the entries, then UTF-16 keys and values. */
function parentLocator(pairs: Record<string, string>): Buffer {
  const entries = Object.entries(pairs);
  const head = Buffer.alloc(20 + entries.length * 12);
  parseGuid('b04aefb7-d19e-4a81-b789-25b8e9445913').copy(head, 0);
  head.writeUInt16LE(entries.length, 18);
  const strings: Buffer[] = [];
  let offset = head.length;
  entries.forEach(([key, value], i) => {
    const [k, v] = [Buffer.from(key, 'utf16le'), Buffer.from(value, 'utf16le')];
    head.writeUInt32LE(offset, 20 + i * 12);
    head.writeUInt32LE(offset + k.length, 20 + i * 12 + 4);
    head.writeUInt16LE(k.length, 20 + i * 12 + 8);
    head.writeUInt16LE(v.length, 20 + i * 12 + 10);
    strings.push(k, v);
    offset += k.length + v.length;
  });
  return Buffer.concat([head, ...strings]);
}

describe('VHDX reader', { skip: needs('qemu-img') }, () => {
  const scratch = scratchDir('vmarket-vhdx-');
  let raw = '';
  let dynamic = '';
  const path = (name: string) => join(scratch(), name);

  /** `dynamic` with `patch` applied to its bytes (and the checksums recomputed unless `keepCrc`), opened. */
  async function openPatched(patch: (bytes: Buffer) => void, options: { fixCrc?: boolean } = {}) {
    const bytes = await readFile(dynamic);
    patch(bytes);
    if (options.fixCrc ?? true) fixVhdxChecksums(bytes);
    return openImageFormat(bufferReader(bytes));
  }

  before(async () => {
    raw = await patternedRaw(path('disk.raw'), 64, 'vhdx');
    dynamic = await convertImage(raw, path('dynamic.vhdx'), 'vhdx', { from: 'raw' });
  });

  it('reads a dynamic VHDX (qemu-img default) as qemu-img does', async () => {
    const info = await assertSameVirtualDisk(dynamic, raw);
    assert.equal(info.format, 'vhdx');
    assert.deepEqual(info.problems, []);
    assert.equal(info.details.subformat, 'dynamic');
    assert.equal(info.details.logicalSectorSize, 512);
    assert.equal(info.details.blockSize, 8 * MiB);
  });

  for (const [name, o, blockSize, subformat] of [
    ['subformat=fixed', 'subformat=fixed', 8 * MiB, 'fixed'],
    ['block_size=1M', 'block_size=1M', MiB, 'dynamic'],
    ['block_size=32M', 'block_size=32M', 32 * MiB, 'dynamic'],
  ] as const) {
    it(`reads a VHDX made with ${name} as qemu-img does`, async () => {
      const image = await convertImage(raw, path(`${o.replace(/\W/g, '-')}.vhdx`), 'vhdx', { from: 'raw', o });
      const info = await assertSameVirtualDisk(image, raw);
      assert.equal(info.details.blockSize, blockSize);
      assert.equal(info.details.subformat, subformat);
    });
  }

  it('reads a disk whose size (33 MiB + 512 B) ends inside its last block, written by qemu-io', async () => {
    const image = path('odd.vhdx');
    await qemuImg(['create', '-f', 'vhdx', image, '34603520']);
    await qemuIo(image, 'vhdx', ['write -P 0x5a 0 64k', 'write -P 0x77 7M 2M', 'write -P 0x33 33M 512', 'write -P 0x44 30M 1M']);
    const reference = await qemuRaw(image, path('odd.raw'));
    const info = await assertSameVirtualDisk(image, reference);
    assert.equal(info.virtualSize, 34603520);
    const last = (await readFile(reference)).subarray(33 * MiB);
    assert.ok(last.every((byte) => byte === 0x33), 'the last sector holds what qemu-io wrote');
  });

  it('reads scattered qemu-io writes (and a zeroed range) after creation', async () => {
    const image = path('scattered.vhdx');
    await qemuImg(['create', '-f', 'vhdx', '-o', 'block_size=1M', image, '48M']);
    await qemuIo(image, 'vhdx', ['write -P 0x11 0 4k', 'write -P 0x22 5242880 3M', 'write -P 0x33 17825792 1536', 'write -P 0x44 40M 8M', 'write -z 41M 64k', 'write -P 0x55 3M 512']);
    await assertSameVirtualDisk(image, await qemuRaw(image, path('scattered.raw')));
  });

  it('skips the sector bitmap entries between chunks of the BAT (256 MiB blocks: one every 16 blocks)', async () => {
    // chunk ratio = 2^23 × 512 / 256 MiB = 16: block 16 is BAT entry 17, block 19 entry 20
    const image = path('chunks.vhdx');
    await qemuImg(['create', '-f', 'vhdx', '-o', 'block_size=256M', image, '5G']);
    const writes = [
      [0x21, 0, MiB],
      [0x22, 15 * 256 * MiB + 5 * MiB, 2 * MiB],
      [0x23, 16 * 256 * MiB - MiB, 2 * MiB],
      [0x24, 19 * 256 * MiB + 7 * MiB, MiB],
    ] as const;
    await qemuIo(image, 'vhdx', writes.map(([pattern, at, length]) => `write -P ${pattern} ${at} ${length}`));
    const file = await openFileReader(image);
    try {
      const { info, disk } = await openImageFormat(file.reader);
      assert.ok(disk, english(info.problems).join(' '));
      assert.equal(disk.size, 5 * 1024 * MiB);
      for (const [pattern, at, length] of writes) {
        const got = await disk.read(at, length + 4096);
        assert.ok(got.subarray(0, length).every((byte) => byte === pattern), `pattern ${pattern} at ${at}`);
        assert.ok(got.subarray(length).every((byte) => byte === 0), `zeros after the write at ${at}`);
      }
      assert.ok((await disk.read(17 * 256 * MiB, MiB)).every((byte) => byte === 0), 'an unallocated block after the bitmap entry reads as zeros');
    } finally {
      await file.close();
    }
  });

  it('refuses a VHDX whose active header names a log to replay, and says how to fix it', async () => {
    const { info, disk } = await openPatched((bytes) => parseGuid('6c9a2f1e-0b7d-4e55-9a31-2b8c4d5e6f70').copy(bytes, activeHeaderOffset(bytes) + 48));
    assert.equal(disk, null);
    assert.equal(info.format, 'vhdx');
    assert.equal(info.refusals.length, 1);
    assert.match(info.refusals[0].en, /log holds writes that were never applied.*Hyper-V.*qemu-img check -r all.*qemu-img convert -O vhdx/);
    assert.match(info.refusals[0].de, /Log der VHDX-Datei.*qemu-img check -r all/);
    assert.equal(info.virtualSize, 64 * MiB);
  });

  it('reads the other header when one header checksum is broken, and reports it', async () => {
    for (const at of HEADER_OFFSETS) {
      const bytes = await readFile(dynamic);
      bytes[at + 4] ^= 0xff;
      const image = path(`header-${at}.vhdx`);
      await writeFile(image, bytes);
      const info = await assertSameVirtualDisk(image, raw);
      assert.equal(info.problems.length, 1, `header at ${at}`);
      assert.match(info.problems[0].en, new RegExp(`header at ${at / 1024} KiB has CRC-32C 0x[0-9a-f]{8}, but its contents give`));
    }
  });

  it('reports a problem and gives no disk when both headers are broken', async () => {
    const { info, disk } = await openPatched((bytes) => HEADER_OFFSETS.forEach((at) => (bytes[at + 4] ^= 0xff)), { fixCrc: false });
    assert.equal(disk, null);
    assert.equal(info.format, 'vhdx');
    assert.match(english(info.problems).join(' '), /Neither VHDX header is valid/);
  });

  it('reads the second region table when the first is broken', async () => {
    const { info, disk } = await openPatched((bytes) => (bytes[REGION_TABLE_OFFSETS[0] + 100] ^= 1), { fixCrc: false });
    assert.ok(disk);
    assert.match(english(info.problems).join(' '), /region table at 192 KiB has CRC-32C .* region table at 256 KiB was read instead/);
  });

  it('refuses a differencing VHDX (HasParent) without opening a parent', async () => {
    const { info, disk } = await openPatched((bytes) => {
      const at = metadataItemOffset(bytes, FILE_PARAMETERS);
      bytes.writeUInt32LE(bytes.readUInt32LE(at + 4) | 2, at + 4);
    });
    assert.equal(disk, null);
    assert.match(info.refusals[0].en, /differencing disk: its data depends on a parent file/);
    assert.equal(info.details.subformat, 'differencing');
  });

  it('names the parent of a differencing VHDX from its parent locator, never opening it', async () => {
    const { info, disk } = await openPatched((bytes) => {
      const at = metadataItemOffset(bytes, FILE_PARAMETERS);
      bytes.writeUInt32LE(bytes.readUInt32LE(at + 4) | 2, at + 4);
      // a parent locator item ([MS-VHDX] 2.6.2.6) at 512 KiB into the metadata region
      const region = regionOffsets(bytes).metadata;
      const count = bytes.readUInt16LE(region + 10);
      const entry = region + 32 + count * 32;
      const locator = parentLocator({ parent_linkage: '{83ed7a7e-0000-0000-0000-000000000000}', relative_path: '.\\base-image.vhdx' });
      parseGuid('a8d35f2d-b30b-454d-abf7-d3d84834ab0c').copy(bytes, entry);
      bytes.writeUInt32LE(512 * 1024, entry + 16);
      bytes.writeUInt32LE(locator.length, entry + 20);
      bytes.writeUInt32LE(4, entry + 24);
      bytes.writeUInt16LE(count + 1, region + 10);
      locator.copy(bytes, region + 512 * 1024);
    });
    assert.equal(disk, null);
    assert.equal(info.refusals.length, 1);
    assert.match(info.refusals[0].en, /depends on the parent file "\.\\base-image\.vhdx", which is never opened/);
  });

  it('answers a read of consecutive allocated blocks with one file read', async () => {
    const fixedImage = await convertImage(raw, path('coalesce.vhdx'), 'vhdx', { from: 'raw', o: 'subformat=fixed,block_size=1M' });
    const file = bufferReader(await readFile(fixedImage));
    const reads: number[] = [];
    const counting = { size: file.size, slice: file.slice.bind(file), read: (position: number, length: number) => (reads.push(length), file.read(position, length)) };
    const { disk } = await openImageFormat(counting);
    assert.ok(disk);
    reads.length = 0;
    const got = await disk.read(MiB, 32 * MiB);
    assert.deepEqual(reads, [32 * MiB], '32 blocks adjacent in the file are one read');
    assert.ok(got.equals((await readFile(raw)).subarray(MiB, 33 * MiB)));
  });

  it('refuses an unknown region marked required as unsupported', async () => {
    const { info, disk } = await openPatched((bytes) => {
      const table = REGION_TABLE_OFFSETS[0];
      const count = bytes.readUInt32LE(table + 8);
      const entry = table + 16 + count * 32;
      parseGuid('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0').copy(bytes, entry);
      bytes.writeBigUInt64LE(BigInt(60 * MiB), entry + 16);
      bytes.writeUInt32LE(MiB, entry + 24);
      bytes.writeUInt32LE(1, entry + 28);
      bytes.writeUInt32LE(count + 1, table + 8);
    });
    assert.equal(disk, null);
    assert.match(english(info.problems).join(' '), /region 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 that vmarket does not know and that is marked as required/);
  });

  for (const [what, patch, sentence] of [
    ['a region table entry count past the cap', (b: Buffer) => REGION_TABLE_OFFSETS.forEach((at) => b.writeUInt32LE(5000, at + 8)), /Neither VHDX region table is valid.*declares 5000 entries; at most 2047 fit/],
    ['a region outside the file', (b: Buffer) => b.writeBigUInt64LE(BigInt(1024 * MiB), REGION_TABLE_OFFSETS[0] + 16 + 16), /does not start and end on MiB boundaries after the 1 MiB header section, inside the \d+-byte file/],
    ['a metadata entry count past the cap', (b: Buffer) => b.writeUInt16LE(0xffff, regionOffsets(b).metadata + 10), /declares 65535 entries; at most 2047 fit/],
    ['a block size that is not a power of two', (b: Buffer) => b.writeUInt32LE(3 * MiB, metadataItemOffset(b, FILE_PARAMETERS)), /block size of 3145728 bytes is not a power of two/],
    ['a BAT too small for the disk size', (b: Buffer) => b.writeBigUInt64LE(2n ** 45n, metadataItemOffset(b, '2fa54224-cd1b-4876-b211-5dbed83bf4b8')), /too small for the \d+ entries the disk size needs/],
  ] as const) {
    it(`reports ${what} in one sentence and gives no disk`, async () => {
      const { info, disk } = await openPatched(patch);
      assert.equal(disk, null);
      assert.equal(info.problems.length, 1, english(info.problems).join(' | '));
      assert.match(info.problems[0].en, sentence);
      assert.notEqual(info.problems[0].de, info.problems[0].en);
    });
  }

  it('fails a read of a block marked partially present in a disk without parent', async () => {
    const { disk } = await openPatched((bytes) => {
      const bat = regionOffsets(bytes).bat;
      bytes.writeUInt32LE((bytes.readUInt32LE(bat) & ~7) | 7, bat);
    });
    assert.ok(disk);
    await assert.rejects(disk.read(0, 4096), (error) => isVmarketError(error) && error.code === 'IMAGE_CORRUPT' && /partially present/.test(error.message));
    assert.equal((await disk.read(8 * MiB, 16)).length, 16, 'other blocks still read');
  });

  it('fails a read of a block cut off by a truncated file', async () => {
    const bytes = await readFile(dynamic);
    const { disk } = await openImageFormat(bufferReader(bytes.subarray(0, bytes.length - MiB)));
    assert.ok(disk);
    const readAll = async () => {
      for (let at = 0; at < disk.size; at += 8 * MiB) await disk.read(at, 8 * MiB);
    };
    await assert.rejects(readAll(), (error) => isVmarketError(error) && error.code === 'IMAGE_CORRUPT' && /beyond the end of the \d+-byte file \(cut short\?\)/.test(error.message));
  });

  it('fails a read of a block placed on top of the BAT', async () => {
    const { disk } = await openPatched((bytes) => {
      const bat = regionOffsets(bytes).bat;
      bytes.writeBigUInt64LE((BigInt(bat / MiB) << 20n) | 6n, bat);
    });
    assert.ok(disk);
    await assert.rejects(disk.read(0, 512), (error) => isVmarketError(error) && error.code === 'IMAGE_CORRUPT' && /on top of the file's headers, log or tables/.test(error.message));
  });
});

describe('VHDX certification', { skip: needs('qemu-img') }, () => {
  const scratch = scratchDir('vmarket-vhdx-engine-');

  it('certifies a VHDX with the same check statuses as the fixed VHD of the same disk', { timeout: 120_000 }, async () => {
    const raw = await buildImage({ files: baseLinuxTree().files, output: join(scratch(), 'disk.raw'), format: 'raw', sizeMiB: 32 });
    const vhdx = await convertImage(raw, join(scratch(), 'disk.vhdx'), 'vhdx', { from: 'raw' });
    const vhd = await convertImage(raw, join(scratch(), 'disk.vhd'), 'vpc', { from: 'raw', o: 'subformat=fixed,force_size=on' });
    const config = { clamav: { mode: 'off' as const, databaseDir: '/nonexistent' } };
    const [fromVhdx, fromVhd] = [await certifyImages({ osDisk: vhdx, config }), await certifyImages({ osDisk: vhd, config })];
    assert.equal(fromVhdx.images[0].format, 'vhdx');
    assert.equal(fromVhd.images[0].format, 'vhd-fixed');
    assert.equal(fromVhdx.images[0].virtualSize, fromVhd.images[0].virtualSize);
    const statuses = (report: typeof fromVhd) => report.checks.map((c) => `${c.id}: ${c.status}`);
    assert.deepEqual(statuses(fromVhdx), statuses(fromVhd));
    assert.equal(fromVhdx.result, 'passed', JSON.stringify(fromVhdx.checks.filter((c) => c.status !== 'passed')));
  });
});
