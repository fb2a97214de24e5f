/**
 * Seeded corruption of small ext2 and ext4 images in memory: superblock, group descriptors,
 * inodes, extent headers and entries, indirect blocks and directory blocks. Every case must end
 * in a result or a VmarketError with an image/file code — never another exception, a hang (each
 * case has a time bound) or unbounded memory — and no read may leave the image.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { VmarketError } from '../../../src/errors.ts';
import { openExtFs } from '../../../src/certification/fs/ext4/index.ts';
import { buildImage, debugfs, toolsAvailable, type ImageSpec } from './fixtures.ts';
import { BufferRangeReader } from './range-readers.ts';
import { prng } from '../../helpers/prng.ts';

// 500 per image: the sandboxed fuzz (test/certification/sandbox/fuzz.test.ts) also corrupts ext file
// systems, 2,000 images through the whole certification entry point
const CASES_PER_IMAGE = 500;
const CASE_TIME_MS = 5000;
const STREAM_CAP = 64 * 1024;
const WALK_CAP = 100_000;
const ALLOWED = new Set(['IMAGE_CORRUPT', 'IMAGE_UNSUPPORTED', 'FILE_UNREADABLE', 'NOT_FOUND']);

interface Region {
  kind: string;
  start: number;
  length: number;
}

async function regionsOf(imagePath: string, image: Buffer, blockSize: number): Promise<Region[]> {
  const fs = await openExtFs(new BufferRangeReader(image));
  const sb = fs.superblock;
  const regions: Region[] = [
    { kind: 'superblock', start: 1024, length: 256 },
    { kind: 'group descriptors', start: (sb.firstDataBlock + 1) * blockSize, length: Math.min(blockSize, sb.groupCount * sb.descSize) },
  ];
  const paths = ['/', '/etc', '/etc/hostname', '/data/frag.bin', '/data/sparse.bin', '/many', '/links', '/links/slow', '/deep/level0', '/srv/inline-120', '/dev/null'];
  const imap = await debugfs(imagePath, paths.map((p) => `imap "${p}"`));
  for (const match of imap.matchAll(/located at block (\d+), offset 0x([0-9a-f]+)/g)) {
    regions.push({ kind: 'inode', start: Number(match[1]) * blockSize + Number.parseInt(match[2], 16), length: sb.inodeSize });
  }
  const blockOf = (kind: string, block: number) => regions.push({ kind, start: block * blockSize, length: blockSize });
  for (const dir of ['/', '/many', '/etc', '/deep/level0']) {
    const blocks = (await debugfs(imagePath, [`blocks "${dir}"`])).split('\n').slice(1).join(' ').trim().split(/\s+/).filter(Boolean).map(Number);
    for (const block of blocks.slice(0, 8)) blockOf('directory block', block);
  }
  const stat = await debugfs(imagePath, ['stat /data/frag.bin', 'ex /data/frag.bin']);
  for (const match of stat.matchAll(/\((?:IND|DIND|TIND)\):(\d+)/g)) blockOf('indirect block', Number(match[1]));
  // `ex` lines of index levels: their physical column is the lower node's block.
  for (const match of stat.matchAll(/^\s*(\d+)\/\s*(\d+)\s+\d+\/\s*\d+\s+\d+\s+-\s+\d+\s+(\d+)\s/gm)) {
    if (Number(match[1]) < Number(match[2])) blockOf('extent node', Number(match[3]));
  }
  return regions;
}

/** Opens, walks, stats and streams everything; returns the entry count and per-file error codes. */
async function exercise(image: Buffer): Promise<{ entries: number; fileErrors: Set<string> }> {
  const fileErrors = new Set<string>();
  const fs = await openExtFs(new BufferRangeReader(image));
  let entries = 0;
  for await (const entry of fs.walk()) {
    if (++entries > WALK_CAP) throw new Error('walk did not stop');
    try {
      if (entry.stat.type === 'file') {
        let bytes = 0;
        for await (const chunk of fs.stream(entry.path, 256 * 1024)) {
          bytes += chunk.length;
          if (bytes >= STREAM_CAP) break;
        }
      } else if (entry.stat.type === 'symlink') {
        await fs.readlink(entry.path);
        // The 40-hop chain is resolved once below; resolving every link of it here would only
        // repeat the same work 40 times per case.
        if (!/\/hop\d\d$/.test(entry.path)) await fs.stat(entry.path);
      }
    } catch (error) {
      if (!(error instanceof VmarketError) || !ALLOWED.has(error.code)) throw error;
      fileErrors.add(error.code);
    }
  }
  await fs.realpath('/links/chain1');
  await fs.realpath('/links/hop00');
  await fs.readFile('/etc/ssh/sshd_config');
  return { entries, fileErrors };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result within ${ms} ms`)), ms);
    }),
  ]);
}

const images: Array<{ name: string; spec: ImageSpec }> = [
  { name: 'ext4 (extents, htree, inline data)', spec: { mkfs: 'ext4', options: ['-b', '1024', '-O', 'inline_data'], sizeMiB: 12, manyEntries: 150, htree: true, fragmentBlocks: 500 } },
  { name: 'ext2 (block maps)', spec: { mkfs: 'ext2', options: ['-b', '1024'], sizeMiB: 12, manyEntries: 150, htree: true, fragmentBlocks: 300 } },
];

describe('ext reader under seeded corruption', { skip: !toolsAvailable() && 'needs root, mkfs.ext4 and debugfs' }, () => {
  for (const [index, { name, spec }] of images.entries()) {
    it(`${name}: ${CASES_PER_IMAGE} corruptions end in a result or a VmarketError`, async () => {
      const built = await buildImage(spec);
      const image = await readFile(built.path);
      assert.ok((await exercise(image)).entries > 150, 'the intact image walks completely');
      const regions = await regionsOf(built.path, image, built.blockSize);
      assert.ok(regions.some((r) => r.kind === 'extent node' || r.kind === 'indirect block'));
      const failures: string[] = [];
      const outcomes = new Map<string, number>();
      const heapBefore = process.memoryUsage().heapUsed;
      for (let n = 0; n < CASES_PER_IMAGE; n++) {
        const seed = index * 1_000_000 + n;
        const random = prng(seed);
        const region = regions[Math.floor(random() * regions.length)];
        const saved = Buffer.from(image.subarray(region.start, region.start + region.length));
        const edits = 1 + Math.floor(random() * 3);
        for (let e = 0; e < edits; e++) {
          const at = region.start + Math.floor(random() * (region.length - 4));
          const op = Math.floor(random() * 5);
          if (op === 0) image[at] = Math.floor(random() * 256);
          else if (op === 1) image[at] ^= 1 << Math.floor(random() * 8);
          else if (op === 2) image.writeUInt16LE([0, 0xffff, Math.floor(random() * 0x10000)][Math.floor(random() * 3)], at & ~1);
          else if (op === 3) image.writeUInt32LE([0, 0xffffffff, Math.floor(random() * 2 ** 32), Math.floor(random() * 64)][Math.floor(random() * 4)], at & ~3);
          else image.writeUInt32LE(Math.floor(random() * 2 ** 32), at & ~3);
        }
        let outcome: string;
        try {
          const { fileErrors } = await withTimeout(exercise(image), CASE_TIME_MS);
          outcome = fileErrors.size === 0 ? 'result' : `result with file errors (${[...fileErrors].sort().join(', ')})`;
        } catch (error) {
          if (error instanceof VmarketError && ALLOWED.has(error.code)) outcome = error.code;
          else {
            outcome = 'failure';
            if (failures.length < 10) failures.push(`seed ${seed} (${region.kind}): ${error instanceof Error ? error.stack : String(error)}`);
          }
        }
        outcomes.set(`${region.kind} → ${outcome}`, (outcomes.get(`${region.kind} → ${outcome}`) ?? 0) + 1);
        saved.copy(image, region.start);
      }
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
      console.log(name, Object.fromEntries([...outcomes].sort()));
      assert.deepEqual(failures, []);
      assert.ok(heapGrowth < 256 * 1024 * 1024, `heap grew by ${heapGrowth} bytes`);
      assert.ok([...outcomes.keys()].some((k) => k.includes('IMAGE_CORRUPT')), 'corruptions are detected');
    });
  }
});
