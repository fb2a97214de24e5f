/**
 * rpm's SQLite database `rpmdb.sqlite` (RHEL 9+, Fedora, current SUSE): the header blobs are the
 * rows of `Packages(hnum INTEGER PRIMARY KEY, blob BLOB)`. SQLite opens files only, so the
 * database (and its write-ahead log, where rpm's last transactions may still be) is copied out
 * of the guest into a private temporary directory, each capped in size, then opened read-only
 * without extensions and without trusted schema. `Packages` is checked to be a plain table with
 * stored columns before the one query runs: the file is the publisher's, and a view, a virtual
 * table or a generated column is code SQLite would run inside the server (a view over a
 * recursive CTE never ends).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { VmarketError } from '../../../errors.ts';
import type { GuestFs } from '../../fs/types.ts';
import { corrupt, unsupported } from './errors.ts';
import { readGuestFile } from './guest-bytes.ts';
import { HeaderCollector, type StoredHeaders } from './stored.ts';
import * as text from './texts.ts';

const TABLE = 'Packages';

export async function readSqliteHeaders(fs: GuestFs, file: string, maxBytes: number, maxHeaders: number): Promise<StoredHeaders> {
  const bytes = await readGuestFile(fs, file, maxBytes);
  const wal = (await fs.stat(`${file}-wal`).catch(() => null))?.type === 'file' ? await readGuestFile(fs, `${file}-wal`, maxBytes) : null;
  const { DatabaseSync } = await import('node:sqlite');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmarket-rpmdb-'));
  try {
    const local = path.join(dir, 'rpmdb.sqlite');
    await writeFile(local, bytes);
    if (wal) await writeFile(`${local}-wal`, wal);
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(local, { readOnly: true, allowExtension: false });
    } catch (error) {
      throw corrupt(text.sqliteFailed((error as Error).message));
    }
    try {
      return queryHeaders(db, maxHeaders);
    } catch (error) {
      if (error instanceof VmarketError) throw error;
      // node:sqlite throws plain Errors for a damaged file ("database disk image is malformed")
      throw corrupt(text.sqliteFailed((error as Error).message));
    } finally {
      db.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function queryHeaders(db: DatabaseSync, maxHeaders: number): StoredHeaders {
  // functions in the schema (views, triggers, defaults) are not trusted to run
  db.exec('PRAGMA trusted_schema = OFF; PRAGMA query_only = ON;');
  checkPackagesTable(db);
  const collector = new HeaderCollector(maxHeaders);
  const query = db.prepare(`SELECT hnum, blob FROM ${TABLE} ORDER BY hnum LIMIT ?`);
  for (const row of query.iterate(maxHeaders + 1) as Iterable<{ hnum: unknown; blob: unknown }>) {
    const id = Number(row.hnum);
    if (!(row.blob instanceof Uint8Array)) {
      collector.skip(text.sqliteNotBlob, Number.isSafeInteger(id) ? id : undefined);
      continue;
    }
    if (!collector.add(id, Buffer.from(row.blob.buffer, row.blob.byteOffset, row.blob.byteLength))) break;
  }
  return collector.result;
}

function checkPackagesTable(db: DatabaseSync): void {
  const row = db.prepare("SELECT type, sql FROM sqlite_schema WHERE name = ? COLLATE NOCASE AND type IN ('table', 'view')").get(TABLE) as
    | { type: string; sql: string | null }
    | undefined;
  if (!row) throw corrupt(text.sqliteNoTable);
  if (row.type !== 'table') throw unsupported(text.sqliteNotTable(row.type));
  if (/^\s*CREATE\s+VIRTUAL\b/i.test((row.sql ?? '').slice(0, 64))) throw unsupported(text.sqliteVirtual);
  const columns = db.prepare(`PRAGMA table_xinfo(${TABLE})`).all() as { name: string; hidden: number }[];
  const computed = columns.find((c) => c.hidden !== 0);
  if (computed) throw unsupported(text.sqliteComputed(computed.name));
  const names = new Set(columns.map((c) => c.name.toLowerCase()));
  if (!names.has('hnum') || !names.has('blob')) throw corrupt(text.sqliteColumns);
}
