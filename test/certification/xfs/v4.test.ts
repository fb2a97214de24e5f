/**
 * v4 XFS (no CRCs, no ftype): the kernel here no longer mounts v4, so the image is made by the
 * real mkfs.xfs from a prototype file (mkfs.xfs -p: files, directories, symlinks, devices and
 * fifos with modes and owners) and the reference listing is the prototype's content.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { openXfs } from '../../../src/certification/fs/xfs/index.ts';
import { scratchDir } from '../../helpers/files.ts';
import type { ExpectedEntry } from '../ext4/fixtures.ts';
import { readerListing } from '../ext4/listing.ts';
import { forkFormat, run, xfsSkip } from './fixtures.ts';

const TYPE_CHAR: Record<string, string> = { file: '-', dir: 'd', symlink: 'l', chardev: 'c', blockdev: 'b', fifo: 'p' };
const TYPE_BITS: Record<string, number> = { file: 0o100000, dir: 0o040000, symlink: 0o120000, chardev: 0o020000, blockdev: 0o060000, fifo: 0o010000 };

interface Node { name: string; type: string; perm: number; uid: number; gid: number; content?: Buffer; target?: string; children?: Node[] }

function tree(): Node {
  const file = (name: string, content: Buffer, perm = 0o644, uid = 0, gid = 0): Node => ({ name, type: 'file', perm, uid, gid, content });
  const dir = (name: string, children: Node[], perm = 0o755): Node => ({ name, type: 'dir', perm, uid: 0, gid: 0, children });
  return dir('', [
    dir('etc', [file('os-release', Buffer.from('ID=debian\nVERSION_ID="12"\n')), file('hostname', Buffer.from('host\n'))]),
    dir('small', Array.from({ length: 150 }, (_, i) => file(`f${i}`, randomBytes(i * 53)))),
    dir('many', Array.from({ length: 1500 }, (_, i) => file(`entry-${i}-with-a-longer-name`, Buffer.alloc(0)))),
    dir('sf', [file('a', Buffer.from('a')), dir('b', [])]),
    dir('data', [
      file('big.bin', randomBytes(2_000_000)),
      file('odd', Buffer.from('secret\n'), 0o4751, 1234, 5678),
      { name: 'null', type: 'chardev', perm: 0o666, uid: 0, gid: 0 },
      { name: 'loop0', type: 'blockdev', perm: 0o660, uid: 0, gid: 6 },
      { name: 'fifo', type: 'fifo', perm: 0o644, uid: 0, gid: 0 },
    ]),
    { name: 'inline-link', type: 'symlink', perm: 0o777, uid: 0, gid: 0, target: '/etc/hostname' },
    { name: 'remote-link', type: 'symlink', perm: 0o777, uid: 0, gid: 0, target: 'y'.repeat(1000) },
  ]);
}

/** The prototype file's lines for `node` (mkfs.xfs(8) "-p"), writing file contents into `dir`. */
async function proto(node: Node, dir: string, counter: { n: number }): Promise<string[]> {
  const special = `${node.perm & 0o4000 ? 'u' : '-'}${node.perm & 0o2000 ? 'g' : '-'}${(node.perm & 0o777).toString(8).padStart(3, '0')}`;
  const head = `${node.name} ${TYPE_CHAR[node.type]}${special} ${node.uid} ${node.gid}`;
  switch (node.type) {
    case 'file': {
      const source = join(dir, `src-${counter.n++}`);
      await writeFile(source, node.content!);
      return [`${head} ${source}`];
    }
    case 'symlink': return [`${head} ${node.target}`];
    case 'chardev': return [`${head} 1 3`];
    case 'blockdev': return [`${head} 7 0`];
    case 'fifo': return [head];
    default: {
      const lines = node.name === '' ? [head.trimStart()] : [head];
      for (const child of node.children!) lines.push(...await proto(child, dir, counter));
      lines.push('$');
      return lines;
    }
  }
}

function expected(node: Node, path = ''): ExpectedEntry[] {
  const out: ExpectedEntry[] = [];
  for (const child of node.children ?? []) {
    const childPath = `${path}/${child.name}`;
    const entry: ExpectedEntry = {
      path: childPath, type: child.type, mode: TYPE_BITS[child.type] | child.perm, uid: child.uid, gid: child.gid,
      size: child.type === 'dir' ? null : child.type === 'file' ? child.content!.length : child.type === 'symlink' ? child.target!.length : 0,
    };
    if (child.type === 'file') entry.sha256 = createHash('sha256').update(child.content!).digest('hex');
    if (child.type === 'symlink') entry.target = child.target;
    out.push(entry, ...expected(child, childPath));
  }
  return out;
}

describe('XFS reader on a v4 file system made by mkfs.xfs -p', { skip: xfsSkip() }, () => {
  const dir = scratchDir('vmarket-xfs-v4-');
  const root = tree();
  let image: string;

  before(async () => {
    const lines = ['/dev/null', '0 0', ...await proto(root, dir(), { n: 0 })];
    await writeFile(join(dir(), 'proto'), `${lines.join('\n')}\n`);
    image = join(dir(), 'v4.img');
    await writeFile(image, '');
    await truncate(image, 300 * 1024 * 1024);
    await run('mkfs.xfs', ['-q', '-f', '-m', 'crc=0', '-n', 'ftype=0', '-p', join(dir(), 'proto'), image]);
  });

  it('lists, stats and streams what mkfs.xfs wrote', async () => {
    const fs = await openXfs(bufferReader(await readFile(image)));
    assert.equal(fs.superblock.version, 4);
    assert.equal(fs.superblock.ftype, false);
    assert.notEqual(await forkFormat(image, (await fs.stat('/many'))!.inode), 'local', 'the big directory is not short form');
    assert.equal(await forkFormat(image, (await fs.lstat('/remote-link'))!.inode), 'extents', 'a remote symlink');
    const want = expected(root).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    assert.deepEqual(await readerListing(fs), want);
  });
});
