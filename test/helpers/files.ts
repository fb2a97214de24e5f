/** Files in tests: temporary directories that remove themselves, random files, listings. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, type TestContext } from 'node:test';

/** A fresh directory under the OS temp dir, removed when the test ends. */
export async function tempDir(t: TestContext, label = 'vmarket-storage-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), label));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A directory for one test file or suite, made before it and removed after it: call at suite
 * level. The getter makes it when it is asked first: another top-level `before` hook may run
 * before this one's has finished, and must not get an empty path (files were written into the
 * working directory that way).
 */
export function scratchDir(label = 'vmarket-test-'): () => string {
  let dir = '';
  const made = () => (dir ||= mkdtempSync(join(tmpdir(), label)));
  before(() => {
    made();
  });
  after(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));
  return made;
}

/** Writes `size` random bytes to `dir/name` and returns the path with its SHA-256. */
export async function randomFile(dir: string, name: string, size: number): Promise<{ path: string; sha256: string; size: number }> {
  const data = randomBytes(size);
  const path = join(dir, name);
  await writeFile(path, data);
  return { path, sha256: createHash('sha256').update(data).digest('hex'), size };
}

/**
 * Every file under `dir`, as sorted paths relative to it (to prove nothing was left behind); with
 * `missingIsEmpty`, none when `dir` does not exist (otherwise that fails).
 */
export async function listFiles(dir: string, options: { missingIsEmpty?: boolean } = {}): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (options.missingIsEmpty && error.code === 'ENOENT') return [];
    throw error;
  });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}
