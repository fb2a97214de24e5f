/**
 * `vmarket vulndb sync`: fetches the OSV ecosystem archives (`<source>/<ecosystem>/all.zip`, the
 * layout of https://osv-vulnerabilities.storage.googleapis.com) or reads them from a directory
 * (`<dir>/<ecosystem>/all.zip`, or the entries' JSON files in `<dir>/<ecosystem>/`), and writes
 * the compact per-ecosystem index of store.ts. Every archive is read before anything is written:
 * one that cannot be fetched or read fails the sync and the database in use stays as it was.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { VmarketError } from '../errors.ts';
import { checkOutboundUrl, loadTrustedCas, redact, requestChecked } from '../security/urls.ts';
import { affectedPackages, type IndexedVulnerability } from './osv.ts';
import { type VulnDbMeta, writeVulnDb } from './store.ts';
import { zipEntries } from './zip.ts';

export const DEFAULT_OSV_SOURCE = 'https://osv-vulnerabilities.storage.googleapis.com';
/** The archives of the distributions vmarket certifies (`--ecosystem` adds others: `Red Hat`, `SUSE`, `openSUSE`, `Alpine` …). */
export const DEFAULT_ECOSYSTEMS = ['Debian', 'Ubuntu', 'AlmaLinux', 'Rocky Linux'];
/** OSV's largest archives are a few hundred MB. */
const MAX_ARCHIVE_BYTES = 2 * 1024 * 1024 * 1024;

export interface SyncOptions {
  /** A URL prefix (http(s)://…) or a directory. */
  source: string;
  ecosystems: string[];
  /** The database directory, `<dataDir>/vulndb`. */
  directory: string;
  /** Allow a source URL on loopback, private or link-local addresses (and plain http there: a local mirror). */
  allowPrivateNetworks?: boolean;
  trustedCaFiles?: readonly string[];
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
  now?: () => Date;
}

const isUrl = (source: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(source);

/** GETs `url` into memory (up to 5 redirects, each hop checked like the imports' URLs), at most MAX_ARCHIVE_BYTES. */
async function download(url: string, options: SyncOptions): Promise<Buffer> {
  const ca = await loadTrustedCas(options.trustedCaFiles ?? []);
  const allowPrivate = options.allowPrivateNetworks ?? false;
  let current = url;
  for (let hop = 0; hop <= 5; hop++) {
    const checked = await checkOutboundUrl(current, { allowPrivateNetworks: allowPrivate, requireHttps: !allowPrivate });
    const res = await requestChecked(checked, { ca, signal: options.signal, timeoutMs: 60_000 });
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.destroy();
      current = new URL(res.headers.location, checked.url).toString();
      continue;
    }
    if (status !== 200) {
      res.destroy();
      throw new VmarketError('UNREACHABLE', `Downloading ${redact(checked.url)} failed with HTTP status ${status}.`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_ARCHIVE_BYTES) throw new VmarketError('DOWNLOAD_TOO_LARGE', `${redact(checked.url)} is larger than ${MAX_ARCHIVE_BYTES} bytes.`);
        chunks.push(chunk);
      }
    } catch (error) {
      res.destroy();
      if (error instanceof VmarketError) throw error;
      throw new VmarketError('UNREACHABLE', `The download of ${redact(checked.url)} broke off.`, { cause: error });
    }
    return Buffer.concat(chunks, size);
  }
  throw new VmarketError('UNREACHABLE', `${url} redirects more than 5 times.`);
}

/** The OSV entries of one archive, as JSON texts with where each came from. */
async function archiveEntries(options: SyncOptions, ecosystem: string): Promise<{ where: string; texts: Iterable<{ name: string; text: () => string }> }> {
  if (isUrl(options.source)) {
    const url = `${options.source.replace(/\/+$/, '')}/${encodeURIComponent(ecosystem)}/all.zip`;
    options.onProgress?.(`${ecosystem}: downloading ${url}`);
    const bytes = await download(url, options);
    return { where: url, texts: zipTexts(bytes, url) };
  }
  const dir = path.join(options.source, ecosystem);
  const zip = path.join(dir, 'all.zip');
  const zipStat = await stat(zip).catch(() => null);
  if (zipStat?.isFile()) {
    options.onProgress?.(`${ecosystem}: reading ${zip}`);
    return { where: zip, texts: zipTexts(await readFile(zip), zip) };
  }
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    throw new VmarketError('FILE_UNREADABLE', `${options.source} holds neither ${ecosystem}/all.zip nor a directory ${ecosystem}/ of OSV JSON files (${error.code ?? error.message}).`);
  });
  const json = names.filter((n) => n.endsWith('.json')).sort();
  if (json.length === 0) throw new VmarketError('FILE_UNREADABLE', `${dir} holds neither all.zip nor OSV JSON files.`);
  options.onProgress?.(`${ecosystem}: reading ${json.length} JSON files in ${dir}`);
  const texts = await Promise.all(json.map(async (name) => ({ name, content: await readFile(path.join(dir, name), 'utf8') })));
  return { where: dir, texts: texts.map(({ name, content }) => ({ name, text: () => content })) };
}

function zipTexts(bytes: Buffer, archive: string): { name: string; text: () => string }[] {
  return zipEntries(bytes, archive)
    .filter((e) => e.name.endsWith('.json'))
    .map((e) => ({ name: e.name, text: () => e.read().toString('utf8') }));
}

/**
 * Syncs the database: every archive fetched and indexed, then written as a new generation.
 * @throws VmarketError USAGE (no ecosystem), FILE_UNREADABLE (a missing or broken archive or
 *   entry), URL_NOT_ALLOWED, UNREACHABLE, DOWNLOAD_TOO_LARGE; the database in use is unchanged.
 */
export async function syncVulnerabilityDatabase(options: SyncOptions): Promise<VulnDbMeta> {
  if (options.ecosystems.length === 0) throw new VmarketError('USAGE', 'name at least one ecosystem.');
  const indexes = new Map<string, Map<string, IndexedVulnerability[]>>();
  const archives: VulnDbMeta['archives'] = {};
  for (const ecosystem of [...new Set(options.ecosystems)]) {
    options.signal?.throwIfAborted();
    const { where, texts } = await archiveEntries(options, ecosystem);
    let entries = 0;
    for (const { name, text } of texts) {
      let entry: unknown;
      try {
        entry = JSON.parse(text());
      } catch (error) {
        if (error instanceof VmarketError) throw error;
        throw new VmarketError('FILE_UNREADABLE', `${where}: ${name} is not JSON (${(error as Error).message}).`, { cause: error });
      }
      entries++;
      for (const { ecosystem: variant, name: pkg, vulnerability } of affectedPackages(entry, ecosystem)) {
        let packages = indexes.get(variant);
        if (!packages) indexes.set(variant, (packages = new Map()));
        const list = packages.get(pkg);
        if (list) list.push(vulnerability);
        else packages.set(pkg, [vulnerability]);
      }
    }
    archives[ecosystem] = { entries };
    const variants = [...indexes.keys()].filter((v) => v === ecosystem || v.startsWith(`${ecosystem}:`)).sort();
    options.onProgress?.(`${ecosystem}: ${entries} entries, ${variants.length} releases (${variants.slice(0, 8).join(', ')}${variants.length > 8 ? ', …' : ''})`);
  }
  const syncedAt = (options.now?.() ?? new Date()).toISOString();
  const meta = await writeVulnDb(options.directory, indexes, { source: isUrl(options.source) ? options.source : path.resolve(options.source), syncedAt, archives });
  options.onProgress?.(`vulnerability database written to ${options.directory} (${Object.keys(meta.ecosystems).length} ecosystems)`);
  return meta;
}
