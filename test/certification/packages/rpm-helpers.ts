/** Shared pieces of the rpm reader's tests: what real rpm says is installed, and guest trees holding a database. */
import type { InstalledPackage } from '../../../src/certification/packages/types.ts';
import { type MemoryFile, MemoryFs } from '../memory-fs.ts';
import { rpmDump, rpmQueryAll } from '../../fixtures/rpm.ts';

const DIGEST_BY_LENGTH: Record<number, 'md5' | 'sha256'> = { 32: 'md5', 64: 'sha256' };

/** The packages as `rpm -qa --qf` and `rpm -q --dump` print them, in the reader's shape, sorted by name. */
export async function packagesByRpm(root: string): Promise<InstalledPackage[]> {
  const packages: InstalledPackage[] = [];
  for (const line of await rpmQueryAll(root)) {
    const [name, , epoch, version, release, arch, sourceRpm] = line.split('\t');
    if (name === 'gpg-pubkey') continue;
    const files = (await rpmDump(root, name)).map((file) => {
      const regular = (file.mode & 0o170000) === 0o100000;
      // rpm --dump prints zeros where the database keeps no digest (directories, symlinks, %ghost)
      const digest = regular && !/^0+$/.test(file.digest) ? { algorithm: DIGEST_BY_LENGTH[file.digest.length], hex: file.digest } : null;
      return { path: file.path, digest, config: file.config };
    });
    packages.push({
      manager: 'rpm',
      name,
      version: `${epoch === '(none)' ? '' : `${epoch}:`}${version}-${release}`,
      architecture: arch,
      sourcePackage: sourceRpm.replace(/-[^-]+-[^-]+\.src\.rpm$/, ''),
      // the source RPM's version-release, with the binary's epoch (the file name carries none)
      sourceVersion: `${epoch === '(none)' ? '' : `${epoch}:`}${/-([^-]+-[^-]+)\.src\.rpm$/.exec(sourceRpm)![1]}`,
      files,
    });
  }
  return sortPackages(packages);
}

/** Packages by name, each one's files by path (rpm --dump sorts by path; headers keep their own order). */
export function sortPackages(packages: InstalledPackage[]): InstalledPackage[] {
  return packages
    .map((p) => ({ ...p, files: [...p.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A guest holding `bytes` at `path` (and the usual directories). */
export function guestWith(files: { path: string; bytes: Buffer }[], extra: MemoryFile[] = []): MemoryFs {
  return new MemoryFs([{ path: '/etc/os-release', content: 'ID=rhel\n' }, ...files.map((f) => ({ path: f.path, content: f.bytes })), ...extra]);
}
