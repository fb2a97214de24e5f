/**
 * Starts vmarket in this process: database and queue, HTTP API (and web app), and, unless
 * `workers: false`, the pipeline workers and the lead-delivery worker. The embedded default also
 * gets a demo publisher whose token is printed and kept, and the CLI's credentials file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/load.ts';
import { startLeadWorker } from '../leads/worker.ts';
import { startPipelineWorkers } from '../pipeline/service.ts';
import { buildServer } from '../server/app.ts';
import type { AppContext } from './context.ts';
import { isPostgresUrl } from '../db/database.ts';
import { VmarketError } from '../errors.ts';
import type { PipelineStep } from '../pipeline/steps/context.ts';
import { runAsSystem } from '../audit/scope.ts';
import { createTestDriveManager, type VmStarter } from '../test-drives/index.ts';
import { createAppContext } from './create-context.ts';
import { writeCredentials } from './credentials.ts';
import { createPublisher, findPublisherByToken, getPublisher, rotatePublisherToken } from './publishers.ts';

export const DEMO_PUBLISHER = { id: 'demo', name: 'Demo Publisher' };

export interface StartOptions {
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  /** Make (or reuse) the demo publisher even when the database is not embedded. */
  demoPublisher?: boolean;
  /** Write the CLI credentials file (default true; tests turn it off). */
  writeCredentials?: boolean;
  /** The built web app to serve (default src/web/dist; API tests name a directory without one). */
  webDistDir?: string;
  /** The publishing steps in order (default: src/pipeline/steps/index.ts); tests add their own. */
  steps?: readonly PipelineStep[];
  /** How test-drive VMs start (default QEMU through src/boot/vm.ts); tests hand in a double. */
  startVm?: VmStarter;
}

export interface StartedVmarket {
  /** The listening base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  ctx: AppContext;
  demoToken?: string;
  close(): Promise<void>;
}

export async function startVmarket(config: Config, options: StartOptions): Promise<StartedVmarket> {
  const env = options.env ?? process.env;
  const owned = await createAppContext(config, { logger: options.logger, env, steps: options.steps });
  const { ctx } = owned;
  const { closers, close } = shutdownStack(owned.close, options.logger);
  try {
    const demoSubject = { target: `publisher ${DEMO_PUBLISHER.id}`, publisherId: DEMO_PUBLISHER.id };
    const demoToken =
      options.demoPublisher || ctx.db.mode === 'embedded' ? await runAsSystem('start: demo publisher', demoSubject, () => ensureDemoPublisher(ctx)) : undefined;
    // closed after the HTTP server (its consoles) and before the database: no VM outlives the process
    const testDrives = createTestDriveManager(ctx, options.startVm ? { startVm: options.startVm } : {});
    await testDrives.start();
    closers.push(() => testDrives.close());
    const app = await buildServer(ctx, { webDistDir: options.webDistDir, testDrives });
    await app.listen({ host: config.listen.host, port: config.listen.port });
    closers.push(() => app.close());
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.listen.port;
    const host = config.listen.host === '0.0.0.0' || config.listen.host === '::' ? '127.0.0.1' : config.listen.host;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    ctx.publicUrl = (config.publicUrl ?? url).replace(/\/+$/, '');

    if (config.workers) {
      const pipeline = await startPipelineWorkers(ctx);
      closers.push(() => pipeline.stop());
      const leads = await startLeadWorker(ctx);
      closers.push(() => leads.stop());
    }
    if (options.writeCredentials !== false && demoToken) {
      writeCredentials({ url, token: demoToken, publisher: DEMO_PUBLISHER.id, operatorToken: ctx.operatorToken }, env);
    }
    return { url, ctx, demoToken, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface StartedWorkers {
  ctx: AppContext;
  close(): Promise<void>;
}

/**
 * A worker process (`vmarket worker`): the pipeline and lead-delivery workers on a shared
 * PostgreSQL database, no HTTP. The embedded database belongs to one process, so it is refused.
 */
export async function startWorkers(config: Config, options: Omit<StartOptions, 'demoPublisher' | 'writeCredentials'>): Promise<StartedWorkers> {
  if (!isPostgresUrl(config.database)) {
    throw new VmarketError(
      'CONFIG_INVALID',
      'vmarket worker needs a PostgreSQL database (database: postgres://… or VMARKET_DATABASE_URL); the embedded database serves one process, so run `vmarket serve` with its workers instead.',
    );
  }
  const owned = await createAppContext(config, { logger: options.logger, env: options.env ?? process.env, steps: options.steps });
  const { closers, close } = shutdownStack(owned.close, options.logger);
  try {
    const pipeline = await startPipelineWorkers(owned.ctx);
    closers.push(() => pipeline.stop());
    const leads = await startLeadWorker(owned.ctx);
    closers.push(() => leads.stop());
    return { ctx: owned.ctx, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** What to stop, in the reverse order it was started; `close` runs each once, logging failures. */
function shutdownStack(first: () => Promise<void>, logger: Logger): { closers: (() => Promise<void>)[]; close: () => Promise<void> } {
  const closers = [first];
  const close = async () => {
    for (const fn of closers.splice(0).reverse()) await fn().catch((err) => logger.warn({ err }, 'error while stopping'));
  };
  return { closers, close };
}

/**
 * The demo publisher's token. Only its hash is in the database, so the token itself is kept in
 * `dataDir/demo-publisher.json` (mode 0600); a start that finds the file reuses the token, one that
 * finds the publisher but not a working token gives it a new one.
 */
async function ensureDemoPublisher(ctx: AppContext): Promise<string> {
  const file = path.join(ctx.config.dataDir, 'demo-publisher.json');
  let stored: string | undefined;
  try {
    stored = (JSON.parse(readFileSync(file, 'utf8')) as { token?: string }).token;
  } catch {
    stored = undefined;
  }
  if (stored && (await findPublisherByToken(ctx.db.kysely, stored))?.id === DEMO_PUBLISHER.id) return stored;
  const token = (await getPublisher(ctx.db.kysely, DEMO_PUBLISHER.id))
    ? await rotatePublisherToken(ctx.db, DEMO_PUBLISHER.id)
    : (await createPublisher(ctx.db, DEMO_PUBLISHER)).token;
  writeFileSync(file, `${JSON.stringify({ id: DEMO_PUBLISHER.id, token }, null, 2)}\n`, { mode: 0o600 });
  return token;
}
