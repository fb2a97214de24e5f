/**
 * What every request handler, job handler and sweeper works with: the configuration, the
 * database and queue, the blob stores, the signing key, the notifier. Built once per process by
 * `createAppContext` (src/app/create-context.ts) and passed down explicitly, never imported as a
 * global, so tests can run several servers in one process.
 */
import type { Kysely, Transaction } from 'kysely';
import type { PgBoss, SendOptions } from 'pg-boss';
import type { Logger } from 'pino';
import type { Config } from '../config/load.ts';
import type { RegionConfig } from '../config/schema.ts';
import type { Database } from '../db/schema.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import type { SecretKey } from '../security/secret-box.ts';
import type { BlobStore } from '../storage/types.ts';

export type Trx = Transaction<Database>;

export interface Db {
  readonly mode: 'embedded' | 'postgres';
  /** For single statements outside a transaction (serialized on PGlite's one connection). */
  readonly kysely: Kysely<Database>;
  /**
   * Runs `fn` in one transaction. On PGlite it is exclusive: no other query of this process runs
   * until it ends. Jobs sent with `enqueue(trx, …)` inside it commit or roll back with it.
   */
  transaction<T>(fn: (trx: Trx) => Promise<T>): Promise<T>;
  /** Sends a pg-boss job as part of the transaction `trx`. Returns the job id (null if deduplicated). */
  enqueue(trx: Trx, queue: string, data: object, options?: SendOptions): Promise<string | null>;
  /** The queue engine (for `work`, `createQueue`, and sends outside a transaction). */
  readonly boss: PgBoss;
  close(): Promise<void>;
}

export interface Region {
  config: RegionConfig;
  store: BlobStore;
}

export interface AppContext {
  config: Config;
  db: Db;
  logger: Logger;
  /** Operator regions by name, in config order. */
  regions: Map<string, Region>;
  /** The marketplace's primary store (provisioning copies certified images here). */
  primary: BlobStore;
  /** The operator's environment: the SMTP password and webhook secrets it names (never a publisher's choice). */
  env: NodeJS.ProcessEnv;
  /** Seals the secrets the marketplace keeps (offers' lead signing secrets, src/leads/secrets.ts). */
  secretKey: SecretKey;
  /** The publishing steps in order (src/pipeline/steps/index.ts unless a test builds its own). */
  pipeline: Pipeline;
  /** The operator's bearer token. */
  operatorToken: string;
  /** Base URL of this server for links, e.g. `http://127.0.0.1:8080`. */
  publicUrl: string;
}
