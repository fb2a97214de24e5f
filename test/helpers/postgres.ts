/**
 * A throwaway PostgreSQL 15 server for tests: initdb into a temporary directory (as the
 * `postgres` user when running as root, since initdb refuses root), started on a free port on
 * 127.0.0.1 with a Unix socket in the same directory. `stop()` shuts it down and removes it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export const POSTGRES_BIN = process.env.VMARKET_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

/** Why PostgreSQL tests cannot run here, or null when they can. */
export function postgresUnavailable(): string | null {
  if (!existsSync(path.join(POSTGRES_BIN, 'initdb'))) return `PostgreSQL server binaries not found in ${POSTGRES_BIN}`;
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'vmarket-pg-'));
  const dataDir = path.join(root, 'data');
  const asRoot = process.getuid?.() === 0;
  let uid = 0;
  let gid = 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    uid = Number(stdout.trim());
    gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    await chmod(root, 0o755);
    await chown(root, uid, gid);
  }
  // As root, run the server binaries as the postgres user directly (spawn's uid/gid) rather than
  // through runuser, so signals reach postgres itself and stop() shuts it down cleanly.
  const identity = asRoot ? { uid, gid, env: { ...process.env, HOME: root, USER: 'postgres' } } : {};
  await run(path.join(POSTGRES_BIN, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], { ...identity, cwd: root });
  const port = await freePort();
  const [cmd, args] = [path.join(POSTGRES_BIN, 'postgres'), [
    '-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', root,
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=100',
  ]];
  const proc: ChildProcess = spawn(cmd, args, { ...identity, cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d) => (log += d));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      break;
    } catch {
      await client.end().catch(() => {});
      if (proc.exitCode !== null || Date.now() > deadline) {
        proc.kill('SIGKILL');
        await rm(root, { recursive: true, force: true });
        throw new Error(`PostgreSQL did not start: ${log}`);
      }
      await sleep(200);
    }
  }
  return {
    url,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGINT'); // fast shutdown
        const exited = new Promise((resolve) => proc.once('exit', resolve));
        await Promise.race([exited, sleep(10_000)]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}
