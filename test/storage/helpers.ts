/** Shared fixtures for the storage tests: temp dirs that clean themselves up, random files. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** A fresh directory under the OS temp dir, removed when the test ends. */
export async function tempDir(t: TestContext, label = 'vmarket-storage-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), label));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `size` random bytes to `dir/name` and returns the path with its SHA-256. */
export async function randomFile(dir: string, name: string, size: number): Promise<{ path: string; sha256: string; size: number }> {
  const data = randomBytes(size);
  const path = join(dir, name);
  await writeFile(path, data);
  return { path, sha256: createHash('sha256').update(data).digest('hex'), size };
}

/** Every file under `dir`, as paths relative to it (to prove nothing was left behind). */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}
