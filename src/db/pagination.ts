/**
 * Keyset pagination over `(time column, id)`: a page continues strictly after the last row of the
 * previous one, so pages stay stable while rows are added and cost the same at any depth (no
 * OFFSET). The cursor is base64url JSON of that last row's key; a cursor that does not decode is
 * one clear 400, never a server error.
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import type { PageQuery } from '../contracts/pagination.ts';
import { VmarketError } from '../errors.ts';

interface CursorKey {
  /** The sort column's value of the last row, as an ISO timestamp. */
  at: string;
  /** The id of the last row (the tie-break). */
  id: string;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([key.at, key.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' && !Number.isNaN(Date.parse(value[0]))) {
      return { at: value[0], id: value[1] };
    }
  } catch {
    // answered below
  }
  throw invalidCursor();
}

/** The one answer to a cursor this server did not give out (also for lists paged in memory). */
export function invalidCursor(): VmarketError {
  return new VmarketError('BAD_REQUEST', 'The cursor is not valid: pass back the nextCursor of the previous page unchanged.', {
    details: [{ path: 'cursor', message: 'not a cursor this server gave out' }],
  });
}

export interface KeysetOrder {
  /** The time column pages are ordered by, e.g. `created_at`. */
  at: string;
  /** The unique id column that breaks ties, e.g. `id`. */
  id: string;
  /** `desc`: newest first (the default of every list); ties are broken by ascending id either way. */
  direction?: 'asc' | 'desc';
  /**
   * The column holds whole milliseconds already (`timestamptz(3)`): it is compared and ordered
   * as it is, so an index on `(at, id)` serves the page instead of a sort of every row.
   */
  wholeMilliseconds?: boolean;
}

export interface Page<R> {
  rows: R[];
  nextCursor: string | null;
}

/**
 * Runs `query` for one page: ordered by `order`, continuing after `page.cursor`, at most
 * `page.limit` rows. `keyOf` gives a row's key (its time as Date or string, and id) for the next cursor.
 */
export async function keysetPage<DB, TB extends keyof DB, R>(
  query: SelectQueryBuilder<DB, TB, R>,
  order: KeysetOrder,
  page: PageQuery,
  keyOf: (row: R) => { at: Date | string; id: string },
): Promise<Page<R>> {
  const direction = order.direction ?? 'desc';
  // the column names come from our own code, never from a request. The time is compared and
  // ordered at millisecond precision, the precision a cursor (a JS Date) carries: PostgreSQL keeps
  // microseconds, and comparing those against a truncated cursor would skip rows.
  const at = (order.wholeMilliseconds ? sql.ref(order.at) : sql`date_trunc('milliseconds', ${sql.ref(order.at)})`) as any;
  const id = order.id as any;
  let q = query;
  if (page.cursor !== undefined) {
    const after = decodeCursor(page.cursor);
    const moment = new Date(after.at);
    q = q.where((eb: any) => eb.or([eb(at, direction === 'desc' ? '<' : '>', moment), eb.and([eb(at, '=', moment), eb(id, '>', after.id)])]));
  }
  const rows = await q.orderBy(at, direction).orderBy(id, 'asc').limit(page.limit + 1).execute();
  const more = rows.length > page.limit;
  const shown = more ? rows.slice(0, page.limit) : rows;
  const last = shown.at(-1);
  if (!more || last === undefined) return { rows: shown, nextCursor: null };
  const key = keyOf(last);
  return { rows: shown, nextCursor: encodeCursor({ at: key.at instanceof Date ? key.at.toISOString() : new Date(key.at).toISOString(), id: key.id }) };
}
