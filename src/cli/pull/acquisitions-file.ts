/**
 * The customer's earlier acquisitions, so `vmarket pull` reuses one (fresh links through
 * `GET /catalog/acquisitions/{id}`) instead of acquiring again: JSON, mode 0600 (it holds access
 * tokens), at `$VMARKET_ACQUISITIONS` or `<config dir>/vmarket/acquisitions.json` (XDG_CONFIG_HOME
 * respected), keyed by server, offer, plan and subscription.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SavedAcquisition {
  id: string;
  token: string;
  savedAt: string;
}

export function acquisitionsPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VMARKET_ACQUISITIONS) return path.resolve(env.VMARKET_ACQUISITIONS);
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'vmarket', 'acquisitions.json');
}

export function acquisitionKey(server: string, offer: string, plan: string, subscription: string): string {
  return [server, offer, plan, subscription.toLowerCase()].join(' ');
}

function readAll(file: string): Record<string, SavedAcquisition> {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, SavedAcquisition>) : {};
  } catch {
    // missing or unreadable: nothing to reuse (the next save writes a good one)
    return {};
  }
}

export function findSavedAcquisition(key: string, env: NodeJS.ProcessEnv = process.env): SavedAcquisition | undefined {
  const saved = readAll(acquisitionsPath(env))[key];
  return typeof saved?.id === 'string' && typeof saved.token === 'string' ? saved : undefined;
}

/** Saves (or with `undefined`, forgets) the acquisition under `key`, atomically, mode 0600. */
export function saveAcquisition(key: string, acquisition: SavedAcquisition | undefined, env: NodeJS.ProcessEnv = process.env): void {
  const file = acquisitionsPath(env);
  const all = readAll(file);
  if (acquisition) all[key] = acquisition;
  else delete all[key];
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
