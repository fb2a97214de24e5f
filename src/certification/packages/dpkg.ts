/**
 * The dpkg database read straight from the guest's files (no dpkg run): `/var/lib/dpkg/status`
 * for the installed packages and their conffiles, `info/<pkg>[:<arch>].list` for the files each
 * installed, `info/<pkg>[:<arch>].md5sums` for their checksums, and `diversions` for files a
 * package moved aside. Every file is capped in size and the packages and files in number: the
 * database is the publisher's bytes.
 */
import { type CertificationLimits, DEFAULT_CERTIFICATION_LIMITS } from '../../config/schema.ts';
import { errorText, VmarketError } from '../../errors.ts';
import { type Localized, say } from '../../i18n/localized.ts';
import type { GuestFs } from '../fs/types.ts';
import { readBounded } from './read.ts';
import { badLine, fileUnreadable, listMissing, moreProblems, oddDiversions, tooManyFiles, tooManyPackages } from './texts.ts';
import type { InstalledPackage, PackageDatabase, PackageFileRecord } from './types.ts';

export const DPKG_DIR = '/var/lib/dpkg';
export const DPKG_STATUS = `${DPKG_DIR}/status`;
const DPKG_INFO = `${DPKG_DIR}/info`;
const DPKG_DIVERSIONS = `${DPKG_DIR}/diversions`;

/** A real status is 1–5 MB (a desktop with 3,000 packages: ~10 MB); more than this is not a status file. */
export const DPKG_STATUS_LIMIT = 64 * 1024 * 1024;
/** The largest real lists are a few MB (linux-image: ~6,000 files, ~500 KB). */
const INFO_FILE_LIMIT = 32 * 1024 * 1024;
const DIVERSIONS_LIMIT = 4 * 1024 * 1024;
/** A real system has a few thousand packages. */
export const MAX_PACKAGES = 100_000;
/** Problems reported one by one; past this, one sentence says how many more there were. */
const MAX_PROBLEMS = 50;

/** The states in which a package's files are on disk and configured: what `dpkg -l` shows as installed. */
const INSTALLED_STATES = new Set(['installed', 'triggers-awaited', 'triggers-pending']);

/** One stanza of the status file, the fields this reader uses. */
export interface DpkgStanza {
  package: string;
  status: string;
  version: string;
  architecture: string;
  source?: string;
  /** The source's version when `Source:` names one in parentheses (a binNMU, or a binary versioned apart from its source). */
  sourceVersion?: string;
  /** `Conffiles:` lines: path → md5 (`newconffile` and obsolete ones have none). */
  conffiles: Map<string, string | null>;
}

/**
 * The stanzas of a status file, in file order. Fields are `Name: value` with continuation lines
 * starting with a space or tab; stanzas are separated by empty lines. Written as a line loop, not
 * regular expressions over the whole text, so a crafted status costs linear time.
 */
export function parseDpkgStanzas(text: string, file = DPKG_STATUS): DpkgStanza[] {
  const stanzas: DpkgStanza[] = [];
  let fields = new Map<string, string>();
  let current: string | null = null;
  const finish = () => {
    const name = fields.get('package');
    if (name) {
      if (stanzas.length >= MAX_PACKAGES) throw new VmarketError('IMAGE_CORRUPT', say(tooManyPackages, file, MAX_PACKAGES));
      stanzas.push(stanzaOf(name, fields));
    }
    fields = new Map();
    current = null;
  };
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
    if (line.trim() === '') {
      finish();
      continue;
    }
    if (line[0] === ' ' || line[0] === '\t') {
      // a continuation: only Conffiles' lines are kept (descriptions are long and unused)
      if (current === 'conffiles') fields.set(current, `${fields.get(current)}\n${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    current = line.slice(0, colon).trim().toLowerCase();
    fields.set(current, line.slice(colon + 1).trim());
  }
  finish();
  return stanzas;
}

function stanzaOf(name: string, fields: Map<string, string>): DpkgStanza {
  const conffiles = new Map<string, string | null>();
  for (const line of (fields.get('conffiles') ?? '').split('\n')) {
    const [path, md5] = line.trim().split(/\s+/);
    if (path?.startsWith('/')) conffiles.set(path, md5 && /^[0-9a-f]{32}$/.test(md5) ? md5 : null);
  }
  // `Source: name (version)` when the binary's version differs from the source's
  const sourceField = fields.get('source')?.split(/\s+/) ?? [];
  const source = sourceField[0];
  const sourceVersion = /^\((.+)\)$/.exec(sourceField[1] ?? '')?.[1];
  return {
    package: name,
    status: fields.get('status') ?? '',
    version: fields.get('version') ?? '',
    architecture: fields.get('architecture') ?? '',
    ...(source ? { source } : {}),
    ...(sourceVersion ? { sourceVersion } : {}),
    conffiles,
  };
}

/** Whether a stanza's `Status:` (`want flag state`) says the package is installed. */
export function isInstalled(stanza: DpkgStanza): boolean {
  const [, flag, state] = stanza.status.split(/\s+/);
  return flag === 'ok' && INSTALLED_STATES.has(state ?? '');
}

/** Package names whose stanza says they are installed (what the checks ask: is cloud-init installed?). */
export function parseDpkgStatus(text: string): Set<string> {
  return new Set(parseDpkgStanzas(text).filter(isInstalled).map((s) => s.package));
}

/** `from` → where the file really is and which package moved it (`:` for the administrator). */
interface Diversion {
  to: string;
  by: string;
}

/** The diversions file: three lines per diversion (from, to, diverting package). */
export function parseDiversions(text: string, problems: Localized[]): Map<string, Diversion> {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length % 3 !== 0) problems.push(say(oddDiversions, DPKG_DIVERSIONS));
  const diversions = new Map<string, Diversion>();
  for (let i = 0; i + 2 < lines.length; i += 3) diversions.set(lines[i], { to: lines[i + 1], by: lines[i + 2] });
  return diversions;
}

const unreadable = (file: string, error: unknown): Localized => say(fileUnreadable, file, errorText(error));

/** A small file of the database, or null when absent (an error when present but unreadable). */
async function readOptional(fs: GuestFs, file: string, limit: number): Promise<string | null> {
  const stat = await fs.stat(file);
  if (!stat || stat.type !== 'file') return null;
  return (await readBounded(fs, file, limit)).toString('utf8');
}

/** `<md5>  <path>` lines (path without its leading slash) → absolute path → md5. */
export function parseMd5sums(text: string, file: string, problems: Localized[]): Map<string, string> {
  const sums = new Map<string, string>();
  let bad = 0;
  let number = 0;
  for (const line of text.split('\n')) {
    number++;
    if (line === '') continue;
    const md5 = line.slice(0, 32).toLowerCase();
    const rest = line.slice(32);
    if (!/^[0-9a-f]{32}$/.test(md5) || !/^ {1,2}\S/.test(rest)) {
      if (bad++ === 0) problems.push(say(badLine, file, number));
      continue;
    }
    const path = rest.replace(/^ {1,2}/, '');
    sums.set(path.startsWith('/') ? path : `/${path}`, md5);
  }
  return sums;
}

/** Counts the files of all packages against `limits.packageFiles`. */
class FileBudget {
  left: number;
  exceeded = false;
  constructor(limit: number) {
    this.left = limit;
  }
  take(n: number): number {
    const granted = Math.min(n, this.left);
    this.left -= granted;
    if (granted < n) this.exceeded = true;
    return granted;
  }
}

/** The info file of a package: `<pkg>:<arch>.<ext>` for Multi-Arch: same packages, else `<pkg>.<ext>`. */
async function infoFile(fs: GuestFs, stanza: DpkgStanza, ext: string, limit: number): Promise<{ file: string; text: string } | null> {
  const names = [`${stanza.package}:${stanza.architecture}`, stanza.package];
  for (const name of names) {
    // package names are [a-z0-9.+-]; anything else would make a path outside info/
    if (!/^[A-Za-z0-9.+:-]+$/.test(name) || name.includes('..')) return null;
    const file = `${DPKG_INFO}/${name}.${ext}`;
    const text = await readOptional(fs, file, limit);
    if (text !== null) return { file, text };
  }
  return null;
}

/** The files one package installed: its list, with md5s from md5sums and Conffiles, and diversions applied. */
async function packageFiles(fs: GuestFs, stanza: DpkgStanza, diversions: Map<string, Diversion>, budget: FileBudget, problems: Localized[]): Promise<PackageFileRecord[]> {
  const list = await infoFile(fs, stanza, 'list', INFO_FILE_LIMIT);
  if (!list) {
    problems.push(say(listMissing, stanza.package, DPKG_INFO));
    return [];
  }
  let sums = new Map<string, string>();
  try {
    const md5sums = await infoFile(fs, stanza, 'md5sums', INFO_FILE_LIMIT);
    if (md5sums) sums = parseMd5sums(md5sums.text, md5sums.file, problems);
  } catch (error) {
    problems.push(unreadable(`${DPKG_INFO}/${stanza.package}.md5sums`, error));
  }
  const paths = list.text.split('\n').filter((p) => p.startsWith('/') && p !== '/.');
  const records: PackageFileRecord[] = [];
  for (const listed of paths.slice(0, budget.take(paths.length))) {
    const conffile = stanza.conffiles.get(listed);
    const md5 = conffile ?? sums.get(listed) ?? null;
    // another package's (or the administrator's) diversion moved this package's file aside
    const diversion = diversions.get(listed);
    const path = diversion && diversion.by !== stanza.package ? diversion.to : listed;
    records.push({ path, digest: md5 ? { algorithm: 'md5', hex: md5 } : null, config: conffile !== undefined });
  }
  return records;
}

/**
 * The guest's dpkg database, or null when it has none (no `/var/lib/dpkg/status`). A status that
 * cannot be read (or is over 64 MiB, or lists over 100,000 packages) is an IMAGE_CORRUPT
 * VmarketError; a missing or broken list, md5sums or diversions file is one of `problems`, and
 * the packages are still returned.
 */
export async function readDpkgDatabase(fs: GuestFs, limits: CertificationLimits = DEFAULT_CERTIFICATION_LIMITS): Promise<PackageDatabase | null> {
  const status = await readOptional(fs, DPKG_STATUS, DPKG_STATUS_LIMIT);
  if (status === null) return null;
  const problems: Localized[] = [];
  let diversions = new Map<string, Diversion>();
  try {
    const text = await readOptional(fs, DPKG_DIVERSIONS, DIVERSIONS_LIMIT);
    if (text) diversions = parseDiversions(text, problems);
  } catch (error) {
    problems.push(unreadable(DPKG_DIVERSIONS, error));
  }
  const budget = new FileBudget(limits.packageFiles);
  const packages: InstalledPackage[] = [];
  for (const stanza of parseDpkgStanzas(status).filter(isInstalled)) {
    let files: PackageFileRecord[] = [];
    try {
      files = await packageFiles(fs, stanza, diversions, budget, problems);
    } catch (error) {
      problems.push(unreadable(`${DPKG_INFO}/${stanza.package}.list`, error));
    }
    packages.push({
      manager: 'dpkg',
      name: stanza.package,
      version: stanza.version,
      architecture: stanza.architecture,
      sourcePackage: stanza.source ?? stanza.package,
      sourceVersion: stanza.sourceVersion ?? stanza.version,
      files,
    });
  }
  if (budget.exceeded) problems.push(say(tooManyFiles, DPKG_DIR, limits.packageFiles));
  if (problems.length > MAX_PROBLEMS) problems.splice(MAX_PROBLEMS, problems.length - MAX_PROBLEMS, say(moreProblems, problems.length - MAX_PROBLEMS));
  return { manager: 'dpkg', path: DPKG_DIR, format: 'dpkg', packages, problems };
}
