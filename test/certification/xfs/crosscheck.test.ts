/**
 * The XFS reader against the kernel: images made by mkfs.xfs (v5 with reflink, bigtime, nrext64
 * and sparse inodes; v4 without CRCs or ftype; 8 KiB directory blocks; 1 KiB blocks), populated
 * through a loop mount. The whole listing — path, type, mode, uid, gid, size, SHA-256 of content,
 * symlink target — must equal what the mounted file system showed; xfs_db confirms the images
 * hold the forms under test (B+tree extent lists, leaf/node directories, remote symlinks).
 */
import assert from 'node:assert/strict';
import { copyFile, readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { BlockClaims } from '../../../src/certification/fs/block-claims.ts';
import { openXfs } from '../../../src/certification/fs/xfs/index.ts';
import { scratchDir } from '../../helpers/files.ts';
import { readerListing } from '../ext4/listing.ts';
import { buildXfs, forkFormat, populateTree, run, xfsDb, xfsSkip, type XfsImage } from './fixtures.ts';

interface Variant {
  name: string;
  sizeMiB: number;
  options: string[];
  blockSize: number;
  manyEntries: number;
  version: 4 | 5;
  reflink?: boolean;
}

const variants: Variant[] = [
  { name: 'v5 defaults (crc, reflink, finobt, sparse inodes, bigtime) with nrext64, 50,000-entry directory', sizeMiB: 300, options: ['-i', 'nrext64=1'], blockSize: 4096, manyEntries: 50_000, version: 5, reflink: true },
  { name: 'v5 with 8 KiB directory blocks', sizeMiB: 300, options: ['-n', 'size=8192'], blockSize: 4096, manyEntries: 2000, version: 5 },
  { name: 'v5 with 1 KiB blocks', sizeMiB: 300, options: ['-b', 'size=1024'], blockSize: 1024, manyEntries: 2000, version: 5 },
];

describe('XFS reader matches the mounted kernel file system', { skip: xfsSkip() }, () => {
  const dir = scratchDir('vmarket-xfs-');
  const images = new Map<string, XfsImage>();

  before(async () => {
    for (const variant of variants) {
      images.set(variant.name, await buildXfs(dir(), `v${images.size}`, variant.sizeMiB, variant.options, async (root) => {
        await populateTree(root, { manyEntries: variant.manyEntries, fragments: 400, blockSize: variant.blockSize });
        if (variant.reflink) await run('cp', ['--reflink=always', `${root}/data/big.bin`, `${root}/data/big-reflink.bin`]);
      }));
    }
  });

  for (const variant of variants) {
    it(variant.name, async () => {
      const image = images.get(variant.name)!;
      const fs = await openXfs(bufferReader(await readFile(image.path)));
      assert.equal(fs.kind, 'xfs');
      assert.equal(fs.superblock.version, variant.version);
      assert.equal(fs.superblock.blockSize, variant.blockSize);
      const frag = (await fs.stat('/data/frag.bin'))!;
      assert.equal(await forkFormat(image.path, frag.inode), 'btree', 'the fragmented file has a B+tree extent list');
      const many = (await fs.stat('/many'))!;
      const manyForm = await forkFormat(image.path, many.inode);
      if (variant.manyEntries >= 50_000) assert.equal(manyForm, 'btree', 'a B+tree directory');
      else assert.ok(manyForm === 'extents' || manyForm === 'btree', `a leaf, node or B+tree directory (${manyForm})`);
      // bigtime: after 2038 and before 1970
      assert.equal((await fs.stat('/data/future'))!.mtime, 4102444800);
      assert.equal((await fs.stat('/data/past'))!.mtime, -100000);
      assert.equal(await forkFormat(image.path, (await fs.lstat('/sf'))!.inode), 'local', 'a short-form directory');
      assert.equal(await forkFormat(image.path, (await fs.lstat('/remote-link'))!.inode), 'extents', 'a remote symlink');
      if (variant.reflink) {
        assert.match(await xfsDb(image.path, 'version'), /REFLINK/);
        // the copy shares the original's blocks: a scan's block claims must not call that corrupt
        const bmapOf = async (path: string) => /startblock \d+/.exec(await xfsDb(image.path, `inode ${(await fs.stat(path))!.inode}`, 'bmap'))?.[0];
        assert.equal(await bmapOf('/data/big-reflink.bin'), await bmapOf('/data/big.bin'));
        const claims = new BlockClaims();
        for (const path of ['/data/big.bin', '/data/big-reflink.bin']) for await (const chunk of fs.stream(path, undefined, { claims })) assert.ok(chunk.length > 0);
      }
      const listing = await readerListing(fs);
      assert.ok(image.expected.length > variant.manyEntries, 'the kernel listed the tree');
      assert.deepEqual(listing, image.expected);
      assert.equal((await fs.readFile('/etc/os-release'))?.toString(), 'PRETTY_NAME="Debian GNU/Linux 12"\nID=debian\nVERSION_ID="12"\n');
      assert.equal(await fs.realpath('/data/relative-link'), '/etc/os-release');
    });
  }

  it('reads metadata stamped with the old UUID after xfs_admin -U gave the file system a new one (meta_uuid)', async () => {
    const image = images.get(variants[1].name)!;
    const copy = `${image.path}.new-uuid`;
    await copyFile(image.path, copy);
    await run('xfs_admin', ['-U', 'generate', copy]);
    const fs = await openXfs(bufferReader(await readFile(copy)));
    assert.ok((fs.superblock.features.incompat & 0x4) !== 0, 'the meta_uuid feature is set');
    assert.notEqual(fs.superblock.uuid, (await openXfs(bufferReader(await readFile(image.path)))).superblock.uuid);
    assert.deepEqual(await readerListing(fs), image.expected);
  });
});
