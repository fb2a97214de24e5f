/**
 * A real Debian root (mmdebstrap, test/fixtures/debian-root.ts) as a MemoryFs tree for the
 * package tests: every directory and symlink (so the usr-merge resolves as on the disk), the dpkg
 * database and /etc with their real bytes, and the real files of a few chosen packages. Loading
 * all 500 MB of the root would be slow; the ownership index needs the directories only.
 */
import { execFile } from 'node:child_process';
import { lstat, mkdtemp, readdir, readFile, readlink, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { promisify } from 'node:util';
import type { MemoryFile } from '../memory-fs.ts';

export const run = promisify(execFile);

/** The cloud image's packages, the fixture's own: the same options share one cached build. */
export { CLOUD_DEBIAN } from '../../fixtures/debian-root.ts';

/** /etc/os-release is a link to /usr/lib/os-release: without it no root is found. */
/**
 * A temp dir that the caller's own `before` makes (`make()`), removed after the file. Not
 * scratchDir: its `before` is not guaranteed to run before another top-level `before`, and an
 * empty dir name would extract a whole root into the working directory.
 */
export function rootScratch(label: string): { make(): Promise<string> } {
  let dir = '';
  after(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));
  return {
    async make() {
      dir = await mkdtemp(join(tmpdir(), label));
      return dir;
    },
  };
}

const ALWAYS_LOADED = ['/var/lib/dpkg/', '/etc/', '/usr/lib/os-release'];

/** The canonical guest paths of the files `packages` list (their directories resolved on the host, inside `dir`). */
async function packageFilePaths(dir: string, packages: string[]): Promise<Set<string>> {
  const paths = new Set<string>();
  // the temp dir may itself be reached through a symlink
  const base = await realpath(dir);
  for (const pkg of packages) {
    const list = await readFile(join(dir, 'var/lib/dpkg/info', `${pkg}.list`), 'utf8').catch(() => readFile(join(dir, 'var/lib/dpkg/info', `${pkg}:amd64.list`), 'utf8'));
    for (const listed of list.split('\n').filter((p) => p.startsWith('/'))) {
      const realDir = await realpath(join(dir, dirname(listed))).catch(() => null);
      if (realDir?.startsWith(base)) paths.add(`${realDir.slice(base.length)}/${listed.slice(listed.lastIndexOf('/') + 1)}`);
    }
  }
  return paths;
}

export async function memoryTreeOf(dir: string, packages: string[]): Promise<MemoryFile[]> {
  const wanted = await packageFilePaths(dir, packages);
  const files: MemoryFile[] = [];
  const visit = async (guest: string): Promise<void> => {
    for (const entry of await readdir(join(dir, guest), { withFileTypes: true })) {
      const path = `${guest === '/' ? '' : guest}/${entry.name}`;
      const host = join(dir, path);
      if (entry.isDirectory()) {
        const stat = await lstat(host);
        files.push({ path, type: 'dir', mode: stat.mode & 0o7777, uid: stat.uid });
        await visit(path);
      } else if (entry.isSymbolicLink()) files.push({ path, type: 'symlink', target: await readlink(host) });
      else if (entry.isFile() && (wanted.has(path) || ALWAYS_LOADED.some((p) => path.startsWith(p)))) {
        const stat = await lstat(host);
        files.push({ path, type: 'file', content: await readFile(host), mode: stat.mode & 0o7777, uid: stat.uid });
      }
    }
  };
  await visit('/');
  return files;
}
