/**
 * Test fixtures for the ext reader: images built from a declarative spec with
 * `mkfs.ext2|3|4 -d STAGING`, post-processed with `debugfs -w` (fragmentation, unwritten extents),
 * and the expected listing taken from debugfs itself (`ls -p` for type, mode, owner and size;
 * `rdump` for contents and symlink targets). Images and listings are cached under os.tmpdir(),
 * keyed by a hash of the spec, so only the first run pays for building them.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, readdir, readFile, readlink, rename, rm, symlink, truncate, writeFile, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ImageSpec {
  mkfs: 'ext2' | 'ext3' | 'ext4';
  options: string[];
  sizeMiB: number;
  /** A file of this many MiB at /data/big.bin. */
  bigFileMiB?: number;
  /** A directory /many with this many entries. */
  manyEntries?: number;
  /** Fill files of one block each; every other one is removed and /frag written into the gaps. */
  fragmentBlocks?: number;
  /** Mark a block of /unwritten as an unwritten extent (ext4 only). */
  unwritten?: boolean;
  /** Index large directories into htrees with `e2fsck -fyD` (mkfs -d writes linear ones). */
  htree?: boolean;
}

export interface ExpectedEntry {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  /** Not compared for directories (debugfs `ls -p` does not print it). */
  size: number | null;
  sha256?: string;
  target?: string;
}

export interface BuiltImage {
  path: string;
  expected: ExpectedEntry[];
  blockSize: number;
}

const FIXTURE_VERSION = 4;
const CACHE = join(tmpdir(), 'vmarket-ext4-fixtures');

export function toolsAvailable(): boolean {
  return ['/sbin/mkfs.ext4', '/usr/sbin/mkfs.ext4'].some(existsSync) && ['/sbin/debugfs', '/usr/sbin/debugfs'].some(existsSync) &&
    process.getuid?.() === 0;
}

export async function buildImage(spec: ImageSpec): Promise<BuiltImage> {
  const key = createHash('sha256').update(JSON.stringify({ FIXTURE_VERSION, spec })).digest('hex').slice(0, 16);
  const dir = join(CACHE, key);
  const imagePath = join(dir, 'image.img');
  const expectedPath = join(dir, 'expected.json');
  if (existsSync(expectedPath)) {
    const saved = JSON.parse(await readFile(expectedPath, 'utf8')) as { expected: ExpectedEntry[]; blockSize: number };
    return { path: imagePath, ...saved };
  }
  const work = join(CACHE, `${key}.work-${process.pid}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const staging = join(work, 'staging');
  await populate(staging, spec);
  const image = join(work, 'image.img');
  await run(`mkfs.${spec.mkfs}`, ['-q', '-F', '-d', staging, ...spec.options, image, `${spec.sizeMiB}M`]);
  const blockSize = Number(/Block size:\s+(\d+)/.exec((await run('dumpe2fs', ['-h', image])).stdout)?.[1]);
  await postProcess(work, image, spec, blockSize);
  const expected = await debugfsListing(work, image);
  await rm(staging, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await rename(image, imagePath);
  await writeFile(expectedPath, JSON.stringify({ expected, blockSize }));
  await rm(work, { recursive: true, force: true });
  return { path: imagePath, expected, blockSize };
}

/** Runs debugfs commands from a file and returns its output. */
export async function debugfs(image: string, commands: string[], write = false): Promise<string> {
  const file = join(CACHE, `cmds-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(CACHE, { recursive: true });
  await writeFile(file, `${commands.join('\n')}\n`);
  try {
    const { stdout } = await run('debugfs', [...(write ? ['-w'] : []), '-f', file, image], { maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } finally {
    await rm(file, { force: true });
  }
}

async function populate(root: string, spec: ImageSpec): Promise<void> {
  const put = async (path: string, content: string | Buffer, mode = 0o644, uid = 0, gid = 0) => {
    const full = join(root, path);
    await mkdir(join(full, '..'), { recursive: true });
    await writeFile(full, content);
    await chown(full, uid, gid); // before chmod: chown clears set-user-ID bits
    await chmod(full, mode);
  };
  await mkdir(root, { recursive: true });
  await put('etc/hostname', 'guest\n');
  await put('etc/ssh/sshd_config', 'PermitRootLogin no\nPasswordAuthentication no\n'.repeat(40), 0o600);
  await put('etc/shadow', 'root:*:19000:0:99999:7:::\n', 0o640, 0, 42);
  await put('home/alice/.ssh/id_ed25519', randomBytes(400), 0o600, 1000, 1000);
  await put('home/bob/notes.txt', 'hi bob', 0o644, 70000, 65600);
  await put('usr/bin/setuid-tool', randomBytes(5000), 0o4755);
  await put('srv/with space/café.txt', 'utf-8 name\n');
  await put('srv/exact-60', 'x'.repeat(60));
  await put('srv/inline-120', 'y'.repeat(120));
  await put('srv/empty', '');
  // Deep paths: 40 levels.
  const deep = Array.from({ length: 40 }, (_, i) => `level${i}`).join('/');
  await put(`deep/${deep}/leaf.txt`, 'the bottom\n');
  // Symlinks: fast (< 60 bytes), slow (>= 60 bytes), absolute, relative, above the root, loops.
  const links: Array<[string, string]> = [
    ['links/abs', '/etc/hostname'],
    ['links/rel', '../etc/ssh/sshd_config'],
    ['links/above-root', '../../../../../../etc/hostname'],
    ['links/dir', '/deep/level0/level1'],
    ['links/slow', `/deep/${deep}/leaf.txt`],
    ['links/chain1', 'chain2'],
    ['links/chain2', '/links/abs'],
    ['links/loop-a', 'loop-b'],
    ['links/loop-b', 'loop-a'],
    ['links/self', 'self'],
    ['links/dangling', '/does/not/exist'],
    ['bin', 'usr/bin'],
    // Exactly 40 hops from hop00 to the file (allowed), 41 from too-many (refused).
    ...Array.from({ length: 40 }, (_, i): [string, string] => [`links/hop${String(i).padStart(2, '0')}`, i === 39 ? '/etc/hostname' : `hop${String(i + 1).padStart(2, '0')}`]),
    ['links/too-many', 'hop00'],
  ];
  for (const [path, target] of links) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await symlink(target, join(root, path));
  }
  // Special files.
  await mkdir(join(root, 'dev'), { recursive: true });
  await run('mknod', ['-m', '0666', join(root, 'dev/null'), 'c', '1', '3']);
  await run('mknod', ['-m', '0660', join(root, 'dev/sda'), 'b', '8', '0']);
  await run('mkfifo', ['-m', '0620', join(root, 'dev/fifo')]);
  await run('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', join(root, 'dev/socket')]).catch(() => undefined);
  // A sparse file: data at 0, a hole, data at 5 MiB, then a trailing hole up to 8 MiB.
  const sparse = join(root, 'data/sparse.bin');
  await mkdir(join(root, 'data'), { recursive: true });
  await writeFile(sparse, randomBytes(4096));
  const handle = await open(sparse, 'r+');
  await handle.write(randomBytes(10000), 0, 10000, 5 * 1024 * 1024);
  await handle.close();
  await truncate(sparse, 8 * 1024 * 1024);
  if (spec.bigFileMiB) {
    const big = await open(join(root, 'data/big.bin'), 'w');
    const block = randomBytes(1024 * 1024);
    for (let i = 0; i < spec.bigFileMiB; i++) {
      block.writeUInt32LE(i, 0); // every MiB differs, so misordered blocks change the hash
      await big.write(block);
    }
    await big.close();
  }
  if (spec.manyEntries) {
    await mkdir(join(root, 'many'), { recursive: true });
    for (let i = 0; i < spec.manyEntries; i++) {
      await writeFile(join(root, 'many', `entry-${String(i).padStart(5, '0')}`), i % 1000 === 0 ? `entry ${i}\n` : '');
    }
  }
  if (spec.fragmentBlocks) {
    await mkdir(join(root, 'fill'), { recursive: true });
    const blockSize = blockSizeOf(spec);
    for (let i = 0; i < spec.fragmentBlocks; i++) {
      await writeFile(join(root, 'fill', `f${String(i).padStart(5, '0')}`), randomBytes(blockSize));
    }
  }
}

function blockSizeOf(spec: ImageSpec): number {
  const at = spec.options.indexOf('-b');
  return at === -1 ? 4096 : Number(spec.options[at + 1]);
}

async function postProcess(work: string, image: string, spec: ImageSpec, blockSize: number): Promise<void> {
  const commands: string[] = [];
  if (spec.fragmentBlocks) {
    for (let i = 1; i < spec.fragmentBlocks; i += 2) commands.push(`rm /fill/f${String(i).padStart(5, '0')}`);
    const frag = join(work, 'frag.bin');
    await writeFile(frag, randomBytes(Math.floor(spec.fragmentBlocks / 2) * blockSize + 123));
    commands.push(`write ${frag} /data/frag.bin`);
  }
  if (spec.unwritten) {
    const host = join(work, 'unwritten.bin');
    await writeFile(host, randomBytes(3 * blockSize));
    commands.push(`write ${host} /data/unwritten.bin`);
  }
  if (commands.length > 0) await debugfs(image, commands, true);
  if (spec.htree) {
    // e2fsck exits 1 when it changed the file system, which is the point here.
    await run('e2fsck', ['-fyD', image]).catch((error: { code?: number }) => {
      if (error.code !== 1) throw error;
    });
  }
  if (spec.unwritten) {
    // Mark logical block 1 unwritten: it must now read as zeros although its block holds data.
    const extents = await debugfs(image, ['ex /data/unwritten.bin']);
    const physical = Number(/\s0 -\s+2\s+(\d+)/.exec(extents)?.[1] ?? /\s1 -\s+1\s+(\d+)/.exec(extents)?.[1]);
    if (!Number.isFinite(physical)) throw new Error(`cannot find the extent of /data/unwritten.bin:\n${extents}`);
    await debugfs(image, ['extent_open /data/unwritten.bin', `set_bmap --uninit 1 ${physical + 1}`, 'extent_close'], true);
  }
}

/** The expected listing of every entry, from debugfs alone. */
async function debugfsListing(work: string, image: string): Promise<ExpectedEntry[]> {
  const dump = join(work, 'rdump');
  await mkdir(dump);
  await run('debugfs', ['-R', `rdump / ${dump}`, image], { maxBuffer: 64 * 1024 * 1024 });
  const dirs: string[] = ['/'];
  const hostOf = (path: string) => join(dump, path);
  for (let i = 0; i < dirs.length; i++) {
    for (const name of await readdir(hostOf(dirs[i]))) {
      const path = `${dirs[i] === '/' ? '' : dirs[i]}/${name}`;
      if ((await lstat(hostOf(path))).isDirectory()) dirs.push(path);
    }
  }
  const output = await debugfs(image, dirs.map((d) => `ls -p "${d}"`));
  const expected: ExpectedEntry[] = [];
  let current = '';
  for (const line of output.split('\n')) {
    const command = /^debugfs: ls -p "(.*)"$/.exec(line);
    if (command) {
      current = command[1] === '/' ? '' : command[1];
      continue;
    }
    // /inode/mode/uid/gid/name/size/ — the name may contain anything but '/'.
    const entry = /^\/(\d+)\/(\d+)\/(\d+)\/(\d+)\/(.*)\/(\d*)\/$/.exec(line);
    if (!entry || entry[5] === '.' || entry[5] === '..' || Number(entry[1]) === 0) continue;
    const path = `${current}/${entry[5]}`;
    const mode = Number.parseInt(entry[2], 8);
    const type = typeOfMode(mode);
    const item: ExpectedEntry = { path, type, mode, uid: Number(entry[3]), gid: Number(entry[4]), size: type === 'dir' ? null : Number(entry[6]) };
    // debugfs 1.47 dumps inline-data files as their whole 60-byte i_block; its own size (from
    // `ls -p`) is authoritative, so only that many bytes of the dump are the content.
    if (type === 'file') item.sha256 = await sha256File(hostOf(path), item.size!);
    if (type === 'symlink') item.target = await readlink(hostOf(path));
    expected.push(item);
  }
  await rm(dump, { recursive: true, force: true });
  return expected.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function typeOfMode(mode: number): string {
  return ({ 0x8000: 'file', 0x4000: 'dir', 0xa000: 'symlink', 0x2000: 'chardev', 0x6000: 'blockdev', 0x1000: 'fifo', 0xc000: 'socket' } as Record<number, string>)[mode & 0xf000] ?? 'unknown';
}

async function sha256File(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  if (size > 0) {
    for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024, end: size - 1 })) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
