/**
 * XFS images made by the real mkfs.xfs on a file and populated through a loop mount, with the
 * kernel's view of the tree (walked through the mount with node:fs) as the reference listing.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, readlink, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hasTool } from '../../helpers/tools.ts';
import type { ExpectedEntry } from '../ext4/fixtures.ts';

export const run = promisify(execFile);

/** Why the XFS tests cannot run here, or false. */
export function xfsSkip(): string | false {
  if (!hasTool('mkfs.xfs') || !hasTool('xfs_db') || !hasTool('xfs_io')) return 'needs mkfs.xfs, xfs_db and xfs_io (xfsprogs)';
  if (process.getuid?.() !== 0) return 'needs root to loop-mount XFS images';
  return false;
}

export interface XfsImage {
  path: string;
  /** What the kernel showed through the mount, sorted by path. */
  expected: ExpectedEntry[];
}

/** mkfs.xfs `options` on a `sizeMiB` file, `populate` the mounted tree, return the kernel's listing. */
export async function buildXfs(dir: string, name: string, sizeMiB: number, options: string[], populate: (root: string) => Promise<void>): Promise<XfsImage> {
  const path = join(dir, `${name}.img`);
  const mountPoint = join(dir, `${name}.mnt`);
  await writeFile(path, '');
  await truncate(path, sizeMiB * 1024 * 1024);
  await run('mkfs.xfs', ['-q', '-f', ...options, path]);
  await mkdir(mountPoint);
  // mount -o loop attaches a free loop device (never a fixed one) and detaches it on umount
  await run('mount', ['-o', 'loop', path, mountPoint]);
  try {
    await populate(mountPoint);
    await run('sync');
    const expected = await kernelListing(mountPoint);
    return { path, expected };
  } finally {
    await run('umount', [mountPoint]);
    await rm(mountPoint, { recursive: true, force: true });
  }
}

const TYPE_OF: Array<[number, string]> = [[0o100000, 'file'], [0o040000, 'dir'], [0o120000, 'symlink'], [0o020000, 'chardev'], [0o060000, 'blockdev'], [0o010000, 'fifo'], [0o140000, 'socket']];

async function kernelListing(root: string): Promise<ExpectedEntry[]> {
  const out: ExpectedEntry[] = [];
  const visit = async (dir: string, guest: string): Promise<void> => {
    for (const name of await readdir(dir)) {
      const full = join(dir, name);
      const path = `${guest}/${name}`;
      const st = await lstat(full);
      const type = TYPE_OF.find(([bits]) => (st.mode & 0o170000) === bits)?.[1] ?? 'unknown';
      const entry: ExpectedEntry = { path, type, mode: st.mode, uid: st.uid, gid: st.gid, size: type === 'dir' ? null : st.size };
      if (type === 'file') entry.sha256 = await sha256File(full);
      if (type === 'symlink') entry.target = await readlink(full);
      out.push(entry);
      if (type === 'dir') await visit(full, path);
    }
  };
  await visit(root, '');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** One xfs_db command's output over the image, read-only. */
export async function xfsDb(image: string, ...commands: string[]): Promise<string> {
  const { stdout } = await run('xfs_db', ['-r', ...commands.flatMap((c) => ['-c', c]), image]);
  return stdout;
}

/** Byte position of an inode or a file-system block, as xfs_db converts it. */
export async function bytePosition(image: string, unit: 'inode' | 'fsb', value: number): Promise<number> {
  const match = /\((\d+)\)/.exec(await xfsDb(image, `convert ${unit} ${value} byte`));
  if (!match) throw new Error(`xfs_db could not convert ${unit} ${value}`);
  return Number(match[1]);
}

/** The data fork format (`local`, `extents`, `btree`) of an inode, as xfs_db prints it. */
export async function forkFormat(image: string, inode: number): Promise<string> {
  return /core\.format = \d+ \((\w+)\)/.exec(await xfsDb(image, `inode ${inode}`, 'p core.format'))?.[1] ?? 'unknown';
}

/**
 * The tree every variant holds: small files, short-form and 2,000-entry directories, a
 * fragmented file (a hole every other block: a B+tree extent list), a sparse file, unwritten
 * extents, inline and remote (1000-byte) symlinks, device nodes, a fifo, hard links, odd modes
 * and owners, and a file with extended attributes.
 */
export async function populateTree(root: string, options: { manyEntries: number; fragments: number; blockSize: number }): Promise<void> {
  await run('sh', ['-c', `
    set -e
    cd "${root}"
    mkdir -p etc small sf deep/a/b/c many data
    printf 'PRETTY_NAME="Debian GNU/Linux 12"\\nID=debian\\nVERSION_ID="12"\\n' > etc/os-release
    echo host > etc/hostname
    for i in $(seq 1 200); do head -c $((i * 37)) /dev/urandom > small/f$i; done
    touch sf/a sf/b; mkdir sf/c
    echo deep > deep/a/b/c/leaf
    ln -s /etc/hostname inline-link
    ln -s "$(printf 'x%.0s' $(seq 1 1000))" remote-link
    ln -s ../etc/os-release data/relative-link
    mkfifo data/fifo
    mknod data/null c 1 3
    mknod data/loop0 b 7 0
    ln etc/hostname data/hostname-hardlink
    echo secret > data/odd; chmod 4751 data/odd; chown 1234:5678 data/odd
    chmod 1777 deep
    head -c 3000000 /dev/urandom > data/big.bin
    truncate -s 64M data/sparse.bin; echo tail >> data/sparse.bin
    printf middle | dd of=data/sparse.bin bs=1M seek=20 conv=notrunc status=none
    xfs_io -f -c "falloc 0 1m" -c "pwrite -q 256k 8k" data/unwritten.bin
    xfs_io -f -c "falloc -k 0 2m" data/prealloc-past-eof.bin
    echo with-attrs > data/attrs
    touch -d @4102444800 data/future
    touch -d @-100000 data/past
  `]);
  await run('python3', ['-c', `
import os
os.setxattr("${root}/data/attrs", "user.big", b"v" * 2000)
os.setxattr("${root}/data/attrs", "user.small", b"s")
d = "${root}/many"
for i in range(${options.manyEntries}):
    open(os.path.join(d, "entry-%06d-with-a-longer-name" % i), "w").close()
fd = os.open("${root}/data/frag.bin", os.O_CREAT | os.O_WRONLY)
bs = ${options.blockSize}
for i in range(${options.fragments}):
    os.pwrite(fd, os.urandom(bs), i * 2 * bs)
os.close(fd)
`]);
}
