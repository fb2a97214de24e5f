/**
 * Loads the server configuration: the file (`--config` or `$VMARKET_CONFIG`, YAML or JSON),
 * then the environment (`VMARKET_DATABASE_URL`), then defaults; resolves every relative path
 * against the file's directory so a config means the same wherever the server is started.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { VmarketError } from '../errors.ts';
import { configSchema, type ParsedConfig, type RegionConfig, type StorageConfig } from './schema.ts';
import { DEFAULT_CATEGORIES } from './defaults.ts';
import { PUBLISHER_ID_PATTERN } from '../offers/schema.ts';
import { parseUrlPrefix } from '../security/url-prefix.ts';
import { findQemuImg, QEMU_IMG, QEMU_IMG_PACKAGE } from '../storage/qemu-img.ts';

/** The configuration with defaults applied and every path absolute. */
export interface Config extends Omit<ParsedConfig, 'allowPrivateNetworks' | 'imports' | 'deliveries'> {
  /** The file it came from, if any. */
  configFile?: string;
  /** Image imports; `allowPrivateNetworks` resolved (own key, else the legacy top-level switch, else false). */
  imports: Omit<ParsedConfig['imports'], 'allowPrivateNetworks'> & { allowPrivateNetworks: boolean };
  /** Lead and webhook deliveries; `allowPrivateNetworks` resolved like the imports' one. */
  deliveries: { allowPrivateNetworks: boolean };
  /** What the server logs as warnings at startup (e.g. a deprecated key in use). */
  warnings: string[];
  regions: RegionConfig[];
  primaryStore: StorageConfig;
  categories: string[];
}

export interface LoadConfigOptions {
  /** Path of the config file; default `$VMARKET_CONFIG`, else none. */
  file?: string;
  /** Values that win over the file (e.g. `--port`). */
  overrides?: Record<string, unknown>;
  /** Environment to read; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Base directory for relative paths when there is no file; default the working directory. */
  cwd?: string;
}

/** Parses YAML or JSON text; JSON is valid YAML, but JSON files get JSON's clearer errors. */
export function parseYamlOrJson(text: string, source: string): unknown {
  try {
    if (/\.json$/i.test(source)) return JSON.parse(text);
    return YAML.parse(text);
  } catch (error) {
    throw new VmarketError('BAD_REQUEST', `${source} is not valid ${/\.json$/i.test(source) ? 'JSON' : 'YAML'}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Turns zod issues into `{path, message}` details, paths written like `plans[0].regions[1]`. */
export function zodDetails(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

export function formatPath(parts: readonly PropertyKey[]): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env.VMARKET_CONFIG;
  let raw: Record<string, unknown> = {};
  let base = options.cwd ?? process.cwd();
  if (file) {
    const absolute = path.resolve(base, file);
    let text: string;
    try {
      text = readFileSync(absolute, 'utf8');
    } catch (error) {
      throw new VmarketError('FILE_UNREADABLE', `cannot read the config file ${absolute}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const parsed = parseYamlOrJson(text, absolute) ?? {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new VmarketError('CONFIG_INVALID', `the config file ${absolute} must hold a mapping of keys`);
    }
    raw = parsed as Record<string, unknown>;
    base = path.dirname(absolute);
  }
  const merged = { ...raw, ...(options.overrides ?? {}) };
  if (env.VMARKET_DATABASE_URL) merged.database = env.VMARKET_DATABASE_URL;
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const details = zodDetails(result.error);
    throw new VmarketError('CONFIG_INVALID', `the configuration is invalid: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, {
      details,
    });
  }
  return resolveConfig(result.data, base, file ? path.resolve(options.cwd ?? process.cwd(), file) : undefined, env);
}

/** The URL prefixes, each parsed once so a malformed one stops the server instead of allowing nothing (or too much). */
function checkedUrlPrefixes(prefixes: string[]): string[] {
  const problems = prefixes.map(parseUrlPrefix).filter((p): p is string => typeof p === 'string');
  if (problems.length > 0) throw new VmarketError('CONFIG_INVALID', `imports.allowedUrlPrefixes: ${problems.join('; ')}`);
  return prefixes;
}

function resolveConfig(parsed: ParsedConfig, base: string, configFile: string | undefined, env: NodeJS.ProcessEnv): Config {
  const abs = (p: string) => path.resolve(base, p);
  const dataDir = abs(parsed.dataDir);
  const resolveStorage = (s: StorageConfig): StorageConfig => (s.type === 'fs' ? { ...s, path: abs(s.path) } : s);
  const regions = (parsed.regions ?? [
    { name: 'westeurope', storage: { type: 'fs', path: path.join(dataDir, 'regions', 'westeurope') }, bandwidthBytesPerSecond: 0, format: 'source' },
    { name: 'eastus', storage: { type: 'fs', path: path.join(dataDir, 'regions', 'eastus') }, bandwidthBytesPerSecond: 0, format: 'source' },
  ]) as RegionConfig[];
  const names = new Set<string>();
  for (const region of regions) {
    if (names.has(region.name)) throw new VmarketError('CONFIG_INVALID', `the region ${region.name} is defined twice`);
    names.add(region.name);
  }
  const { allowPrivateNetworks: legacyPrivate, ...rest } = parsed;
  for (const id of Object.keys(parsed.imports.publisherDirs)) {
    if (!PUBLISHER_ID_PATTERN.test(id)) throw new VmarketError('CONFIG_INVALID', `imports.publisherDirs: ${JSON.stringify(id)} is not a publisher id`);
  }
  const warnings =
    legacyPrivate === undefined
      ? []
      : [
          `allowPrivateNetworks (${legacyPrivate}) is deprecated: it sets both imports.allowPrivateNetworks (image URLs) and deliveries.allowPrivateNetworks (lead and webhook deliveries) where they are not set; set those instead, so an internal image mirror does not open the internal network to every publisher's lead URL.`,
        ];
  // a program path is the config's, like every path; a bare name is looked up on PATH
  const qemuImg = parsed.conversion.qemuImg?.includes('/') ? abs(parsed.conversion.qemuImg) : parsed.conversion.qemuImg;
  // an environment given without PATH (tests, embedders) still finds programs the way the server will
  const missing = conversionToolWarning(regions, qemuImg, env.PATH ?? process.env.PATH);
  if (missing) warnings.push(missing);
  return {
    ...rest,
    conversion: qemuImg ? { qemuImg } : {},
    configFile,
    dataDir,
    imports: {
      ...parsed.imports,
      allowedDirs: parsed.imports.allowedDirs.map(abs),
      publisherDirs: Object.fromEntries(Object.entries(parsed.imports.publisherDirs).map(([id, dirs]) => [id, dirs.map(abs)])),
      allowedUrlPrefixes: checkedUrlPrefixes(parsed.imports.allowedUrlPrefixes),
      allowPrivateNetworks: parsed.imports.allowPrivateNetworks ?? legacyPrivate ?? false,
    },
    deliveries: { allowPrivateNetworks: parsed.deliveries.allowPrivateNetworks ?? legacyPrivate ?? false },
    warnings,
    trustedCaFiles: parsed.trustedCaFiles.map(abs),
    secrets: parsed.secrets.keyFile ? { keyFile: abs(parsed.secrets.keyFile) } : {},
    regions: regions.map((r) => ({ ...r, storage: resolveStorage(r.storage) })),
    primaryStore: resolveStorage(parsed.primaryStore ?? { type: 'fs', path: path.join(dataDir, 'primary') }),
    categories: parsed.categories ?? DEFAULT_CATEGORIES,
    certification: {
      ...parsed.certification,
      yaraRules: parsed.certification.yaraRules.map(abs),
      hashLists: parsed.certification.hashLists.map(abs),
      clamav: { ...parsed.certification.clamav, databaseDir: abs(parsed.certification.clamav.databaseDir) },
    },
  };
}

/**
 * The startup warning when a region serves a converted format and qemu-img cannot be found:
 * the server still starts (regions serving `source` work), and provisioning a publication that
 * needs a conversion fails with the same advice.
 */
export function conversionToolWarning(regions: readonly Pick<RegionConfig, 'name' | 'format'>[], qemuImg: string | undefined, searchPath: string | undefined): string | undefined {
  const converting = regions.filter((r) => (r.format ?? 'source') !== 'source');
  if (converting.length === 0 || findQemuImg(qemuImg, searchPath)) return undefined;
  const where = qemuImg ? `conversion.qemuImg ${qemuImg} is not an executable file` : `${QEMU_IMG} is not on PATH`;
  return `regions ${converting.map((r) => `${r.name} (${r.format})`).join(', ')} serve a converted disk format, but ${where}: install the Debian package ${QEMU_IMG_PACKAGE}; until then provisioning fails for every publication those regions list.`;
}
