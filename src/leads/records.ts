/**
 * The stored leads as the publisher reads them (`GET …/leads`, `vmarket leads list`): newest
 * first, with how their delivery went. Writing them is the acquire path's (src/catalog) and the
 * package step's; recording delivery outcomes is the worker's (./worker.ts).
 */
import type { Selectable } from 'kysely';
import type { Db } from '../app/context.ts';
import type { LeadsTable } from '../db/schema.ts';
import { keysetPage, type Page } from '../db/pagination.ts';
import { VmarketError } from '../errors.ts';
import type { PageQuery } from '../contracts/pagination.ts';
import { getOfferRow } from '../offers/repository.ts';
import { iso } from '../util/dates.ts';
import type { LeadView } from '../contracts/index.ts';

function leadRecord(r: Selectable<LeadsTable>): LeadView {
  return {
    id: r.id,
    offerId: r.offer_id,
    planId: r.plan_id,
    subscriptionId: r.subscription_id,
    contact: r.contact,
    kind: r.kind,
    deliveryStatus: r.delivery_status,
    deliveryAttempts: r.delivery_attempts,
    lastError: r.last_error,
    createdAt: iso(r.created_at)!,
    deliveredAt: iso(r.delivered_at),
  };
}

/**
 * One page of the publisher's leads, newest first: of one offer (`offerId`; 404 NOT_FOUND when
 * the publisher has no such offer) or of all its offers.
 */
export async function listLeads(db: Db, publisherId: string, offerId: string | undefined, page: PageQuery): Promise<Page<LeadView>> {
  let query = db.kysely.selectFrom('leads').selectAll().where('publisher_id', '=', publisherId);
  if (offerId !== undefined) {
    // English only, as this answer has always been; the offer routes answer offers/phrases.ts's
    // offerNotFound, which has the German too
    if (!(await getOfferRow(db.kysely, publisherId, offerId))) throw new VmarketError('NOT_FOUND', `The offer ${publisherId}/${offerId} does not exist.`);
    query = query.where('offer_id', '=', offerId);
  }
  const found = await keysetPage(query, { at: 'created_at', id: 'id' }, page, (r) => ({ at: r.created_at, id: r.id }));
  return { rows: found.rows.map(leadRecord), nextCursor: found.nextCursor };
}

/** Leads per delivery status, for the `vmarket_leads` gauge (src/server/metrics.ts). */
export async function countLeadsByStatus(db: Db): Promise<Map<string, number>> {
  const rows = await db.kysely.selectFrom('leads').select((eb) => ['delivery_status', eb.fn.countAll<string>().as('n')]).groupBy('delivery_status').execute();
  return new Map(rows.map((r) => [r.delivery_status, Number(r.n)]));
}
