/**
 * The vulnerability database on disk (`<dataDir>/vulndb/`): one generation directory per sync
 * holding a compact index per ecosystem (`Debian:12` → package name → vulnerabilities), and
 * `current.json` naming the generation in use with its metadata. A sync writes a new generation
 * and then replaces `current.json` by a rename, so readers see the old database or the new one,
 * never half of one; a failed sync leaves the old one in use.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { VmarketError } from '../errors.ts';
import type { IndexedVulnerability } from './osv.ts';

export const VULNDB_FORMAT = 1;
const CURRENT = 'current.json';

export interface VulnDbMeta {
  format: typeof VULNDB_FORMAT;
  /** Where the archives came from: the URL prefix or the directory given to `vulndb sync`. */
  source: string;
  syncedAt: string;
  generation: string;
  /** Per OSV archive (`Debian`, `Ubuntu`, `Rocky Linux` …): how many entries it held. */
  archives: Record<string, { entries: number }>;
  /** Per ecosystem (`Debian:12`, `Ubuntu:22.04:LTS` …): its index file, packages and vulnerability records. */
  ecosystems: Record<string, { file: string; packages: number; vulnerabilities: number }>;
}

export interface EcosystemIndex {
  ecosystem: string;
  packages: Record<string, IndexedVulnerability[]>;
}

/** The database in use, or null when none was synced (or `current.json` is unreadable: then there is none either). */
export async function readVulnDbMeta(directory: string): Promise<VulnDbMeta | null> {
  let text: string;
  try {
    text = await readFile(path.join(directory, CURRENT), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new VmarketError('FILE_UNREADABLE', `the vulnerability database ${directory} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  const meta = JSON.parse(text) as VulnDbMeta;
  if (meta?.format !== VULNDB_FORMAT || typeof meta.generation !== 'string' || !/^[\w.-]+$/.test(meta.generation)) {
    throw new VmarketError('FILE_UNREADABLE', `the vulnerability database ${directory} has an unknown format: run \`vmarket vulndb sync\` again`);
  }
  return meta;
}

/** One ecosystem's index from the database in use; null when the database does not hold that ecosystem. */
export async function loadEcosystemIndex(directory: string, meta: VulnDbMeta, ecosystem: string): Promise<EcosystemIndex | null> {
  const entry = meta.ecosystems[ecosystem];
  if (!entry || !/^[\w.-]+$/.test(entry.file)) return null;
  return JSON.parse(await readFile(path.join(directory, meta.generation, entry.file), 'utf8')) as EcosystemIndex;
}

/** A file name for an ecosystem's index: its characters kept where safe, numbered so two never collide. */
function fileName(ecosystem: string, n: number): string {
  return `${String(n).padStart(3, '0')}-${ecosystem.replace(/[^A-Za-z0-9.]+/g, '_')}.json`;
}

/**
 * Writes a new generation with these indexes and makes it the one in use; older generations are
 * removed afterwards. Nothing of the database in use changes until the final rename.
 */
export async function writeVulnDb(
  directory: string,
  indexes: Map<string, Map<string, IndexedVulnerability[]>>,
  meta: Omit<VulnDbMeta, 'format' | 'generation' | 'ecosystems'>,
): Promise<VulnDbMeta> {
  await mkdir(directory, { recursive: true });
  const generation = `g-${meta.syncedAt.replace(/[^0-9]/g, '').slice(0, 14)}-${randomBytes(4).toString('hex')}`;
  const dir = path.join(directory, generation);
  await mkdir(dir);
  try {
    const ecosystems: VulnDbMeta['ecosystems'] = {};
    let n = 0;
    for (const [ecosystem, packages] of [...indexes].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const file = fileName(ecosystem, n++);
      const index: EcosystemIndex = { ecosystem, packages: Object.fromEntries(packages) };
      await writeFile(path.join(dir, file), JSON.stringify(index));
      ecosystems[ecosystem] = { file, packages: packages.size, vulnerabilities: [...packages.values()].reduce((sum, list) => sum + list.length, 0) };
    }
    const full: VulnDbMeta = { format: VULNDB_FORMAT, ...meta, generation, ecosystems };
    const temp = path.join(directory, `${CURRENT}.${generation}.tmp`);
    await writeFile(temp, `${JSON.stringify(full, null, 2)}\n`);
    await rename(temp, path.join(directory, CURRENT));
    // a reader that opened the old current.json a moment ago may still read its generation: removing it is best effort
    for (const name of await readdir(directory)) {
      if (name !== generation && /^g-[\w-]+$/.test(name)) await rm(path.join(directory, name), { recursive: true, force: true }).catch(() => undefined);
    }
    return full;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The database directory of a configuration: `certification.vulnerabilities.directory`, else `<dataDir>/vulndb`. */
export function vulnDbDirectory(config: { dataDir: string; certification: { vulnerabilities: { directory?: string } } }): string {
  return path.resolve(config.certification.vulnerabilities.directory ?? path.join(config.dataDir, 'vulndb'));
}

/** Whole days from `syncedAt` to `now`. */
export function ageDays(meta: Pick<VulnDbMeta, 'syncedAt'>, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - Date.parse(meta.syncedAt)) / 86_400_000));
}
