/**
 * Reading the audit log: one page of events, newest first, filtered (docs/contracts.md §5). The
 * operator reads every publisher's; a publisher's route passes its own id as `publisher`, so a
 * publisher never sees another's events.
 */
import type { Selectable } from 'kysely';
import type { Db } from '../app/context.ts';
import type { AuditEvent, AuditPage, AuditQuery } from '../contracts/audit.ts';
import { keysetPage } from '../db/pagination.ts';
import type { AuditEventsTable } from '../db/schema.ts';
import { iso } from '../util/dates.ts';

/** `text` as a LIKE pattern that matches it literally, as a prefix. */
function prefixPattern(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function listAuditEvents(db: Db, query: AuditQuery): Promise<AuditPage> {
  let q = db.kysely.selectFrom('audit_events').selectAll();
  if (query.publisher !== undefined) q = q.where('publisher_id', '=', query.publisher);
  if (query.actor !== undefined) q = q.where('actor_kind', '=', query.actor);
  if (query.tokenId !== undefined) q = q.where('token_id', '=', query.tokenId);
  if (query.method !== undefined) q = q.where('method', '=', query.method);
  if (query.route !== undefined) q = q.where('route', '=', query.route);
  if (query.target !== undefined) q = q.where('target', 'like', prefixPattern(query.target));
  if (query.outcome !== undefined) q = q.where('outcome', '=', query.outcome);
  if (query.since !== undefined) q = q.where('at', '>=', new Date(query.since));
  if (query.until !== undefined) q = q.where('at', '<', new Date(query.until));
  const page = await keysetPage(q, { at: 'at', id: 'id', wholeMilliseconds: true }, query, (row) => ({ at: row.at, id: row.id }));
  return { events: page.rows.map(eventView), nextCursor: page.nextCursor };
}

function eventView(row: Selectable<AuditEventsTable>): AuditEvent {
  return {
    id: row.id,
    at: iso(row.at) ?? '',
    actor: { kind: row.actor_kind, publisherId: row.actor_publisher_id, tokenId: row.token_id },
    publisherId: row.publisher_id,
    method: row.method,
    route: row.route,
    target: row.target,
    outcome: row.outcome,
    status: row.status,
    errorCode: row.error_code,
    address: row.address,
    requestId: row.request_id,
  };
}
