/**
 * Builds the AppContext of one process: the database and queue, the regions' and the primary
 * blob stores, the operator token. `close()` releases them in reverse order.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/load.ts';
import { openDatabase } from '../db/database.ts';
import { checkStepOverrides, createPipeline } from '../pipeline/pipeline.ts';
import type { PipelineStep } from '../pipeline/steps/context.ts';
import { PIPELINE_STEPS } from '../pipeline/steps/index.ts';
import { checkLeadSecretKey } from '../leads/secrets.ts';
import { loadSecretKey } from '../security/secret-box.ts';
import { rootsWithLooseFiles } from '../security/paths.ts';
import { createBlobStore } from '../storage/factory.ts';
import type { AppContext, Region } from './context.ts';
import { newToken } from './publishers.ts';

export interface CreateContextOptions {
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  /** Base URL for links until the server listens (then start.ts sets the real one). */
  publicUrl?: string;
  /** The publishing steps in order; default the pipeline of src/pipeline/steps/index.ts. */
  steps?: readonly PipelineStep[];
}

export interface OwnedContext {
  ctx: AppContext;
  close(): Promise<void>;
}

export async function createAppContext(config: Config, options: CreateContextOptions): Promise<OwnedContext> {
  const env = options.env ?? process.env;
  const pipeline = createPipeline(options.steps ?? PIPELINE_STEPS);
  checkStepOverrides(pipeline, config);
  mkdirSync(config.dataDir, { recursive: true });
  for (const warning of config.warnings) options.logger.warn(warning);
  for (const loose of await rootsWithLooseFiles(config.imports.allowedDirs)) {
    options.logger.warn(loose, 'an imports.allowedDirs entry holds files outside the publishers\' subtrees <dir>/<publisher>/, which no publisher can import (docs/operations.md, Upgrading)');
  }
  const operatorToken = resolveOperatorToken(config, env, options.logger);
  const secret = loadSecretKey({ dataDir: config.dataDir, keyFile: config.secrets.keyFile, env });
  // where, never the key
  if (secret.created) options.logger.info({ file: secret.key.source }, 'generated the secret key (VMARKET_SECRET_KEY and secrets.keyFile were not set)');
  const db = await openDatabase(config, options.logger);
  try {
    await checkLeadSecretKey(db, secret.key);
  } catch (error) {
    await db.close();
    throw error;
  }
  const regions = new Map<string, Region>();
  for (const region of config.regions) regions.set(region.name, { config: region, store: createBlobStore(region.storage) });
  const primary = createBlobStore(config.primaryStore);
  const ctx: AppContext = {
    config,
    db,
    logger: options.logger,
    regions,
    primary,
    env,
    secretKey: secret.key,
    pipeline,
    operatorToken,
    publicUrl: options.publicUrl ?? config.publicUrl ?? `http://${config.listen.host}:${config.listen.port}`,
  };
  return {
    ctx,
    async close() {
      await db.close();
      for (const store of [primary, ...[...regions.values()].map((r) => r.store)]) await store.close?.().catch(() => {});
    },
  };
}

/** Where the generated operator token is kept when `VMARKET_OPERATOR_TOKEN` is not set. */
export function operatorTokenFile(config: Config): string {
  return path.join(config.dataDir, 'operator-token');
}

/**
 * The operator's bearer token: `VMARKET_OPERATOR_TOKEN`, else the one generated at first start and
 * kept (mode 0600) under dataDir, so it survives restarts.
 */
function resolveOperatorToken(config: Config, env: NodeJS.ProcessEnv, logger: Logger): string {
  const fromEnv = env.VMARKET_OPERATOR_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  const file = operatorTokenFile(config);
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = newToken();
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  logger.info({ file }, 'generated the operator token (VMARKET_OPERATOR_TOKEN was not set)');
  return token;
}
