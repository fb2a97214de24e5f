/**
 * Support tickets: `GET /publishers/{pub}/tickets` (the publisher's, newest first, including the
 * ones stuck steps opened by themselves) and `POST` (a publisher or the operator opens one).
 */
import type { Selectable } from 'kysely';
import type { TicketsTable } from '../../db/schema.ts';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { getPublisher } from '../../app/publishers.ts';
import { VmarketError } from '../../errors.ts';
import { getOfferRow } from '../../offers/repository.ts';
import { authorizePublisher } from '../auth.ts';
import { API, bearer, errorResponses, iso, publisherParams, type ZodApp } from '../schemas.ts';

export const ticketSchema = z
  .object({
    id: z.string(),
    publisherId: z.string(),
    offerId: z.string().nullable(),
    operationId: z.string().nullable(),
    stepId: z.string().nullable(),
    source: z.enum(['system', 'publisher', 'operator']).describe('system: opened by a stuck step.'),
    title: z.string(),
    body: z.string(),
    status: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Ticket' });

const openTicketBody = z.object({
  title: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(10_000),
  offerId: z.string().min(1).max(100).optional(),
});

type TicketRow = Selectable<TicketsTable>;

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
        throw new VmarketError('NOT_FOUND', `The publisher ${pub} does not exist.`);
      }
      const { title, body, offerId } = request.body;
      if (offerId !== undefined && !(await getOfferRow(ctx.db.kysely, pub, offerId))) {
        throw new VmarketError('NOT_FOUND', `The offer ${pub}/${offerId} does not exist.`, { details: [{ path: 'offerId', message: 'no such offer' }] });
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
}
