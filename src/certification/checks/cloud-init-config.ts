/**
 * cloud-init's own configuration as it would read it at boot: `/etc/cloud/cloud.cfg`, then every
 * `/etc/cloud/cloud.cfg.d/*.cfg` in name order, a later file's top-level key replacing an earlier
 * one's (cloud-init's merge of its config files). YAML read with a small alias budget and each
 * file capped, because the files are the publisher's. User data from the cloud is not known here.
 */
import YAML from 'yaml';
import { type Localized, type Phrase, say } from '../../i18n/localized.ts';
import type { GuestFs } from '../fs/types.ts';
import { listDir, readText } from './guest-files.ts';

const CLOUD_CFG = '/etc/cloud/cloud.cfg';
const CLOUD_CFG_D = '/etc/cloud/cloud.cfg.d';
/** cloud-init does not run when this file exists. */
export const CLOUD_INIT_DISABLED = '/etc/cloud/cloud-init.disabled';
const MAX_FILES = 256;
const FILE_BYTES = 1024 * 1024;

const notYaml: Phrase<[file: string, reason: string]> = {
  en: (file, reason) => `${file} is not valid YAML and was ignored: ${reason}`,
  de: (file, reason) => `${file} ist kein gültiges YAML und wurde ignoriert: ${reason}`,
};

export interface CloudConfig {
  /** The merged top-level settings. */
  settings: Record<string, unknown>;
  /** The files read, in merge order; which file set each key last. */
  files: string[];
  setBy: Map<string, string>;
  problems: Localized[];
}

export async function readCloudConfig(root: GuestFs): Promise<CloudConfig> {
  const config: CloudConfig = { settings: {}, files: [], setBy: new Map(), problems: [] };
  const dropIns = (await listDir(root, CLOUD_CFG_D)).filter((name) => name.endsWith('.cfg')).slice(0, MAX_FILES);
  for (const file of [CLOUD_CFG, ...dropIns.map((name) => `${CLOUD_CFG_D}/${name}`)]) {
    const text = await readText(root, file, FILE_BYTES);
    if (text === null) continue;
    let parsed: unknown;
    try {
      parsed = YAML.parse(text, { maxAliasCount: 64, uniqueKeys: false });
    } catch (error) {
      config.problems.push(say(notYaml, file, (error as Error).message.split('\n')[0]));
      continue;
    }
    config.files.push(file);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) continue;
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      config.settings[key] = value;
      config.setBy.set(key, file);
    }
  }
  return config;
}

const MODULE_LISTS = ['cloud_init_modules', 'cloud_config_modules', 'cloud_final_modules'];

/** A module list entry's name: `ssh`, `[ssh, always]`, `{name: ssh}`; `cc_` prefix and `-` allowed as cloud-init allows. */
function moduleName(entry: unknown): string | null {
  const raw = Array.isArray(entry) ? entry[0] : entry && typeof entry === 'object' ? (entry as { name?: unknown }).name : entry;
  return typeof raw === 'string' ? raw.trim().replace(/^cc_/, '').replace(/-/g, '_') : null;
}

/** The module list (of the three stages) that runs `module`, or null when none does. */
export function moduleStage(config: CloudConfig, module: string): string | null {
  for (const list of MODULE_LISTS) {
    const entries = config.settings[list];
    if (Array.isArray(entries) && entries.some((e) => moduleName(e) === module)) return list;
  }
  return null;
}

/** A boolean setting as cloud-init reads one (`true`, `yes`, `on`, `1` …), or `fallback` when unset. */
export function cloudBool(config: CloudConfig, key: string, fallback: boolean): boolean {
  const value = config.settings[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  return ['true', 'yes', 'on', '1'].includes(String(value).trim().toLowerCase());
}

/** A list setting (a string is a one-item list, as cloud-init reads it), or `fallback` when unset. */
export function cloudList(config: CloudConfig, key: string, fallback: string[]): string[] {
  const value = config.settings[key];
  if (value === undefined || value === null) return fallback;
  return Array.isArray(value) ? value.map(String) : [String(value)];
}
