/**
 * The test_drives rows (migration 008): what the limits count, what the customer and the
 * operator read. Every query of the test drives is here; the manager (./manager.ts) holds the VMs.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Trx } from '../app/context.ts';
import type { OperatorTestDrive, TestDriveEndReason, TestDriveStatus, TestDriveView } from '../contracts/index.ts';
import type { Database, TestDrivesTable } from '../db/schema.ts';
import { iso } from '../util/dates.ts';

export type TestDriveRow = Selectable<TestDrivesTable>;
type Q = Kysely<Database> | Trx;

export const OPEN_STATUSES: TestDriveStatus[] = ['starting', 'running'];

export async function getTestDriveRow(db: Q, id: string): Promise<TestDriveRow | undefined> {
  return db.selectFrom('test_drives').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Test drives starting or running: every one (hot instances included), or one customer's. */
export async function countOpen(db: Q, subscriptionId?: string): Promise<number> {
  let query = db.selectFrom('test_drives').select((eb) => eb.fn.countAll<string>().as('n')).where('status', 'in', OPEN_STATUSES);
  if (subscriptionId !== undefined) query = query.where('subscription_id', '=', subscriptionId);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

/** Test drives the customer started since `since` (taken hot instances included). */
export async function countStartsSince(db: Q, subscriptionId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('test_drives')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('subscription_id', '=', subscriptionId)
    .where('started_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The open rows, oldest first: of one owner, or all. */
export async function listOpenRows(db: Q, owner?: string): Promise<TestDriveRow[]> {
  let query = db.selectFrom('test_drives').selectAll().where('status', 'in', OPEN_STATUSES);
  if (owner !== undefined) query = query.where('owner', '=', owner);
  return query.orderBy('created_at').orderBy('id').execute();
}

/**
 * Marks open rows ended (or failed): answers the ids it changed, so a row is ended once however
 * many paths (timer, sweep, customer, operator, exit) race for it.
 */
export async function markEnded(
  db: Q,
  ids: string[],
  reason: TestDriveEndReason,
  at: Date,
  options: { status?: 'ended' | 'failed'; error?: string } = {},
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('test_drives')
    .set({ status: options.status ?? 'ended', end_reason: reason, ended_at: at, ...(options.error ? { error: options.error.slice(0, 2000) } : {}) })
    .where('id', 'in', ids)
    .where('status', 'in', OPEN_STATUSES)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export function operatorView(row: TestDriveRow): OperatorTestDrive {
  return {
    id: row.id,
    offer: `${row.publisher_id}.${row.offer_id}`,
    plan: row.plan_id,
    region: row.region,
    status: row.status,
    hot: row.hot,
    subscriptionId: row.subscription_id,
    email: row.email,
    createdAt: iso(row.created_at)!,
    startedAt: iso(row.started_at),
    expiresAt: iso(row.expires_at),
    leadId: row.lead_id,
  };
}

export interface Credentials {
  user: string;
  password: string | null;
  privateKeyAvailable: boolean;
}

export function customerView(row: TestDriveRow, credentials: Credentials, userManualUrl: string | null, now: Date): TestDriveView {
  const expires = row.expires_at ? new Date(row.expires_at) : now;
  const open = OPEN_STATUSES.includes(row.status);
  return {
    id: row.id,
    offer: `${row.publisher_id}.${row.offer_id}`,
    plan: row.plan_id,
    region: row.region,
    status: row.status,
    startedAt: iso(row.started_at ?? row.created_at)!,
    expiresAt: expires.toISOString(),
    endedAt: iso(row.ended_at),
    endReason: row.end_reason,
    secondsLeft: open ? Math.max(0, Math.ceil((expires.getTime() - now.getTime()) / 1000)) : 0,
    login: open ? credentials : { user: credentials.user, password: null, privateKeyAvailable: false },
    userManualUrl,
    leadId: row.lead_id ?? '',
  };
}
