/**
 * Support tickets: a publisher's (and the operator's) conversations about an offer, and the
 * `system` tickets stuck steps open (./stuck.ts). Every ticket query lives here; the routes
 * (src/server/routes/tickets.ts) authorise and call one function. Tickets are answered in the
 * API's shape; another publisher's ticket is NOT_FOUND, exactly as one that does not exist, so
 * ids are not revealed across publishers.
 */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Db } from '../app/context.ts';
import { noteAuditTarget } from '../audit/scope.ts';
import { requirePublisher } from '../app/publishers.ts';
import type { TicketCommentsTable, TicketsTable } from '../db/schema.ts';
import { keysetPage, type Page } from '../db/pagination.ts';
import { VmarketError } from '../errors.ts';
import type { PageQuery } from '../contracts/pagination.ts';
import { localizedFields, say, type Translations } from '../i18n/localized.ts';
import { offerNotFound } from '../offers/phrases.ts';
import { getOfferRow } from '../offers/repository.ts';
import { iso } from '../util/dates.ts';
import type { Ticket as TicketView, TicketComment, TicketStatus, TicketWithComments as TicketWithCommentsView } from '../contracts/index.ts';
import { noSuchOffer, ticketNotFound } from './texts.ts';

/** A ticket as the API answers it; a system ticket carries its other languages (src/i18n). */
export type Ticket = TicketView & { translations?: Translations };
export type TicketWithComments = TicketWithCommentsView & { translations?: Translations };

type TicketRow = Selectable<TicketsTable>;
type CommentRow = Selectable<TicketCommentsTable>;

function ticketView(row: TicketRow): Ticket {
  return {
    id: row.id,
    publisherId: row.publisher_id,
    offerId: row.offer_id,
    operationId: row.operation_id,
    stepId: row.step_id,
    source: row.source,
    title: row.title,
    body: row.body,
    status: row.status,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    ...(row.translations ? { translations: row.translations } : {}),
  };
}

function commentView(row: CommentRow): TicketComment {
  return { id: row.id, author: row.author, body: row.body, createdAt: iso(row.created_at)! };
}

/** The publisher's ticket row, or 404 NOT_FOUND (also for another publisher's). */
async function requireTicket(db: Db, publisherId: string, ticketId: string): Promise<TicketRow> {
  const row = await db.kysely.selectFrom('tickets').selectAll().where('id', '=', ticketId).where('publisher_id', '=', publisherId).executeTakeFirst();
  if (!row) throw new VmarketError('NOT_FOUND', say(ticketNotFound, ticketId, publisherId));
  return row;
}

/**
 * One page of tickets, newest first: one publisher's (`publisherId`, the stuck steps' included)
 * or every publisher's (the operator's list), optionally only those with `status`.
 */
export async function listTickets(db: Db, filter: { publisherId?: string; status?: TicketStatus }, page: PageQuery): Promise<Page<Ticket>> {
  let query = db.kysely.selectFrom('tickets').selectAll();
  if (filter.publisherId !== undefined) query = query.where('publisher_id', '=', filter.publisherId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  const found = await keysetPage(query, { at: 'created_at', id: 'id' }, page, (r) => ({ at: r.created_at, id: r.id }));
  return { rows: found.rows.map(ticketView), nextCursor: found.nextCursor };
}

/** One ticket of the publisher with its conversation, oldest comment first. 404 NOT_FOUND. */
export async function getTicket(db: Db, publisherId: string, ticketId: string): Promise<TicketWithComments> {
  const ticket = await requireTicket(db, publisherId, ticketId);
  const comments = await db.kysely.selectFrom('ticket_comments').selectAll().where('ticket_id', '=', ticket.id).orderBy('created_at').orderBy('id').execute();
  return { ...ticketView(ticket), comments: comments.map(commentView) };
}

export interface OpenTicketInput {
  publisherId: string;
  /** Who opens it: the publisher itself or the operator on its behalf. */
  source: 'publisher' | 'operator';
  title: string;
  body: string;
  /** The offer it is about; must be one of the publisher's (404 NOT_FOUND otherwise). */
  offerId?: string;
}

/**
 * Opens a ticket (status `open`). The operator may name any publisher id, so for the operator
 * the publisher must exist (404 NOT_FOUND); a publisher's own token already proves it exists.
 */
export async function openTicket(db: Db, input: OpenTicketInput): Promise<Ticket> {
  const { publisherId, offerId } = input;
  if (input.source === 'operator') await requirePublisher(db, publisherId);
  if (offerId !== undefined && !(await getOfferRow(db.kysely, publisherId, offerId))) {
    throw new VmarketError('NOT_FOUND', say(offerNotFound, publisherId, offerId), {
      details: [{ path: 'offerId', ...localizedFields({ message: noSuchOffer }) }],
    });
  }
  const id = `tk-${randomUUID()}`;
  noteAuditTarget(`ticket ${publisherId}/${id}`);
  // a transaction, so the audit event commits with the ticket (src/audit/)
  const row = await db.transaction((trx) =>
    trx
      .insertInto('tickets')
      .values({
        id,
        publisher_id: publisherId,
        offer_id: offerId ?? null,
        operation_id: null,
        step_id: null,
        source: input.source,
        title: input.title,
        body: input.body,
        status: 'open',
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return ticketView(row);
}

/**
 * Adds a comment to the publisher's ticket and moves the ticket's `updatedAt` to the comment's
 * time, both in one transaction. 404 NOT_FOUND.
 */
export async function addTicketComment(db: Db, publisherId: string, ticketId: string, comment: { author: string; body: string }): Promise<TicketComment> {
  await requireTicket(db, publisherId, ticketId);
  const row = await db.transaction(async (trx) => {
    const inserted = await trx
      .insertInto('ticket_comments')
      .values({ id: `tc-${randomUUID()}`, ticket_id: ticketId, author: comment.author, body: comment.body })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx.updateTable('tickets').set({ updated_at: inserted.created_at }).where('id', '=', ticketId).execute();
    return inserted;
  });
  return commentView(row);
}

/** Closes or reopens the publisher's ticket. 404 NOT_FOUND. */
export async function setTicketStatus(db: Db, publisherId: string, ticketId: string, status: TicketStatus): Promise<Ticket> {
  await requireTicket(db, publisherId, ticketId);
  // a transaction, so the audit event commits with the change (src/audit/)
  const row = await db.transaction((trx) =>
    trx
      .updateTable('tickets')
      .set({ status, updated_at: new Date() })
      .where('id', '=', ticketId)
      .where('publisher_id', '=', publisherId)
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return ticketView(row);
}
