/**
 * Keeps the built web app (src/web/dist) in step with its sources, so `npm start` and
 * `vmarket serve` need no separate build step: the sources (and the lock file, which pins the
 * libraries bundled in) are hashed, and the app is built with Vite when dist is missing or was
 * built from other sources. A build goes to a temporary directory and is renamed into place, so
 * a server never serves half a build and two processes starting at once both end with a whole one.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VmarketError } from '../errors.ts';

export const WEB_ROOT = fileURLToPath(new URL('../web/', import.meta.url));
const LOCK_FILE = fileURLToPath(new URL('../../package-lock.json', import.meta.url));
const STAMP = '.build.json';

export interface WebBuildResult {
  distDir: string;
  /** true when this call built the app; false when dist was already current. */
  built: boolean;
  sourceHash: string;
  durationMs: number;
}

async function sourceFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    // Vite writes `vite.config.ts.timestamp-….mjs` beside the config while a build runs
    if (entry.name === 'dist' || entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name.includes('.timestamp-')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(full, base)));
    else if (entry.isFile()) out.push(full);
  }
  return out.sort();
}

/** SHA-256 over every source file's relative path and content, and the lock file. */
export async function webSourceHash(root = WEB_ROOT): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await sourceFiles(root)) {
    hash.update(path.relative(root, file)).update('\0').update(await readFile(file)).update('\0');
  }
  if (existsSync(LOCK_FILE)) hash.update(await readFile(LOCK_FILE));
  return hash.digest('hex');
}

async function builtHash(distDir: string): Promise<string | undefined> {
  try {
    const stamp = JSON.parse(await readFile(path.join(distDir, STAMP), 'utf8')) as { sourceHash?: string };
    return existsSync(path.join(distDir, 'index.html')) ? stamp.sourceHash : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Builds the web app unless dist matches the sources. Without the sources (an installation
 * that ships only dist) dist is used as it is. `force` builds regardless.
 */
export async function ensureWebBuilt(
  options: { root?: string; force?: boolean; onBuild?: (reason: 'missing' | 'stale') => void } = {},
): Promise<WebBuildResult> {
  const root = options.root ?? WEB_ROOT;
  const distDir = path.join(root, 'dist');
  const started = performance.now();
  if (!existsSync(path.join(root, 'index.html'))) {
    return { distDir, built: false, sourceHash: '', durationMs: 0 };
  }
  const sourceHash = await webSourceHash(root);
  const current = await builtHash(distDir);
  if (!options.force && current === sourceHash) {
    return { distDir, built: false, sourceHash, durationMs: performance.now() - started };
  }
  options.onBuild?.(current === undefined ? 'missing' : 'stale');
  // unique per call: two builds in one process can start within the same millisecond
  const unique = randomUUID();
  const staging = path.join(root, `.dist-${unique}`);
  try {
    let build: typeof import('vite').build;
    try {
      ({ build } = await import('vite'));
    } catch (cause) {
      throw new VmarketError('TOOL_MISSING', 'The web app needs building, and Vite is not installed: run `npm ci` in the vmarket directory.', { cause });
    }
    try {
      await build({ configFile: path.join(root, 'vite.config.ts'), root, logLevel: 'error', build: { outDir: staging, emptyOutDir: true } });
    } catch (cause) {
      throw new VmarketError('INTERNAL', `Building the web app failed: ${(cause as Error).message}`, { cause });
    }
    await writeFile(path.join(staging, STAMP), JSON.stringify({ sourceHash, builtAt: new Date().toISOString() }) + '\n');
    const retired = `${distDir}.old-${unique}`;
    await rename(distDir, retired).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    try {
      await rename(staging, distDir);
    } catch (error) {
      // another process put its build in place between our two renames: keep it if it is current
      if ((await builtHash(distDir)) !== sourceHash) throw error;
    }
    await rm(retired, { recursive: true, force: true });
    return { distDir, built: true, sourceHash, durationMs: performance.now() - started };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
