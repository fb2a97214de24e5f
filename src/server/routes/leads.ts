/**
 * `GET /publishers/{pub}/offers/{offer}/leads`: the customers who acquired the offer, newest
 * first, with how their delivery went; `GET /publishers/{pub}/leads` the same for every offer of
 * the publisher. Both are pages (`?limit=&cursor=`, `nextCursor`). `?format=csv` answers the
 * same as CSV (the columns of `vmarket leads list --csv`): an export wants every row, so it walks
 * the pages itself, but stops at LEADS_CSV_MAX_ROWS (one request must not be unbounded work) and
 * then hands the cursor to continue from in the `X-Next-Cursor` header.
 * `GET|POST /publishers/{pub}/offers/{offer}/lead-secret`: the offer's lead signing secret's
 * fingerprint, and its rotation (the only answer besides the first https save showing the secret).
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { requirePublisher } from '../../app/publishers.ts';
import { leadSecretInfo, listLeads, rotateLeadSecret } from '../../leads/index.ts';
import { MAX_PAGE_SIZE, nextCursorSchema, pageQuerySchema, type PageQuery } from '../../contracts/pagination.ts';
import type { Page } from '../../db/pagination.ts';
import { actorOf, authorizePublisher } from '../auth.ts';
import { API, bearer, errorResponses, offerParams, publisherParams, type ZodApp } from '../schemas.ts';
import { type LeadView, leadSchema, leadSecretInfoSchema, leadSecretShownSchema } from '../../contracts/index.ts';

export const LEAD_CSV_COLUMNS = ['id', 'createdAt', 'offer', 'plan', 'subscriptionId', 'name', 'email', 'company', 'kind', 'deliveryStatus'];

function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  // a leading = + - @ would run as a formula in spreadsheets
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function leadsCsv(leads: LeadView[]): string {
  const rows = leads.map((l) => [l.id, l.createdAt, l.offerId, l.planId, l.subscriptionId, l.contact.name, l.contact.email, l.contact.company ?? '', l.kind, l.deliveryStatus]);
  return [LEAD_CSV_COLUMNS, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** The most rows one CSV export answers; the rest follow with the `X-Next-Cursor` header's cursor. */
export const LEADS_CSV_MAX_ROWS = 10_000;

const leadsQuery = pageQuerySchema.extend({ format: z.enum(['json', 'csv']).default('json') });
const leadsAnswer = z.object({ leads: z.array(leadSchema), nextCursor: nextCursorSchema });

type LeadPages = (page: PageQuery) => Promise<Page<LeadView>>;

/** One page as JSON, or for `?format=csv` up to LEADS_CSV_MAX_ROWS rows as CSV. */
async function answerLeads(reply: FastifyReply, query: z.infer<typeof leadsQuery>, pages: LeadPages) {
  if (query.format === 'json') {
    const page = await pages(query);
    return reply.send({ leads: page.rows, nextCursor: page.nextCursor });
  }
  const leads: LeadView[] = [];
  let cursor = query.cursor;
  do {
    const page = await pages({ limit: Math.min(MAX_PAGE_SIZE, LEADS_CSV_MAX_ROWS - leads.length), ...(cursor ? { cursor } : {}) });
    leads.push(...page.rows);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && leads.length < LEADS_CSV_MAX_ROWS);
  if (cursor) reply.header('x-next-cursor', cursor);
  // bypasses the JSON serializer: the answer is text/csv
  return reply.type('text/csv; charset=utf-8').serializer((payload: unknown) => String(payload)).send(leadsCsv(leads) as never);
}

export function leadRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    `${API}/publishers/:pub/offers/:offer/leads`,
    {
      schema: {
        summary: 'The offer\'s leads, newest first, a page at a time (?format=csv for CSV)',
        tags: ['leads'],
        security: bearer,
        params: offerParams,
        querystring: leadsQuery,
        response: { 200: leadsAnswer, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { pub, offer } = request.params;
      await authorizePublisher(ctx, request, pub);
      return answerLeads(reply, request.query, (page) => listLeads(ctx.db, pub, offer, page));
    },
  );

  app.get(
    `${API}/publishers/:pub/leads`,
    {
      schema: {
        summary: 'The leads of every offer of the publisher, newest first (?format=csv for CSV)',
        tags: ['leads'],
        security: bearer,
        params: publisherParams,
        querystring: leadsQuery,
        response: { 200: leadsAnswer, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { pub } = request.params;
      const principal = await authorizePublisher(ctx, request, pub);
      if (principal.kind === 'operator') await requirePublisher(ctx.db, pub);
      return answerLeads(reply, request.query, (page) => listLeads(ctx.db, pub, undefined, page));
    },
  );

  app.get(
    `${API}/publishers/:pub/offers/:offer/lead-secret`,
    {
      schema: {
        summary: 'Whether the offer has a lead signing secret, its fingerprint and creation time (never the secret)',
        tags: ['leads'],
        security: bearer,
        params: offerParams,
        response: { 200: leadSecretInfoSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { pub, offer } = request.params;
      await authorizePublisher(ctx, request, pub);
      return leadSecretInfo(ctx.db, pub, offer);
    },
  );

  app.post(
    `${API}/publishers/:pub/offers/:offer/lead-secret`,
    {
      schema: {
        summary: 'Generate a new lead signing secret for the offer (shown in this answer only)',
        description: 'Leads sent from now on are signed with the new secret; the previous one stops verifying at once.',
        tags: ['leads'],
        security: bearer,
        params: offerParams,
        response: { 200: leadSecretShownSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { pub, offer } = request.params;
      const principal = await authorizePublisher(ctx, request, pub);
      const shown = await rotateLeadSecret(ctx, pub, offer);
      // who and which secret (its fingerprint), never the secret
      request.log.info({ publisher: pub, offer, actor: actorOf(principal), fingerprint: shown.fingerprint }, 'lead signing secret rotated');
      // a secret: no cache may keep this answer
      return reply.header('cache-control', 'no-store').send(shown);
    },
  );
}
