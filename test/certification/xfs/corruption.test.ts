/**
 * Damaged XFS images: one real v5 image (mkfs.xfs, populated through a loop mount) with bytes
 * flipped in the superblock, an inode core, a directory block and an extent B+tree block must
 * fail as IMAGE_CORRUPT naming the structure and its CRC mismatch. A seeded fuzz then flips bytes
 * in those structures — half of the cases with the CRC re-sealed, so the parsers behind the CRC
 * checks see the damage — and every case must end in a result or a VmarketError with an image or
 * file code, never another exception or a hang.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { VmarketError } from '../../../src/errors.ts';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { crc32cWithoutField } from '../../../src/certification/disk/crc32c.ts';
import { openXfs } from '../../../src/certification/fs/xfs/index.ts';
import { scratchDir } from '../../helpers/files.ts';
import { prng } from '../../helpers/prng.ts';
import { withinTimeLimit } from '../disk/helpers.ts';
import { buildXfs, bytePosition, populateTree, xfsDb, xfsSkip } from './fixtures.ts';

const ALLOWED = new Set(['IMAGE_CORRUPT', 'IMAGE_UNSUPPORTED', 'FILE_UNREADABLE', 'NOT_FOUND']);
const CASES = 300;
const STREAM_CAP = 256 * 1024;

interface Region { kind: string; start: number; length: number; crcAt: number }

async function readAll(image: Buffer): Promise<number> {
  const fs = await openXfs(bufferReader(image));
  let entries = 0;
  for await (const { path, stat } of fs.walk('/')) {
    entries++;
    if (stat.type === 'file') {
      let bytes = 0;
      for await (const chunk of fs.stream(path, 64 * 1024, { holeBytes: STREAM_CAP })) if ((bytes += chunk.length) > STREAM_CAP) break;
    }
    if (stat.type === 'symlink') await fs.readlink(path);
  }
  return entries;
}

describe('XFS reader on damaged images', { skip: xfsSkip() }, () => {
  const dir = scratchDir('vmarket-xfs-bad-');
  let image: Buffer;
  const regions: Region[] = [];

  before(async () => {
    const built = await buildXfs(dir(), 'bad', 300, [], (root) => populateTree(root, { manyEntries: 600, fragments: 300, blockSize: 4096 }));
    image = await readFile(built.path);
    // inode numbers from the intact image; where their bytes are is xfs_db's to say
    const intact = await openXfs(bufferReader(image));
    const inodeOf = async (path: string) => (await intact.lstat(path))!.inode;
    regions.push({ kind: 'superblock', start: 0, length: 264, crcAt: 224 });
    for (const path of ['/etc', '/etc/os-release', '/many', '/data/frag.bin', '/remote-link', '/sf', '/data/unwritten.bin']) {
      regions.push({ kind: `inode of ${path}`, start: await bytePosition(built.path, 'inode', await inodeOf(path)), length: 512, crcAt: 100 });
    }
    const bmap = await xfsDb(built.path, `inode ${await inodeOf('/many')}`, 'bmap');
    const firstDirBlock = Number(/startblock (\d+)/.exec(bmap)![1]);
    regions.push({ kind: 'directory block', start: await bytePosition(built.path, 'fsb', firstDirBlock), length: 4096, crcAt: 4 });
    const ptrs = await xfsDb(built.path, `inode ${await inodeOf('/data/frag.bin')}`, 'p u3.bmbt.ptrs');
    const bmbtBlock = Number(/1:(\d+)/.exec(ptrs)![1]);
    regions.push({ kind: 'extent B+tree block', start: await bytePosition(built.path, 'fsb', bmbtBlock), length: 4096, crcAt: 64 });
    assert.ok((await readAll(image)) > 600, 'the undamaged image reads');
  });

  const expectations: Array<[kind: string, offset: number, message: RegExp]> = [
    ['superblock', 8, /^the superblock: XFS file system is corrupt: the superblock fails its CRC check/],
    ['inode of /etc/os-release', 60, /XFS file system is corrupt: inode \d+ fails its CRC check/],
    ['directory block', 200, /XFS file system is corrupt: directory inode \d+, directory block \d+ fails its CRC check/],
    ['extent B+tree block', 300, /XFS file system is corrupt: inode \d+: extent B\+tree block \d+ fails its CRC check/],
  ];
  for (const [kind, offset, message] of expectations) {
    it(`names a CRC mismatch in the ${kind}`, async () => {
      const region = regions.find((r) => r.kind === kind)!;
      const damaged = image; // mkfs.xfs makes at least 300 MB: damaged in place, restored after
      damaged[region.start + offset] ^= 0x5a;
      try {
        await assert.rejects(readAll(damaged), (error: unknown) => {
          assert.ok(error instanceof VmarketError, String(error));
          assert.equal(error.code, 'IMAGE_CORRUPT');
          assert.match(error.message, message);
          assert.match(error.localized!.de, /XFS-Dateisystem ist beschädigt: .*besteht die CRC-Prüfung nicht/);
          return true;
        });
      } finally {
        damaged[region.start + offset] ^= 0x5a;
      }
    });
  }

  for (const [bit, message] of [
    [0x10, /^the superblock: the XFS file system is marked as needing repair \(needsrepair/],
    [0x400, /^the superblock: the XFS file system uses incompatible features this reader cannot read: 0x400$/],
    [0x100, /^the superblock: the XFS file system uses incompatible features this reader cannot read: metadir$/],
  ] as const) {
    it(`refuses incompatible feature 0x${bit.toString(16)} by name`, async () => {
      const saved = Buffer.from(image.subarray(0, 512));
      try {
        const sector = image.subarray(0, 512);
        sector.writeUInt32BE(sector.readUInt32BE(216) | bit, 216);
        sector.writeUInt32LE(crc32cWithoutField(sector, 224), 224);
        await assert.rejects(openXfs(bufferReader(image)), (error: unknown) => {
          assert.ok(error instanceof VmarketError);
          assert.equal(error.code, 'IMAGE_UNSUPPORTED');
          assert.match(error.message, message);
          return true;
        });
      } finally {
        saved.copy(image, 0);
      }
    });
  }

  it(`ends every one of ${CASES} seeded corruptions in a result or an image error`, async () => {
    const random = prng(0x5f5);
    const codes = new Map<string, number>();
    for (let i = 0; i < CASES; i++) {
      const region = regions[Math.floor(random() * regions.length)];
      const saved = Buffer.from(image.subarray(region.start, region.start + 512 + region.length));
      const damaged = image;
      for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) {
        damaged[region.start + Math.floor(random() * region.length)] ^= 1 + Math.floor(random() * 255);
      }
      const reseal = random() < 0.5;
      if (reseal) {
        const structure = damaged.subarray(region.start, region.start + (region.kind === 'superblock' ? 512 : region.length));
        structure.writeUInt32LE(crc32cWithoutField(structure, region.crcAt), region.crcAt);
      }
      const label = `case ${i} (${region.kind}${reseal ? ', CRC re-sealed' : ''})`;
      try {
        await withinTimeLimit(readAll(damaged), label);
        codes.set('ok', (codes.get('ok') ?? 0) + 1);
      } catch (error) {
        assert.ok(error instanceof VmarketError, `${label}: ${error instanceof Error ? error.stack : String(error)}`);
        assert.ok(ALLOWED.has(error.code), `${label}: ${error.code} ${error.message}`);
        codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
      } finally {
        saved.copy(image, region.start);
      }
    }
    assert.ok((codes.get('IMAGE_CORRUPT') ?? 0) > CASES / 4, `most damage is found: ${JSON.stringify([...codes])}`);
  });
});
