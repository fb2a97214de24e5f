/** Shared fixtures for the storage tests: temp dirs that clean themselves up, random files. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
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

/** The part of s3rver's API the tests use (the package ships no types). */
interface S3rverServer {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
  httpServer?: { closeAllConnections(): void };
}
type S3rverClass = new (options: { address: string; port: number; silent: boolean; directory: string }) => S3rverServer;

/** A real s3rver on 127.0.0.1 (random port, temp directory), stopped when the test ends. */
export async function startS3rver(t: TestContext): Promise<{ endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } }> {
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;
  const directory = await tempDir(t, 'vmarket-s3rver-');
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const { port } = await server.run();
  t.after(async () => {
    server.httpServer?.closeAllConnections();
    await server.close();
  });
  return { endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } };
}
