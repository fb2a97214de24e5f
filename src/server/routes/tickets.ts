/**
 * Support tickets: `GET /publishers/{pub}/tickets` (the publisher's, newest first, including the
 * ones stuck steps opened by themselves) and `POST` (a publisher or the operator opens one); one
 * ticket with its conversation (`GET …/tickets/{ticketId}`, `POST …/comments`), closing and
 * reopening (`PATCH`); and the operator's list of every publisher's tickets (`GET /tickets`).
 * Another publisher's ticket answers 404, as if it did not exist.
 */
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { nextCursorSchema, pageQuerySchema } from '../../contracts/pagination.ts';
import { addTicketComment, getTicket, listTickets, openTicket, setTicketStatus } from '../../tickets/index.ts';
import { actorOf, authorizeOperator, authorizePublisher } from '../auth.ts';
import { API, bearer, errorResponses, publisherParams, type ZodApp } from '../schemas.ts';
import { TICKET_STATUSES, ticketCommentSchema, ticketSchema, ticketWithCommentsSchema } from '../../contracts/index.ts';

const ticketParams = z.object({ pub: z.string().min(1).max(100), ticketId: z.string().min(1).max(100) });

const commentBody = z.object({ body: z.string().trim().min(1).max(10_000) });

const patchTicketBody = z.object({ status: z.enum(TICKET_STATUSES) });

const openTicketBody = z.object({
  title: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(10_000),
  offerId: z.string().min(1).max(100).optional(),
});

/** A page of tickets, newest first. */
const ticketsAnswer = z.object({ tickets: z.array(ticketSchema), nextCursor: nextCursorSchema });

export function ticketRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    `${API}/publishers/:pub/tickets`,
    {
      schema: {
        summary: 'The publisher\'s support tickets, newest first',
        tags: ['tickets'],
        security: bearer,
        params: publisherParams,
        querystring: pageQuerySchema,
        response: { 200: ticketsAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const { pub } = request.params;
      await authorizePublisher(ctx, request, pub);
      const page = await listTickets(ctx.db, { publisherId: pub }, request.query);
      return { tickets: page.rows, nextCursor: page.nextCursor };
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
      const ticket = await openTicket(ctx.db, { publisherId: pub, source: principal.kind === 'operator' ? 'operator' : 'publisher', ...request.body });
      return reply.code(201).header('location', `${API}/publishers/${encodeURIComponent(pub)}/tickets/${ticket.id}`).send(ticket);
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
      return getTicket(ctx.db, pub, ticketId);
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
      const comment = await addTicketComment(ctx.db, pub, ticketId, { author: actorOf(principal), body: request.body.body });
      return reply.code(201).send(comment);
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
      return setTicketStatus(ctx.db, pub, ticketId, request.body.status);
    },
  );

  app.get(
    `${API}/tickets`,
    {
      schema: {
        summary: 'Operator: every publisher\'s tickets, newest first (?status=open|closed)',
        tags: ['tickets', 'operator'],
        security: bearer,
        querystring: pageQuerySchema.extend({ status: z.enum(TICKET_STATUSES).optional() }),
        response: { 200: ticketsAnswer, ...errorResponses },
      },
    },
    async (request) => {
      await authorizeOperator(ctx, request);
      const { status, ...pageQuery } = request.query;
      const page = await listTickets(ctx.db, status ? { status } : {}, pageQuery);
      return { tickets: page.rows, nextCursor: page.nextCursor };
    },
  );
}
