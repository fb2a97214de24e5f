/**
 * Support tickets: `GET /publishers/{pub}/tickets` (the publisher's, newest first, including the
 * ones stuck steps opened by themselves) and `POST` (a publisher or the operator opens one); one
 * ticket with its conversation (`GET …/tickets/{ticketId}`, `POST …/comments`), closing and
 * reopening (`PATCH`); and the operator's list of every publisher's tickets (`GET /tickets`).
 * Another publisher's ticket answers 404, as if it did not exist.
 */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { TicketCommentsTable, TicketsTable } from '../../db/schema.ts';
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { getPublisher, publisherNotFound } from '../../app/publishers.ts';
import { fixed, localizedFields, type Phrase, say } from '../../i18n/localized.ts';
import { offerNotFound } from '../../offers/phrases.ts';
import { VmarketError } from '../../errors.ts';
import { getOfferRow } from '../../offers/repository.ts';
import { actorOf, authorizeOperator, authorizePublisher } from '../auth.ts';
import { API, bearer, errorResponses, iso, publisherParams, type ZodApp } from '../schemas.ts';
import { TICKET_STATUSES, ticketCommentSchema, ticketSchema, ticketWithCommentsSchema } from '../../contracts/index.ts';

const ticketParams = z.object({ pub: z.string().min(1).max(100), ticketId: z.string().min(1).max(100) });

const commentBody = z.object({ body: z.string().trim().min(1).max(10_000) });

const patchTicketBody = z.object({ status: z.enum(TICKET_STATUSES) });

const openTicketBody = z.object({
  title: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(10_000),
  offerId: z.string().min(1).max(100).optional(),
});

type TicketRow = Selectable<TicketsTable>;
type CommentRow = Selectable<TicketCommentsTable>;

function commentView(row: CommentRow): z.infer<typeof ticketCommentSchema> {
  return { id: row.id, author: row.author, body: row.body, createdAt: iso(row.created_at)! };
}

/** The publisher's ticket, or 404 NOT_FOUND (also for another publisher's: it is not revealed). */
const ticketNotFound: Phrase<[string, string]> = {
  en: (ticketId, publisherId) => `The ticket ${ticketId} of publisher ${publisherId} does not exist.`,
  de: (ticketId, publisherId) => `Das Ticket ${ticketId} des Herausgebers ${publisherId} existiert nicht.`,
};

async function requireTicket(ctx: AppContext, publisherId: string, ticketId: string): Promise<TicketRow> {
  const row = await ctx.db.kysely.selectFrom('tickets').selectAll().where('id', '=', ticketId).where('publisher_id', '=', publisherId).executeTakeFirst();
  if (!row) throw new VmarketError('NOT_FOUND', say(ticketNotFound, ticketId, publisherId));
  return row;
}

function ticketView(row: TicketRow): z.infer<typeof ticketSchema> {
  return {
    id: row.id,
    publisherId: row.publisher_id,
    offerId: row.offer_id,
    operationId: row.operation_id,
    stepId: row.step_id,
    source: row.source as 'system' | 'publisher' | 'operator',
    title: row.title,
    body: row.body,
    status: row.status,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    // a system ticket's other languages, swapped in for the caller's (src/server/language.ts)
    ...(row.translations ? { translations: row.translations } : {}),
  };
}

export function ticketRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    `${API}/publishers/:pub/tickets`,
    {
      schema: {
        summary: 'The publisher\'s support tickets, newest first',
        tags: ['tickets'],
        security: bearer,
        params: publisherParams,
        response: { 200: z.object({ tickets: z.array(ticketSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const { pub } = request.params;
      await authorizePublisher(ctx, request, pub);
      const rows = await ctx.db.kysely.selectFrom('tickets').selectAll().where('publisher_id', '=', pub).orderBy('created_at', 'desc').orderBy('id').execute();
      return { tickets: rows.map(ticketView) };
    },
  );

  app.post(
    `${API}/publishers/:pub/tickets`,
    {
      schema: {
        summary: 'Open a support ticket',
        tags: ['tickets'],
        security: bearer,
        params: publisherParams,
        body: openTicketBody,
        response: { 201: ticketSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { pub } = request.params;
      const principal = await authorizePublisher(ctx, request, pub);
      if (principal.kind === 'operator' && !(await getPublisher(ctx.db.kysely, pub))) {
        throw new VmarketError('NOT_FOUND', say(publisherNotFound, pub));
      }
      const { title, body, offerId } = request.body;
      if (offerId !== undefined && !(await getOfferRow(ctx.db.kysely, pub, offerId))) {
        throw new VmarketError('NOT_FOUND', say(offerNotFound, pub, offerId), {
          details: [{ path: 'offerId', ...localizedFields({ message: fixed('no such offer', 'kein solches Angebot') }) }],
        });
      }
      const row = await ctx.db.kysely
        .insertInto('tickets')
        .values({
          id: `tk-${randomUUID()}`,
          publisher_id: pub,
          offer_id: offerId ?? null,
          operation_id: null,
          step_id: null,
          source: principal.kind === 'operator' ? 'operator' : 'publisher',
          title,
          body,
          status: 'open',
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return reply.code(201).header('location', `${API}/publishers/${encodeURIComponent(pub)}/tickets/${row.id}`).send(ticketView(row));
    },
  );

  app.get(
    `${API}/publishers/:pub/tickets/:ticketId`,
    {
      schema: {
        summary: 'One ticket with its conversation (comments oldest first)',
        tags: ['tickets'],
        security: bearer,
        params: ticketParams,
        response: { 200: ticketWithCommentsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { pub, ticketId } = request.params;
      await authorizePublisher(ctx, request, pub);
      const ticket = await requireTicket(ctx, pub, ticketId);
      const comments = await ctx.db.kysely
        .selectFrom('ticket_comments')
        .selectAll()
        .where('ticket_id', '=', ticket.id)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return { ...ticketView(ticket), comments: comments.map(commentView) };
    },
  );

  app.post(
    `${API}/publishers/:pub/tickets/:ticketId/comments`,
    {
      schema: {
        summary: 'Add a comment to the ticket\'s conversation (201)',
        description: 'The body is trimmed and must hold 1..10000 characters (else 422, nothing stored). The ticket\'s updatedAt moves to now.',
        tags: ['tickets'],
        security: bearer,
        params: ticketParams,
        body: commentBody,
        response: { 201: ticketCommentSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { pub, ticketId } = request.params;
      const principal = await authorizePublisher(ctx, request, pub);
      await requireTicket(ctx, pub, ticketId);
      const comment = await ctx.db.transaction(async (trx) => {
        const row = await trx
          .insertInto('ticket_comments')
          .values({ id: `tc-${randomUUID()}`, ticket_id: ticketId, author: actorOf(principal), body: request.body.body })
          .returningAll()
          .executeTakeFirstOrThrow();
        await trx.updateTable('tickets').set({ updated_at: row.created_at }).where('id', '=', ticketId).execute();
        return row;
      });
      return reply.code(201).send(commentView(comment));
    },
  );

  app.patch(
    `${API}/publishers/:pub/tickets/:ticketId`,
    {
      schema: {
        summary: 'Close or reopen the ticket',
        tags: ['tickets'],
        security: bearer,
        params: ticketParams,
        body: patchTicketBody,
        response: { 200: ticketSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { pub, ticketId } = request.params;
      await authorizePublisher(ctx, request, pub);
      await requireTicket(ctx, pub, ticketId);
      const row = await ctx.db.kysely
        .updateTable('tickets')
        .set({ status: request.body.status, updated_at: new Date() })
        .where('id', '=', ticketId)
        .where('publisher_id', '=', pub)
        .returningAll()
        .executeTakeFirstOrThrow();
      return ticketView(row);
    },
  );

  app.get(
    `${API}/tickets`,
    {
      schema: {
        summary: 'Operator: every publisher\'s tickets, newest first (?status=open|closed)',
        tags: ['tickets', 'operator'],
        security: bearer,
        querystring: z.object({ status: z.enum(TICKET_STATUSES).optional() }),
        response: { 200: z.object({ tickets: z.array(ticketSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      await authorizeOperator(ctx, request);
      let query = ctx.db.kysely.selectFrom('tickets').selectAll().orderBy('created_at', 'desc').orderBy('id');
      if (request.query.status) query = query.where('status', '=', request.query.status);
      return { tickets: (await query.execute()).map(ticketView) };
    },
  );
}
