/**
 * A Kysely dialect over one PGlite instance that shares a lock with pg-boss.
 *
 * PGlite is a single connection. Kysely's transactions are `BEGIN … COMMIT` on a connection it
 * holds, and pg-boss polls on its own; without one lock around both, a poll would land inside an
 * open transaction (and commit or roll back with it). So every Kysely connection and every
 * pg-boss statement takes the same `SerialLock`: a transaction holds it from BEGIN to COMMIT,
 * single statements take it for one round trip. Jobs sent inside a transaction go through that
 * transaction (pg-boss's `fromKysely(trx)`), so they never wait for the lock they already hold.
 */
import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/** A FIFO mutex: `run` executes its callback when every earlier holder has released. */
export class SerialLock {
  #tail: Promise<void> = Promise.resolve();

  async acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => next);
    await previous;
    return release;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/**
 * Runs one statement. Parameterless text may hold several statements (migrations, pg-boss's
 * schema and its `BEGIN … COMMIT` blocks); PGlite's `query` takes one statement only, so such text
 * goes through `exec` and the rows of every statement are returned (a RETURNING in the middle of
 * a block is not lost behind its COMMIT).
 */
export async function runOnPglite(pglite: PGlite, text: string, values: readonly unknown[] = []): Promise<{ rows: any[]; affectedRows?: number }> {
  if (values.length > 0) {
    const result = await pglite.query(text, values as unknown[]);
    return { rows: result.rows as any[], affectedRows: result.affectedRows };
  }
  const results = await pglite.exec(text);
  const last = results[results.length - 1];
  return { rows: results.flatMap((r) => r.rows as any[]), affectedRows: last?.affectedRows };
}

class PgliteConnection implements DatabaseConnection {
  readonly #pglite: PGlite;
  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const { rows, affectedRows } = await runOnPglite(this.#pglite, compiled.sql, compiled.parameters);
    const kind = compiled.query?.kind;
    const mutates = kind === 'InsertQueryNode' || kind === 'UpdateQueryNode' || kind === 'DeleteQueryNode' || kind === 'MergeQueryNode';
    return {
      rows: rows as R[],
      ...(mutates && affectedRows !== undefined ? { numAffectedRows: BigInt(affectedRows) } : {}),
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on the embedded database');
  }
}

class PgliteDriver implements Driver {
  readonly #pglite: PGlite;
  readonly #lock: SerialLock;
  readonly #releases = new WeakMap<DatabaseConnection, () => void>();

  constructor(pglite: PGlite, lock: SerialLock) {
    this.#pglite = pglite;
    this.#lock = lock;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.#lock.acquire();
    const connection = new PgliteConnection(this.#pglite);
    this.#releases.set(connection, release);
    return connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel ? ` ISOLATION LEVEL ${settings.isolationLevel.toUpperCase()}` : '';
    await connection.executeQuery(CompiledQuery.raw(`BEGIN${isolation}`));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.#releases.get(connection)?.();
    this.#releases.delete(connection);
  }

  async destroy(): Promise<void> {}
}

export class PgliteDialect implements Dialect {
  readonly #pglite: PGlite;
  readonly #lock: SerialLock;

  constructor(pglite: PGlite, lock: SerialLock) {
    this.#pglite = pglite;
    this.#lock = lock;
  }

  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PgliteDriver(this.#pglite, this.#lock);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}
