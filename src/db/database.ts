/**
 * Opens vmarket's system of record and its job queue: PGlite under `dataDir` (embedded default)
 * or a PostgreSQL server (`database: postgres://…`), one schema, migrations applied at start, and
 * pg-boss 12 on the same database, so a state change and the job that follows it commit in one
 * transaction (`Db.enqueue(trx, …)`).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { fromKysely, PgBoss, type Db as BossDatabase, type SendOptions } from 'pg-boss';
import type { Logger } from 'pino';
import type { Db, Trx } from '../app/context.ts';
import { auditedTransaction } from '../audit/record.ts';
import type { Config } from '../config/load.ts';
import { VmarketError } from '../errors.ts';
import * as initial from './migrations/001_initial.ts';
import * as ticketComments from './migrations/002_ticket_comments.ts';
import * as ticketTranslations from './migrations/003_ticket_translations.ts';
import * as operationLocale from './migrations/004_operation_locale.ts';
import * as offerLeadSecrets from './migrations/005_offer_lead_secrets.ts';
import * as auditEvents from './migrations/006_audit_events.ts';
import * as diskConversions from './migrations/007_disk_conversions.ts';
import * as testDrives from './migrations/008_test_drives.ts';
import * as bootConsoles from './migrations/009_boot_consoles.ts';
import * as acquisitions from './migrations/010_acquisitions.ts';
import * as certificationSboms from './migrations/011_certification_sboms.ts';
import * as lifecycle from './migrations/012_lifecycle.ts';
import * as streamSigningKeys from './migrations/013_stream_signing_keys.ts';
import { PgliteDialect, runOnPglite, SerialLock } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

/** The migrations in order; a new one is appended here (names sort, Kysely checks the order). */
export const MIGRATIONS: Record<string, Migration> = {
  '001_initial': initial,
  '002_ticket_comments': ticketComments,
  '003_ticket_translations': ticketTranslations,
  '004_operation_locale': operationLocale,
  '005_offer_lead_secrets': offerLeadSecrets,
  '006_audit_events': auditEvents,
  '007_disk_conversions': diskConversions,
  '008_test_drives': testDrives,
  '009_boot_consoles': bootConsoles,
  '010_acquisitions': acquisitions,
  '011_certification_sboms': certificationSboms,
  '012_lifecycle': lifecycle,
  '013_stream_signing_keys': streamSigningKeys,
};

const migrationProvider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}

/** Where the embedded database lives. */
export function embeddedDatabaseDir(config: Config): string {
  return path.join(config.dataDir, 'db');
}

export interface OpenDatabaseOptions {
  /** Start pg-boss's maintenance (monitoring, expiry). Default true. */
  supervise?: boolean;
}

export async function openDatabase(config: Config, logger: Logger, options: OpenDatabaseOptions = {}): Promise<Db> {
  const postgres = isPostgresUrl(config.database);
  if (!postgres && config.database !== 'embedded') {
    throw new VmarketError('CONFIG_INVALID', `database must be "embedded" or a postgres:// URL, not ${JSON.stringify(redactUrl(config.database))}.`);
  }
  return postgres ? openPostgres(config.database, logger, options) : openEmbedded(config, logger, options);
}

async function openEmbedded(config: Config, logger: Logger, options: OpenDatabaseOptions): Promise<Db> {
  const dir = embeddedDatabaseDir(config);
  mkdirSync(dir, { recursive: true });
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dir);
  } catch (error) {
    throw new VmarketError(
      'CONFIG_INVALID',
      `The embedded database in ${dir} could not be opened (is another vmarket process using the same dataDir?): ${(error as Error).message}`,
      { cause: error },
    );
  }
  const lock = new SerialLock();
  const kysely = new Kysely<Database>({ dialect: new PgliteDialect(pglite, lock) });
  const bossDb: BossDatabase = {
    // pg-boss's own statements take the same lock as Kysely's connections (see pglite-dialect.ts).
    executeSql: (text, values) => lock.run(() => runOnPglite(pglite, text, values ?? [])),
  };
  const boss = new PgBoss({ db: bossDb, backend: 'pglite', supervise: options.supervise ?? true, schedule: false });
  return finishOpen('embedded', kysely, boss, logger, async () => {
    await pglite.close();
  });
}

async function openPostgres(url: string, logger: Logger, options: OpenDatabaseOptions): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', (error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed'));
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const boss = new PgBoss({ connectionString: url, max: 4, supervise: options.supervise ?? true, schedule: false });
  return finishOpen('postgres', kysely, boss, logger, async () => {
    await kysely.destroy();
  });
}

async function finishOpen(
  mode: Db['mode'],
  kysely: Kysely<Database>,
  boss: PgBoss,
  logger: Logger,
  closeStore: () => Promise<void>,
): Promise<Db> {
  try {
    await migrate(kysely);
  } catch (error) {
    await closeStore().catch(() => {});
    throw new VmarketError('CONFIG_INVALID', `The database could not be prepared: ${(error as Error).message}`, { cause: error });
  }
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  try {
    await boss.start();
  } catch (error) {
    await closeStore().catch(() => {});
    throw new VmarketError('CONFIG_INVALID', `The job queue could not start: ${(error as Error).message}`, { cause: error });
  }
  let closed = false;
  return {
    mode,
    kysely,
    boss,
    // every transaction of an audited action carries its audit event (src/audit/record.ts)
    transaction: <T>(fn: (trx: Trx) => Promise<T>) => auditedTransaction(kysely, fn),
    enqueue: (trx: Trx, queue: string, data: object, options: SendOptions = {}) =>
      boss.send(queue, data, { ...options, db: fromKysely(trx) }),
    async close() {
      if (closed) return;
      closed = true;
      await boss.stop({ graceful: true, timeout: 10_000 }).catch((error) => logger.warn({ err: error }, 'job queue did not stop cleanly'));
      await closeStore();
    },
  };
}

/** Applies every pending migration; the first failure stops and is reported. */
export async function migrate(kysely: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db: kysely, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message ?? String(error)}`, { cause: error });
  }
}

/** A database URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}

/** Resolves when the database answers a trivial query (readiness, `/readyz`); rejects otherwise. */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db.kysely);
}
