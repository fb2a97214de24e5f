/**
 * Which package installed a file, by the path the walk of the guest sees: an index built from
 * any number of package databases (dpkg, rpm), so the malware pass can tell a distribution's own
 * unmodified files from what a publisher left behind.
 *
 * The databases name files as the package shipped them, the walk names them as they are on the
 * disk, and the usr-merge makes the two differ: Debian 12's lists say `/lib/x86_64-linux-gnu/…`
 * where the walk sees `/usr/lib/x86_64-linux-gnu/…` (`/lib` is a symlink to `usr/lib`), and newer
 * packages list `/usr/bin/…` on systems where `/bin` still is a directory. Each listed path's
 * directory is resolved through the guest's symlinks (once per directory) before it is indexed.
 */
import type { GuestFs } from '../fs/types.ts';
import type { FileDigest, PackageDatabase, PackageManager } from './types.ts';

export interface OwnedFile {
  package: string;
  manager: PackageManager;
  /** null where the database keeps none (directories, symlinks, files without a checksum). */
  digest: FileDigest | null;
  /** A conffile or %config file: changing it is the administrator's right. */
  config: boolean;
}

export interface OwnedFiles {
  /** The owner of a file by its canonical guest path (as the walk names it). */
  get(path: string): OwnedFile | undefined;
  /** How many paths the index holds. */
  readonly size: number;
  /** The databases it was built from (`/var/lib/dpkg` …), for the reports. */
  readonly databases: readonly PackageDatabase[];
}

function splitPath(path: string): { dir: string; name: string } {
  const slash = path.lastIndexOf('/');
  return { dir: slash <= 0 ? '/' : path.slice(0, slash), name: path.slice(slash + 1) };
}

/**
 * The index of every file of every package of `databases`. Where two packages list one path
 * (directories, identical files of Multi-Arch packages), the first with a checksum owns it.
 */
export async function ownedFilesIndex(fs: GuestFs, databases: readonly PackageDatabase[]): Promise<OwnedFiles> {
  const byPath = new Map<string, OwnedFile>();
  // one realpath per directory: a Debian system lists ~20,000 files in ~3,000 directories
  const resolved = new Map<string, string>();
  const canonicalDir = async (dir: string): Promise<string> => {
    let real = resolved.get(dir);
    if (real === undefined) {
      // a directory that is gone (or unreadable) is indexed as listed: the walk cannot find it either way
      real = (await fs.realpath(dir).catch(() => null)) ?? dir;
      resolved.set(dir, real);
    }
    return real;
  };
  for (const database of databases) {
    for (const pkg of database.packages) {
      for (const file of pkg.files) {
        const { dir, name } = splitPath(file.path);
        if (!name) continue;
        const real = await canonicalDir(dir);
        const key = real === '/' ? `/${name}` : `${real}/${name}`;
        const known = byPath.get(key);
        if (known && (known.digest || !file.digest)) continue;
        byPath.set(key, { package: pkg.name, manager: pkg.manager, digest: file.digest, config: file.config });
      }
    }
  }
  return {
    get: (path) => byPath.get(path),
    get size() {
      return byPath.size;
    },
    databases,
  };
}

/** No package databases: nothing is owned. */
export const NO_OWNED_FILES: OwnedFiles = { get: () => undefined, size: 0, databases: [] };

/**
 * Trees where what a package installed is the publisher's to change and where publishers leave
 * their own files (keys, credentials): a secret there is the publisher's even in an unchanged
 * package file (a package may ship a key the image then serves). Anything under them is judged
 * like a file no package owns.
 */
const PUBLISHER_TREES = ['/root/', '/home/', '/etc/', '/opt/', '/srv/', '/usr/local/'];

export function inPublisherTree(path: string): boolean {
  return PUBLISHER_TREES.some((tree) => path.startsWith(tree));
}
