/**
 * Path semantics of the ext reader on a real image: symlinks resolve inside the guest root
 * (absolute targets from it, `..` never above it), at most 40 hops, stat follows and lstat does
 * not, readFile is bounded, and wrong uses end in one clear VmarketError.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VmarketError } from '../../../src/errors.ts';
import { openExtFs } from '../../../src/certification/fs/ext4/index.ts';
import type { GuestFs } from '../../../src/certification/fs/types.ts';
import { buildImage, toolsAvailable } from './fixtures.ts';
import { FileRangeReader } from './range-readers.ts';
import { collect } from '../../helpers/streams.ts';

function isCode(code: string) {
  return (error: unknown) => error instanceof VmarketError && error.code === code;
}

describe('ext reader path resolution', { skip: !toolsAvailable() && 'needs root, mkfs.ext4 and debugfs' }, () => {
  let fs: GuestFs;
  let close: () => Promise<void>;
  before(async () => {
    const image = await buildImage({ mkfs: 'ext4', options: ['-O', 'inline_data', '-I', '256'], sizeMiB: 32 });
    const opened = await FileRangeReader.open(image.path);
    close = opened.close;
    fs = await openExtFs(opened.reader);
  });
  after(() => close?.());

  it('follows absolute, relative and chained symlinks to the file', async () => {
    assert.equal((await fs.readFile('/links/abs'))?.toString(), 'guest\n');
    assert.equal(await fs.realpath('/links/abs'), '/etc/hostname');
    assert.equal(await fs.realpath('/links/rel'), '/etc/ssh/sshd_config');
    assert.equal(await fs.realpath('/links/chain1'), '/etc/hostname');
    assert.equal(await fs.realpath('/bin/setuid-tool'), '/usr/bin/setuid-tool');
    assert.equal((await fs.stat('/bin/setuid-tool'))?.mode, 0o104755);
  });

  it('never leaves the guest root through ..', async () => {
    assert.equal(await fs.realpath('/links/above-root'), '/etc/hostname');
    assert.equal(await fs.realpath('/../../../etc/./hostname'), '/etc/hostname');
    assert.equal((await fs.readFile('/../../etc/hostname'))?.toString(), 'guest\n');
  });

  it('resolves .. after a directory symlink against the target', async () => {
    assert.equal(await fs.realpath('/links/dir/level2/..'), '/deep/level0/level1');
    assert.equal(await fs.realpath('/links/dir/..'), '/deep/level0');
  });

  it('reads a slow (60 bytes or more) symlink target', async () => {
    const target = await fs.readlink('/links/slow');
    assert.ok(target.length > 60);
    assert.equal((await fs.readFile('/links/slow'))?.toString(), 'the bottom\n');
  });

  it('allows exactly 40 hops and refuses the 41st with an ELOOP-like error', async () => {
    assert.equal(await fs.realpath('/links/hop00'), '/etc/hostname');
    await assert.rejects(fs.stat('/links/too-many'), (error: unknown) =>
      isCode('FILE_UNREADABLE')(error) && /too many levels of symbolic links/.test((error as Error).message));
    await assert.rejects(fs.stat('/links/loop-a'), isCode('FILE_UNREADABLE'));
    await assert.rejects(fs.readFile('/links/self'), isCode('FILE_UNREADABLE'));
    assert.equal((await fs.lstat('/links/loop-a'))?.type, 'symlink');
  });

  it('stat follows, lstat does not, and dangling links are absent', async () => {
    assert.equal((await fs.stat('/links/abs'))?.type, 'file');
    assert.equal((await fs.lstat('/links/abs'))?.type, 'symlink');
    assert.equal(await fs.stat('/links/dangling'), null);
    assert.equal((await fs.lstat('/links/dangling'))?.type, 'symlink');
    assert.equal(await fs.realpath('/links/dangling'), null);
    assert.equal(await fs.stat('/etc/hostname/below-a-file'), null);
    assert.equal(await fs.readFile('/nope'), null);
  });

  it('reads at most maxBytes and streams exactly i_size bytes', async () => {
    assert.equal((await fs.readFile('/etc/ssh/sshd_config', 10))?.toString(), 'PermitRoot');
    assert.equal((await fs.readFile('/etc/ssh/sshd_config'))?.length, 1800);
    const sparse = await collect(fs.stream('/data/sparse.bin', 300_000));
    assert.equal(sparse.length, (await fs.stat('/data/sparse.bin'))?.size);
    assert.equal((await fs.readFile('/srv/inline-120'))?.toString(), 'y'.repeat(120));
    assert.equal((await fs.readFile('/srv/empty'))?.length, 0);
  });

  it('lists directories with entry types and without . and ..', async () => {
    const names = (await fs.readdir('/dev')).map((e) => `${e.name}:${e.type}`).sort();
    assert.deepEqual(names, ['fifo:fifo', 'null:chardev', 'sda:blockdev', 'socket:socket']);
    assert.deepEqual((await fs.readdir('/links/dir')).map((e) => e.name), ['level2']);
  });

  it('walks below a root without following symlinks', async () => {
    const paths: string[] = [];
    for await (const entry of fs.walk('/links')) paths.push(entry.path);
    assert.ok(paths.includes('/links/dir'));
    assert.ok(!paths.some((p) => p.startsWith('/links/dir/')));
    assert.ok(!paths.includes('/links'));
  });

  it('refuses wrong uses with one clear error', async () => {
    await assert.rejects(fs.readdir('/nope'), isCode('NOT_FOUND'));
    await assert.rejects(fs.readdir('/etc/hostname'), isCode('FILE_UNREADABLE'));
    await assert.rejects(fs.readlink('/etc/hostname'), isCode('FILE_UNREADABLE'));
    await assert.rejects(collect(fs.stream('/etc')), isCode('FILE_UNREADABLE'));
    await assert.rejects(collect(fs.stream('/dev/null')), isCode('FILE_UNREADABLE'));
    await assert.rejects(collect(fs.stream('/missing')), isCode('NOT_FOUND'));
  });
});
