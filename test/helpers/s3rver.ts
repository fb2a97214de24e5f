/** A real S3 endpoint for tests: s3rver on 127.0.0.1 with a random port and a temporary directory. */
import { createRequire } from 'node:module';
import type { TestContext } from 'node:test';
import { tempDir } from './files.ts';

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
