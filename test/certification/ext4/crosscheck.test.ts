/**
 * The ext reader against debugfs: for images made by mkfs.ext2, mkfs.ext3 and mkfs.ext4 (64bit or
 * not, 1 KiB and 4 KiB blocks, meta_bg, 128-byte inodes, inline data) the whole listing — path,
 * type, size, mode, uid, gid, SHA-256 of content, symlink target — must equal what debugfs reports.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openExtFs } from '../../../src/certification/fs/ext4/index.ts';
import { buildImage, debugfs, toolsAvailable, type ImageSpec } from './fixtures.ts';
import { readerListing } from './listing.ts';
import { FileRangeReader } from './range-readers.ts';

const variants: Array<{ name: string; spec: ImageSpec; kind: string; check?: (image: string) => Promise<void> }> = [
  {
    name: 'ext2, 1 KiB blocks, 200 MB file (triple indirect), fragmented block map',
    kind: 'ext2',
    spec: { mkfs: 'ext2', options: ['-b', '1024'], sizeMiB: 300, bigFileMiB: 200, fragmentBlocks: 400 },
    check: async (image) => assert.ok(blockRuns(await debugfs(image, ['blocks /data/frag.bin'])) > 20, 'the file is fragmented'),
  },
  {
    name: 'ext3, 4 KiB blocks, 10,000-entry htree directory, fragmented block map',
    kind: 'ext3',
    spec: { mkfs: 'ext3', options: ['-b', '4096'], sizeMiB: 96, manyEntries: 10_000, htree: true, fragmentBlocks: 300 },
    check: async (image) => {
      assert.ok(blockRuns(await debugfs(image, ['blocks /data/frag.bin'])) > 20, 'the file is fragmented');
      assert.match(await debugfs(image, ['htree /many']), /Root node dump/, 'the directory is hashed');
    },
  },
  {
    name: 'ext4 64bit, 4 KiB blocks, 200 MB file, htree, fragmented extents, unwritten extent',
    kind: 'ext4',
    spec: { mkfs: 'ext4', options: ['-b', '4096', '-O', '64bit'], sizeMiB: 320, bigFileMiB: 200, manyEntries: 10_000, htree: true, fragmentBlocks: 1000, unwritten: true },
    check: async (image) => {
      const extents = await debugfs(image, ['ex /data/frag.bin']);
      assert.ok(extents.split('\n').filter((l) => /^\s*1\/\s*1/.test(l)).length > 100, 'many extents in a depth-1 tree');
      assert.match(await debugfs(image, ['ex /data/unwritten.bin']), /Uninit/);
      assert.match(await debugfs(image, ['htree /many']), /Root node dump/, 'the directory is hashed');
    },
  },
  {
    name: 'ext4 without 64bit, 1 KiB blocks, meta_bg, 128-byte inodes, depth-2 extent tree',
    kind: 'ext4',
    spec: { mkfs: 'ext4', options: ['-b', '1024', '-I', '128', '-O', '^64bit,meta_bg,^resize_inode'], sizeMiB: 64, manyEntries: 10_000, htree: true, fragmentBlocks: 900, unwritten: true },
    check: async (image) => {
      assert.match(await debugfs(image, ['ex /data/frag.bin']), /^\s*0\/\s*2/m, 'the extent tree has depth 2');
      assert.match(await debugfs(image, ['htree /many']), /Indirect levels: 1/, 'a two-level htree');
    },
  },
  {
    name: 'ext4 with inline data',
    kind: 'ext4',
    spec: { mkfs: 'ext4', options: ['-O', 'inline_data', '-I', '256'], sizeMiB: 32 },
    check: async (image) => assert.match(await debugfs(image, ['stat /srv/inline-120']), /Size of inline data: 120/),
  },
];

/** Number of contiguous runs in debugfs `blocks` output. */
function blockRuns(output: string): number {
  const blocks = output.trim().split(/\s+/).map(Number);
  let runs = 0;
  for (let i = 0; i < blocks.length; i++) if (i === 0 || blocks[i] !== blocks[i - 1] + 1) runs++;
  return runs;
}

describe('ext reader matches debugfs', { skip: !toolsAvailable() && 'needs root, mkfs.ext4 and debugfs' }, () => {
  for (const variant of variants) {
    it(variant.name, async () => {
      const image = await buildImage(variant.spec);
      await variant.check?.(image.path);
      const { reader, close } = await FileRangeReader.open(image.path);
      try {
        const fs = await openExtFs(reader);
        assert.equal(fs.kind, variant.kind);
        assert.equal(fs.superblock.blockSize, image.blockSize);
        const listing = await readerListing(fs);
        assert.ok(image.expected.length > 100, 'debugfs listed the tree');
        assert.deepEqual(listing, image.expected);
      } finally {
        await close();
      }
    });
  }
});
