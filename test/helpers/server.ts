/**
 * A real vmarket server for tests: PGlite in a temporary directory (or a PostgreSQL URL), two
 * file-system regions, an import directory, listening on 127.0.0.1 with a free port, with the
 * pipeline workers in process. `close()` stops it and removes the directory.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createPublisher as insertPublisher } from '../../src/app/publishers.ts';
import { startVmarket } from '../../src/app/start.ts';
import type { AppContext } from '../../src/app/context.ts';
import { loadConfig } from '../../src/config/load.ts';
import { embeddedDatabaseDir, openDatabase } from '../../src/db/database.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import type { PipelineStep } from '../../src/pipeline/steps/context.ts';
import type { VmStarter } from '../../src/test-drives/index.ts';
import { apiClient, type ApiCall } from './http.ts';

export interface TestServer {
  url: string;
  ctx: AppContext;
  api: ApiCall;
  dataDir: string;
  /** The import root (`imports.allowedDirs`): publisher P imports from `importDirOf(P)`, `<importDir>/P/`. */
  importDir: string;
  /** The import directory of one publisher, made if missing. */
  importDirOf(publisher: string): string;
  operatorToken: string;
  /** Creates a publisher through the database and answers its token. */
  createPublisher(id: string, name?: string): Promise<string>;
  /** The temporary directory holding everything the server writes. */
  root: string;
  /** Stops the server and removes `root`, unless `keep` (to start another server on it). */
  close(opts?: { keep?: boolean }): Promise<void>;
}

export interface TestServerOptions {
  /** Config keys merged over the test defaults. */
  config?: Partial<ConfigInput>;
  /** Run the pipeline workers (default true). */
  workers?: boolean;
  /** Use this PostgreSQL database instead of PGlite. */
  postgresUrl?: string;
  /** pino level (default `VMARKET_TEST_LOG_LEVEL` or silent). */
  logLevel?: string;
  /** The publishing steps in order (default: the product's pipeline). */
  steps?: readonly PipelineStep[];
  /**
   * Start on the data of a server closed with `close({ keep: true })` (its `root`): the same
   * database, regions and import directory, as a restarted server would find them.
   */
  root?: string;
  /** How test-drive VMs start (default QEMU); tests of the hosting hand in a double. */
  startVm?: VmStarter;
}

export const TEST_OPERATOR_TOKEN = 'test-operator-token-0123456789abcdef';

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const root = options.root ?? (await mkdtemp(path.join(os.tmpdir(), 'vmarket-test-')));
  const dataDir = path.join(root, 'data');
  const importDir = path.join(root, 'images');
  await mkdir(importDir, { recursive: true });
  const overrides: Record<string, unknown> = {
    dataDir,
    database: options.postgresUrl ?? 'embedded',
    listen: { host: '127.0.0.1', port: 0 },
    workers: options.workers ?? true,
    imports: { allowedDirs: [importDir], allowedUrlPrefixes: [] },
    // ClamAV is exercised by the certification tests; here it would only make runs depend on
    // whether the machine has signatures. Booting (issue 12) needs a bootable image: the boot
    // tests turn it on, with real Debian images.
    certification: { manualReview: false, yaraRules: [], hashLists: [], clamav: { mode: 'off', databaseDir: '/var/lib/clamav' }, boot: 'off' },
    sweepIntervalSeconds: 1,
    // tests poll the status every 100 ms, the default limit (600/min) would answer 429
    rateLimitPerMinute: 100_000,
    ...(options.config ?? {}),
  };
  // a test's own certification section still boots nothing unless it says so
  const certification = overrides.certification as Record<string, unknown>;
  if (certification.boot === undefined) overrides.certification = { ...certification, boot: 'off' };
  const config = loadConfig({ cwd: root, env: {}, overrides });
  if (!options.postgresUrl && !options.root) await cp(await pgliteTemplate(), embeddedDatabaseDir(config), { recursive: true });
  const logger = pino({ level: options.logLevel ?? process.env.VMARKET_TEST_LOG_LEVEL ?? 'silent' });
  const env = { ...process.env, VMARKET_OPERATOR_TOKEN: TEST_OPERATOR_TOKEN };
  let started;
  try {
    // the server-rendered stand-in pages, whether or not the web app was built in this checkout
    started = await startVmarket(config, { logger, env, writeCredentials: false, webDistDir: path.join(root, 'no-web-app'), steps: options.steps, startVm: options.startVm });
  } catch (error) {
    if (!options.root) await rm(root, { recursive: true, force: true });
    throw error;
  }
  const { url, ctx } = started;

  const api = apiClient(url);

  let closed = false;
  return {
    url,
    ctx,
    api,
    dataDir,
    importDir,
    importDirOf(publisher) {
      const dir = path.join(importDir, publisher);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    operatorToken: TEST_OPERATOR_TOKEN,
    async createPublisher(id, name = `Publisher ${id}`) {
      return (await insertPublisher(ctx.db, { id, name })).token;
    },
    root,
    async close(opts = {}) {
      if (closed) return;
      closed = true;
      await started.close();
      if (!opts.keep) await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * A migrated, empty embedded database to copy: creating one (PGlite's initdb, the schema,
 * pg-boss's schema) takes seconds, copying it a fraction of that. Cached in the temp dir, keyed by
 * the migrations and the pg-boss version, built once by whichever test file needs it first.
 */
export async function pgliteTemplate(): Promise<string> {
  const root = path.resolve(import.meta.dirname, '../..');
  const key = createHash('sha256')
    .update(readdirSync(path.join(root, 'src/db/migrations')).sort().map((f) => readFileSync(path.join(root, 'src/db/migrations', f), 'utf8')).join('\0'))
    .update(readFileSync(path.join(root, 'node_modules/pg-boss/package.json')))
    .update(readFileSync(path.join(root, 'node_modules/@electric-sql/pglite/package.json')))
    .digest('hex')
    .slice(0, 16);
  const template = path.join(os.tmpdir(), `vmarket-pglite-template-${key}`);
  if (await stat(template).catch(() => null)) return template;
  const building = await mkdtemp(path.join(os.tmpdir(), 'vmarket-pglite-building-'));
  const config = loadConfig({ cwd: building, env: {}, overrides: { dataDir: building } });
  const db = await openDatabase(config, pino({ level: 'silent' }), { supervise: false });
  await db.close();
  // rename is atomic: a concurrent builder either wins or finds the template already there
  await rename(embeddedDatabaseDir(config), template).catch(async (error) => {
    if (!(await stat(template).catch(() => null))) throw error;
  });
  await rm(building, { recursive: true, force: true });
  return template;
}
