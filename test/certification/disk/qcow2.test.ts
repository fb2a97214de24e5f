/**
 * The qcow2 reader against QEMU: images made by qemu-img/qemu-io in every layout the reader
 * supports (v2, v3, tiny and huge clusters, deflate and zstd compression, extended L2 with
 * subclusters, zero clusters, odd sizes, internal snapshots), each compared byte for byte with
 * `qemu-img convert -O raw`; the refusals (backing file, external data file, encryption, a qcow2
 * inside a qcow2) that never open another file; damaged tables that end in IMAGE_CORRUPT; and one
 * certification of a real file system through the engine.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFile, copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { before, describe, it } from 'node:test';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { openFileReader } from '../../../src/certification/disk/file-reader.ts';
import { openImageFormat } from '../../../src/certification/disk/formats/index.ts';
import type { RangeReader } from '../../../src/certification/disk/types.ts';
import { certifyImages } from '../../../src/certification/index.ts';
import { isVmarketError } from '../../../src/errors.ts';
import { baseLinuxTree, buildImage } from '../../fixtures/images.ts';
import { pseudoRandomBytes } from '../../fixtures/pseudo-random.ts';
import { assertSameVirtualDisk, convertImage, patternedRaw, qemuImg, qemuIo, qemuRaw } from '../../fixtures/qemu.ts';
import { vhdFooter } from '../../fixtures/vhd-writer.ts';
import { scratchDir } from '../../helpers/files.ts';
import { needs } from '../../helpers/tools.ts';
import { english, MiB } from './helpers.ts';

const run = promisify(execFile);
const skip = needs('qemu-img');

/**
 * The file offsets of the L1 table and of the first L2 entry (in the first L2 table, from cluster
 * 1 on) that `wanted` accepts, with the entry's cluster index.
 */
function findL2Entry(bytes: Buffer, wanted: (entry: bigint) => boolean): { l1: number; entry: number; cluster: number } {
  const l1 = Number(bytes.readBigUInt64BE(40));
  const l2 = Number(bytes.readBigUInt64BE(l1) & 0x00fffffffffffe00n);
  const clusterSize = 2 ** bytes.readUInt32BE(20);
  for (let cluster = 1; cluster < clusterSize / 8; cluster++) {
    if (wanted(bytes.readBigUInt64BE(l2 + cluster * 8))) return { l1, entry: l2 + cluster * 8, cluster };
  }
  throw new Error('no such L2 entry in the fixture');
}
const COMPRESSED = 1n << 62n;
const OFFSET_MASK = 0x00fffffffffffe00n;

/** A RangeReader that counts the reads that reach the file. */
function countingReader(inner: RangeReader): RangeReader & { reads: number } {
  const counter = {
    reads: 0,
    size: inner.size,
    read(position: number, length: number) {
      counter.reads++;
      return inner.read(position, length);
    },
    slice(offset: number, length: number) {
      return inner.slice(offset, length);
    },
  };
  return counter;
}

/**
 * A LUKS-encrypted qcow2. QEMU times its PBKDF2 iterations with getrusage, and on a busy shared
 * machine the measurement sometimes fails ("Unable to get accurate CPU usage"): a few tries.
 */
async function createLuksImage(image: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await qemuImg(['create', '-q', '-f', 'qcow2', '--object', 'secret,id=s0,data=abc', '-o', 'encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10', image, '16M']);
      return;
    } catch (error) {
      if (attempt >= 5 || !String((error as { stderr?: string }).stderr).includes('accurate CPU usage')) throw error;
    }
  }
}

async function openBytes(bytes: Buffer) {
  return openImageFormat(bufferReader(bytes));
}

/** Reads the whole virtual disk; answers the error it ends in, or null. */
async function readAll(disk: RangeReader): Promise<unknown> {
  try {
    for (let at = 0; at < disk.size; at += 4 * MiB) await disk.read(at, Math.min(4 * MiB, disk.size - at));
    return null;
  } catch (error) {
    return error;
  }
}

describe('qcow2 reader', { skip }, () => {
  const scratch = scratchDir('vmarket-qcow2-');
  const path = (name: string) => join(scratch(), name);
  let raw = '';

  before(async () => {
    raw = await patternedRaw(path('patterned.raw'), 16, 'qcow2');
  });

  /** Converts the patterned disk with `qemu-img convert`, compares it with QEMU's raw view, answers the info. */
  async function converted(name: string, options: { o?: string; compress?: boolean } = {}) {
    const image = await convertImage(raw, path(name), 'qcow2', { from: 'raw', ...options });
    return assertSameVirtualDisk(image, await qemuRaw(image, path(`${name}.raw`)));
  }

  it('reads a version 2 image (compat=0.10)', async () => {
    const info = await converted('v2.qcow2', { o: 'compat=0.10' });
    assert.deepEqual(info.details, { version: 2, clusterSize: 65536, compression: 'deflate', extendedL2: false, snapshots: 0 });
    assert.deepEqual(info.problems, []);
  });

  it('reads a version 3 image, the default', async () => {
    const info = await converted('v3.qcow2');
    assert.equal(info.format, 'qcow2');
    assert.equal(info.details.version, 3);
    assert.deepEqual(info.refusals, []);
  });

  it('reads 512-byte and 2 MiB clusters', async () => {
    assert.equal((await converted('c512.qcow2', { o: 'cluster_size=512' })).details.clusterSize, 512);
    assert.equal((await converted('c2m.qcow2', { o: 'cluster_size=2M' })).details.clusterSize, 2 * MiB);
  });

  it('inflates deflate-compressed clusters (qemu-img convert -c)', async () => {
    const info = await converted('deflate.qcow2', { compress: true });
    assert.equal(info.details.compression, 'deflate');
  });

  it('decompresses zstd-compressed clusters, also with 2 MiB clusters and 512-byte clusters', async () => {
    assert.equal((await converted('zstd.qcow2', { compress: true, o: 'compression_type=zstd' })).details.compression, 'zstd');
    await converted('zstd-2m.qcow2', { compress: true, o: 'compression_type=zstd,cluster_size=2M' });
    await converted('deflate-512.qcow2', { compress: true, o: 'cluster_size=512' });
  });

  it('reads extended L2 entries: subclusters written, zeroed and left unallocated', async () => {
    const image = await convertImage(raw, path('ext-l2.qcow2'), 'qcow2', { from: 'raw', o: 'extended_l2=on,cluster_size=128k' });
    await qemuIo(image, 'qcow2', ['write -P 0x5a 4k 4k', 'write -P 0xa5 132k 12k', 'write -z 8k 8k', 'write -z 1M 128k', 'write -P 0x33 3M 3k', 'write -z -u 5M 4k']);
    const info = await assertSameVirtualDisk(image, await qemuRaw(image, path('ext-l2.raw')));
    assert.equal(info.details.extendedL2, true);
    // compressed clusters have no subcluster bitmap
    await converted('ext-l2-deflate.qcow2', { compress: true, o: 'extended_l2=on,cluster_size=64k' });
    // a fresh image with subclusters written into unallocated clusters (allocation bits partly set)
    const fresh = path('ext-l2-fresh.qcow2');
    await qemuImg(['create', '-q', '-f', 'qcow2', '-o', 'extended_l2=on,cluster_size=64k', fresh, '8M']);
    await qemuIo(fresh, 'qcow2', ['write -P 0x11 2k 2k', 'write -P 0x22 70k 6k', 'write -z 4M 4k', 'write -P 0x44 6M 64k']);
    await assertSameVirtualDisk(fresh, await qemuRaw(fresh, path('ext-l2-fresh.raw')));
  });

  it('reads zero clusters (write -z) as zeros, allocated or not', async () => {
    const image = await convertImage(raw, path('zero.qcow2'), 'qcow2', { from: 'raw' });
    await qemuIo(image, 'qcow2', ['write -z 0 64k', 'write -z 1M 256k', 'write -z -u 2M 128k', 'write -z 15M 1M']);
    const map = JSON.parse(await qemuImg(['map', '--output=json', image])) as { start: number; zero: boolean }[];
    assert.ok(map.some((m) => m.start === 0 && m.zero), 'qemu-img maps the first cluster as zero');
    await assertSameVirtualDisk(image, await qemuRaw(image, path('zero.raw')));
  });

  it('reads a virtual size that is not a multiple of the cluster size', async () => {
    const image = path('odd.qcow2');
    await qemuImg(['create', '-q', '-f', 'qcow2', image, '34603520']);
    await qemuIo(image, 'qcow2', ['write -P 0xaa 34602496 1024', 'write -P 0x55 0 1000', 'write -P 0x66 33M 512']);
    const info = await assertSameVirtualDisk(image, await qemuRaw(image, path('odd.raw')));
    assert.equal(info.virtualSize, 34603520);
  });

  it('reads the active L1 table of an image with an internal snapshot taken before an overwrite', async () => {
    const image = await convertImage(raw, path('snap.qcow2'), 'qcow2', { from: 'raw' });
    await qemuImg(['snapshot', '-c', 'before', image]);
    await qemuIo(image, 'qcow2', ['write -P 0xee 0 1M', 'write -P 0xdd 7M 300k']);
    const info = await assertSameVirtualDisk(image, await qemuRaw(image, path('snap.raw')));
    assert.equal(info.details.snapshots, 1);
    const file = await openFileReader(image);
    try {
      const { disk } = await openImageFormat(file.reader);
      assert.ok((await disk!.read(0, 4096)).equals(Buffer.alloc(4096, 0xee)), 'the data written after the snapshot is read');
    } finally {
      await file.close();
    }
  });

  it('answers a 4 MiB read of contiguous clusters with one file read', async () => {
    const dense = path('dense.raw');
    await writeFile(dense, pseudoRandomBytes('dense', 8 * MiB));
    const image = await convertImage(dense, path('dense.qcow2'), 'qcow2', { from: 'raw' });
    const file = await openFileReader(image);
    try {
      const counting = countingReader(file.reader);
      const { disk } = await openImageFormat(counting);
      await disk!.read(0, 512); // loads the L2 table
      counting.reads = 0;
      const bytes = await disk!.read(2 * MiB, 4 * MiB);
      assert.equal(counting.reads, 1);
      assert.ok(bytes.equals((await readFile(dense)).subarray(2 * MiB, 6 * MiB)));
    } finally {
      await file.close();
    }
  });

  describe('refusals', () => {
    it('refuses a backing file without opening it (a FIFO that would hang any reader), naming it', async () => {
      const fifo = path('base.fifo');
      await run('mkfifo', [fifo]);
      const image = path('overlay.qcow2');
      await qemuImg(['create', '-q', '-f', 'qcow2', '-u', '-b', fifo, '-F', 'raw', image, '16M']);
      const file = await openFileReader(image);
      try {
        const { info, disk } = await openImageFormat(file.reader);
        assert.equal(disk, null);
        assert.equal(info.format, 'qcow2');
        assert.equal(info.refusals.length, 1);
        assert.match(info.refusals[0].en, /backing file ".*base\.fifo" \(raw\), which is never opened/);
        assert.match(info.refusals[0].de, /Backing-Datei ".*base\.fifo"/);
      } finally {
        await file.close();
      }
    });

    it('quotes a backing file name printable and cut short', async () => {
      const image = path('long-backing.qcow2');
      await qemuImg(['create', '-q', '-f', 'qcow2', '-u', '-b', `/x/\x1b[31m${'a'.repeat(600)}`, '-F', 'raw', image, '16M']);
      const { info } = await openBytes(await readFile(image));
      assert.match(info.refusals[0].en, /"\/x\/\\x1b\[31ma+…"/);
      assert.ok(info.refusals[0].en.length < 400);
    });

    it('refuses an external data file, naming it', async () => {
      const image = path('external.qcow2');
      await qemuImg(['create', '-q', '-f', 'qcow2', '-o', `data_file=${path('external-data.raw')}`, image, '16M']);
      const { info, disk } = await openBytes(await readFile(image));
      assert.equal(disk, null);
      assert.deepEqual(
        english(info.refusals).map((s) => s.replace(scratch(), '<dir>')),
        ['The qcow2 image keeps its data in an external data file "<dir>/external-data.raw", which is never opened. Convert it into a standalone image (`qemu-img convert -O qcow2`) and upload that.'],
      );
    });

    it('refuses a LUKS-encrypted image', async () => {
      const image = path('luks.qcow2');
      await createLuksImage(image);
      const { info, disk } = await openBytes(await readFile(image));
      assert.equal(disk, null);
      assert.deepEqual(english(info.refusals), ['The qcow2 image is encrypted (LUKS), so its contents cannot be checked. Upload it unencrypted.']);
    });

    it('has the dispatcher refuse a qcow2 whose virtual disk is a qcow2, naming both', async () => {
      const inner = await convertImage(raw, path('inner.qcow2'), 'qcow2', { from: 'raw' });
      const outer = await convertImage(inner, path('outer.qcow2'), 'qcow2', { from: 'raw' });
      const { info, disk } = await openBytes(await readFile(outer));
      assert.equal(disk, null);
      assert.deepEqual(english(info.refusals), [
        'The file is a qcow2 image whose virtual disk is itself a qcow2 image: a format inside another is refused; upload the inner image instead.',
      ]);
    });
  });

  describe('damaged images', () => {
    let v3 = Buffer.alloc(0);
    before(async () => {
      v3 = await readFile(await convertImage(raw, path('damage.qcow2'), 'qcow2', { from: 'raw' }));
    });
    const damaged = (change: (bytes: Buffer) => void) => {
      const bytes = Buffer.from(v3);
      change(bytes);
      return bytes;
    };

    it('reports the corrupt bit as a problem and still reads the disk', async () => {
      const bytes = damaged((b) => (b[79] |= 2));
      const { info, disk } = await openBytes(bytes);
      assert.match(english(info.problems).join(' '), /QEMU has marked the qcow2 image corrupt/);
      assert.ok(disk);
      assert.ok((await disk.read(0, 64 * 1024)).equals((await readFile(raw)).subarray(0, 64 * 1024)));
    });

    it('accepts the dirty bit (reading needs no reference counts)', async () => {
      const { info, disk } = await openBytes(damaged((b) => (b[79] |= 1)));
      assert.deepEqual(info.problems, []);
      assert.ok(disk);
    });

    it('does not read unknown incompatible features, naming the bits', async () => {
      const { info, disk } = await openBytes(damaged((b) => (b[79] |= 0x20 | 0x80)));
      assert.equal(disk, null);
      assert.match(english(info.problems)[0], /incompatible feature bits vmarket does not read \(5, 7\)/);
    });

    it('walks the header extensions within the header area: one running past it is corrupt', async () => {
      const headerLength = v3.readUInt32BE(100);
      assert.equal(v3.readUInt32BE(headerLength), 0x6803f857, 'qemu-img writes the feature name table first');
      const { info, disk } = await openBytes(damaged((b) => b.writeUInt32BE(0xfffffff0, headerLength + 4)));
      assert.equal(disk, null);
      assert.match(english(info.problems)[0], /header extension of type 0x6803f857 at byte 112 runs past the end of the header area \(byte 65536\)/);
    });

    it('refuses versions other than 2 and 3, and cluster sizes QEMU does not allow', async () => {
      assert.match(english((await openBytes(damaged((b) => b.writeUInt32BE(4, 4)))).info.problems)[0], /declares version 4; only versions 2 and 3 exist/);
      assert.match(english((await openBytes(damaged((b) => b.writeUInt32BE(22, 20)))).info.problems)[0], /clusters of 2\^22 bytes/);
    });

    it('refuses an L1 table too small for the virtual size or outside the file', async () => {
      assert.match(english((await openBytes(damaged((b) => b.writeBigUInt64BE(1n << 40n, 24)))).info.problems)[0], /L1 table has 1 entries, but a 1099511627776-byte virtual disk needs 2048/);
      assert.match(english((await openBytes(damaged((b) => b.writeBigUInt64BE(1n << 30n, 40)))).info.problems)[0], /L1 table \(8 bytes at file byte 1073741824\) lies outside/);
    });

    it('ends in IMAGE_CORRUPT naming the virtual byte for an unaligned data cluster and an L2 table outside the file', async () => {
      const { l1, entry, cluster } = findL2Entry(v3, (e) => (e & OFFSET_MASK) !== 0n);
      const unaligned = damaged((b) => b.writeBigUInt64BE(b.readBigUInt64BE(entry) + 512n, entry));
      // the cluster before it still reads: a broken entry only ends the run that looks ahead
      const before = (cluster - 1) * 65536;
      assert.ok((await (await openBytes(unaligned)).disk!.read(before, 65536)).equals((await readFile(raw)).subarray(before, before + 65536)));
      const error = await readAll((await openBytes(unaligned)).disk!);
      assert.ok(isVmarketError(error) && error.code === 'IMAGE_CORRUPT', String(error));
      assert.match(error.message, new RegExp(`L2 entry for virtual byte ${cluster * 65536} \\(0x8[0-9a-f]+\\) points to file byte \\d+, which is not on a cluster boundary`));

      const outside = damaged((b) => b.writeBigUInt64BE((1n << 63n) | (1n << 40n), l1));
      const error2 = await readAll((await openBytes(outside)).disk!);
      assert.ok(isVmarketError(error2) && error2.code === 'IMAGE_CORRUPT', String(error2));
      assert.match(error2.message, /L1 entry 0 \(for virtual byte 0\) points to an L2 table at file byte 1099511627776, outside the/);

      const { entry: last } = findL2Entry(v3, (e) => (e & OFFSET_MASK) !== 0n && (e & COMPRESSED) === 0n);
      const beyond = damaged((b) => b.writeBigUInt64BE((1n << 63n) | (1n << 36n), last));
      const error3 = await readAll((await openBytes(beyond)).disk!);
      assert.ok(isVmarketError(error3) && error3.code === 'IMAGE_CORRUPT', String(error3));
      assert.match(error3.message, /L2 entry for virtual byte \d+ \(0x8000001000000000\) points to file byte 68719476736, beyond the end of the \d+-byte file/);
    });

    it('ends in IMAGE_CORRUPT for a zero cluster in a version 2 image, as QEMU does', async () => {
      const v2 = await readFile(await convertImage(raw, path('damage-v2.qcow2'), 'qcow2', { from: 'raw', o: 'compat=0.10' }));
      const { entry, cluster } = findL2Entry(v2, (e) => (e & OFFSET_MASK) !== 0n);
      v2.writeBigUInt64BE(v2.readBigUInt64BE(entry) | 1n, entry);
      const error = await readAll((await openBytes(v2)).disk!);
      assert.ok(isVmarketError(error) && error.code === 'IMAGE_CORRUPT', String(error));
      assert.match(error.message, new RegExp(`L2 entry for virtual byte ${cluster * 65536} \\(0x[0-9a-f]+1\\) marks a zero cluster, which version 2 images do not have`));
    });

    it('ends in IMAGE_CORRUPT for a compressed cluster that does not inflate', async () => {
      const compressed = await readFile(await convertImage(raw, path('damage-c.qcow2'), 'qcow2', { from: 'raw', compress: true }));
      const { entry, cluster } = findL2Entry(compressed, (e) => (e & COMPRESSED) !== 0n);
      // 64 KiB clusters: the host offset is bits 0..53
      const host = Number(compressed.readBigUInt64BE(entry) & ((1n << 54n) - 1n));
      compressed.fill(0xff, host, host + 64);
      const error = await readAll((await openBytes(compressed)).disk!);
      assert.ok(isVmarketError(error) && error.code === 'IMAGE_CORRUPT', String(error));
      assert.match(error.message, new RegExp(`compressed qcow2 cluster at virtual byte ${cluster * 65536} \\(file byte ${host}\\) does not decompress with deflate`));
    });
  });

  it('certifies a qcow2 of a fixture image with the same check results as its fixed VHD', async () => {
    const base = await buildImage({ files: baseLinuxTree().files, output: path('engine.raw'), format: 'raw', sizeMiB: 64 });
    const vhd = path('engine.vhd');
    await copyFile(base, vhd);
    await appendFile(vhd, vhdFooter({ size: 64 * MiB }));
    const qcow2 = await convertImage(base, path('engine.qcow2'), 'qcow2', { from: 'raw' });
    const config = { clamav: { mode: 'off' as const, databaseDir: '/nonexistent' } };
    const fromVhd = await certifyImages({ osDisk: vhd, config });
    const fromQcow2 = await certifyImages({ osDisk: qcow2, config });
    assert.equal(fromQcow2.images[0].format, 'qcow2');
    assert.equal(fromQcow2.images[0].virtualSize, 64 * MiB);
    const results = (report: typeof fromVhd) => report.checks.map((c) => `${c.id}: ${c.status}`);
    assert.deepEqual(results(fromQcow2), results(fromVhd));
    assert.equal(fromVhd.result, 'passed', JSON.stringify(fromVhd.checks.filter((c) => c.status !== 'passed')));
  });
});
