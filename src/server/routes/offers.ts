/**
 * A publisher's offers (CONTRACTS §5): drafts with etags (PUT/GET, `If-Match`), the slots
 * (`?slot=draft|preview|live`), the list with statuses, and the publishing actions — publish,
 * status, golive, cancel, the certification report and its manual review (operator).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { getPublisher, publisherNotFound } from '../../app/publishers.ts';
import { VmarketError } from '../../errors.ts';
import { getOfferRow, listOfferRows, type OfferRow, putDraft } from '../../offers/repository.ts';
import { offerSchema } from '../../offers/schema.ts';
import { validateOffer } from '../../offers/validate.ts';
import { offerNotFound } from '../../offers/phrases.ts';
import { fixed, localizedFields, type Phrase, say } from '../../i18n/localized.ts';
import type { SlotDocument } from '../../pipeline/packages.ts';
import {
  cancelOperation,
  getCertificationReport,
  goLive,
  publishOffer,
  reviewCertification,
} from '../../pipeline/service.ts';
import { actorOf, authorizeOperator, authorizePublisher, type Principal } from '../auth.ts';
import { requestLocale } from '../language.ts';
import { passThroughBody } from '../validation.ts';
import { API, bearer, errorResponses, iso, offerParams, publisherParams, shaped, type ZodApp } from '../schemas.ts';
import {
  certificationReportSchema,
  draftSavedSchema,
  offerSlotNameSchema,
  offerSlotSchema,
  offerStatusSchema,
  offerStatusValueSchema,
  offerSummarySchema,
  operationRefSchema,
  publishAnswerSchema,
  REVIEW_DECISIONS,
  reviewAnswerSchema,
} from '../../contracts/index.ts';
import { offerStatusDocument } from './status-events.ts';

const publishBody = z
  .object({
    notifyEmails: z.array(z.email()).max(50).optional().describe('Told about sign-off, success, failure, cancel and stuck steps.'),
  })
  .nullish();

const reviewBody = z.object({
  decision: z.enum(REVIEW_DECISIONS),
  feedback: z.string().max(5000).optional().describe('Shown to the publisher; expected with a rejection.'),
});

/** The offer document as the PUT body: documented with the offer schema, checked by `validateOffer`. */
const offerBody = passThroughBody(offerSchema.meta({ id: 'Offer', description: 'An offer file (CONTRACTS §2).' }));

/** Latest operation status per offer of a publisher. */
async function latestStatuses(ctx: AppContext, publisherId: string, offerId?: string): Promise<Map<string, { id: string; status: string }>> {
  let query = ctx.db.kysely
    .selectFrom('operations')
    .select(['offer_id', 'id', 'status', 'created_at'])
    .where('publisher_id', '=', publisherId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc');
  if (offerId !== undefined) query = query.where('offer_id', '=', offerId);
  const latest = new Map<string, { id: string; status: string }>();
  for (const row of await query.execute()) if (!latest.has(row.offer_id)) latest.set(row.offer_id, { id: row.id, status: row.status });
  return latest;
}

type PublishStatus = z.infer<typeof offerStatusValueSchema>;

const nothingSaved: Phrase<[number]> = {
  en: (count) => `The offer has ${count} problem${count === 1 ? '' : 's'}; nothing was saved.`,
  de: (count) => `Das Angebot hat ${count} ${count === 1 ? 'Problem' : 'Probleme'}; nichts wurde gespeichert.`,
};
const SLOT_DE: Record<string, string> = { live: 'Live-Version', preview: 'Vorschau-Version' };
const noSlotVersion: Phrase<[string, string, string]> = {
  en: (pub, offer, slot) => `The offer ${pub}/${offer} has no ${slot} version.`,
  de: (pub, offer, slot) => `Das Angebot ${pub}/${offer} hat keine ${SLOT_DE[slot] ?? slot}.`,
};
const notCertified: Phrase<[string, string]> = {
  en: (pub, offer) => `The offer ${pub}/${offer} has not been certified yet.`,
  de: (pub, offer) => `Das Angebot ${pub}/${offer} wurde noch nicht zertifiziert.`,
};

function statusOf(latest: { status: string } | undefined): PublishStatus {
  return (latest?.status ?? 'neverPublished') as PublishStatus;
}

function quoted(etag: string): string {
  return `"${etag}"`;
}

/** The publisher must exist (the operator may name any id); 404 NOT_FOUND otherwise. */
async function requirePublisher(ctx: AppContext, principal: Principal, publisherId: string): Promise<void> {
  if (principal.kind === 'publisher') return;
  if (!(await getPublisher(ctx.db.kysely, publisherId))) throw new VmarketError('NOT_FOUND', say(publisherNotFound, publisherId));
}

async function requireOfferRow(ctx: AppContext, publisherId: string, offerId: string): Promise<OfferRow> {
  const row = await getOfferRow(ctx.db.kysely, publisherId, offerId);
  if (!row) throw new VmarketError('NOT_FOUND', say(offerNotFound, publisherId, offerId));
  return row;
}

export function offerRoutes(app: ZodApp, ctx: AppContext): void {
  const base = `${API}/publishers/:pub/offers`;

  app.get(
    base,
    {
      schema: {
        summary: 'The publisher\'s offers with their status and etag',
        tags: ['offers'],
        security: bearer,
        params: publisherParams,
        response: { 200: z.object({ offers: z.array(offerSummarySchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const { pub } = request.params;
      const principal = await authorizePublisher(ctx, request, pub);
      await requirePublisher(ctx, principal, pub);
      const [rows, latest] = await Promise.all([listOfferRows(ctx.db.kysely, pub), latestStatuses(ctx, pub)]);
      return {
        offers: rows.map((row) => {
          const listing = (row.draft as { listing?: { title?: unknown } }).listing;
          return {
            id: row.id,
            publisher: row.publisher_id,
            status: statusOf(latest.get(row.id)),
            etag: row.etag,
            operationId: latest.get(row.id)?.id ?? null,
            title: typeof listing?.title === 'string' ? listing.title : null,
            hasPreview: row.preview !== null,
            live: row.live !== null,
            liveAt: iso(row.live_at),
            updatedAt: iso(row.updated_at),
          };
        }),
      };
    },
  );

  app.put(
    `${base}/:offer`,
    {
      schema: {
        summary: 'Create (201) or update (200) the offer\'s draft; If-Match for optimistic locking (412)',
        description:
          'The body is checked in full (schema, regions, categories, image sources) and every problem is answered at once (422 with details[{path, message}]).',
        tags: ['offers'],
        security: bearer,
        params: offerParams,
        headers: z.looseObject({
          'if-match': z.string().optional(),
          'if-none-match': z.literal('*').optional().describe('Create only: 412 when the offer already exists.'),
        }),
        body: offerBody,
        response: { 200: draftSavedSchema, 201: draftSavedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { pub, offer } = request.params;
      const principal = await authorizePublisher(ctx, request, pub);
      await requirePublisher(ctx, principal, pub);
      const doc: unknown = request.body;
      const { problems } = await validateOffer(doc, { config: ctx.config, publisherId: pub, offerId: offer });
      if (problems.length > 0) {
        throw new VmarketError('VALIDATION_FAILED', say(nothingSaved, problems.length), {
          details: problems,
        });
      }
      const ifMatch = request.headers['if-match'];
      const ifNoneMatch = request.headers['if-none-match'];
      const saved = await putDraft(ctx.db, pub, offer, doc as Record<string, unknown>, { ...(ifMatch ? { ifMatch } : {}), ...(ifNoneMatch ? { ifNoneMatch } : {}) });
      const latest = await latestStatuses(ctx, pub, offer);
      reply.header('etag', quoted(saved.etag));
      reply.header('location', `${API}/publishers/${encodeURIComponent(pub)}/offers/${encodeURIComponent(offer)}`);
      return reply
        .code(saved.created ? 201 : 200)
        .send({ id: offer, publisher: pub, etag: saved.etag, created: saved.created, status: statusOf(latest.get(offer)) });
    },
  );

  app.get(
    `${base}/:offer`,
    {
      schema: {
        summary: 'One slot of the offer (default the draft), with status and etag',
        tags: ['offers'],
        security: bearer,
        params: offerParams,
        querystring: z.object({ slot: offerSlotNameSchema.default('draft') }),
        response: { 200: offerSlotSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { pub, offer } = request.params;
      const { slot } = request.query;
      await authorizePublisher(ctx, request, pub);
      const row = await requireOfferRow(ctx, pub, offer);
      const latest = await latestStatuses(ctx, pub, offer);
      const common = { id: row.id, publisher: row.publisher_id, slot, status: statusOf(latest.get(offer)), etag: row.etag, updatedAt: iso(row.updated_at) };
      reply.header('etag', quoted(row.etag));
      if (slot === 'draft') return { ...common, offer: row.draft, operationId: null, publishedAt: null };
      const doc = (slot === 'live' ? row.live : row.preview) as SlotDocument | null;
      if (!doc) throw new VmarketError('NOT_FOUND', say(noSlotVersion, pub, offer, slot));
      return { ...common, offer: doc.offer as Record<string, unknown>, operationId: doc.operationId ?? null, publishedAt: doc.publishedAt ?? null };
    },
  );

  app.post(
    `${base}/:offer/publish`,
    {
      schema: {
        summary: 'Submit the draft for publishing (202 + Location of the operation)',
        description: '422 when the draft fails validation (every problem at once); 409 while another operation of the offer is active.',
        tags: ['publishing'],
        security: bearer,
        params: offerParams,
        body: publishBody,
        response: { 202: publishAnswerSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { pub, offer } = request.params;
      const principal = await authorizePublisher(ctx, request, pub);
      const { operationId } = await publishOffer(ctx, {
        publisherId: pub,
        offerId: offer,
        actor: actorOf(principal),
        notifyEmails: request.body?.notifyEmails ?? [],
        locale: requestLocale(request),
      });
      const location = `${API}/publishers/${encodeURIComponent(pub)}/operations/${encodeURIComponent(operationId)}`;
      return reply.code(202).header('location', location).send({ operationId, location });
    },
  );

  app.get(
    `${base}/:offer/status`,
    {
      schema: {
        summary: 'The publishing status: the latest operation\'s steps, preview and live links',
        tags: ['publishing'],
        security: bearer,
        params: offerParams,
        response: { 200: offerStatusSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { pub, offer } = request.params;
      await authorizePublisher(ctx, request, pub);
      return shaped(offerStatusSchema, await offerStatusDocument(ctx, pub, offer));
    },
  );

  const action = (verb: 'golive' | 'cancel', summary: string, description: string) =>
    app.post(
      `${base}/:offer/${verb}`,
      {
        schema: { summary, description, tags: ['publishing'], security: bearer, params: offerParams, response: { 202: operationRefSchema, ...errorResponses } },
      },
      async (request: FastifyRequest<{ Params: z.infer<typeof offerParams> }>, reply: FastifyReply) => {
        const { pub, offer } = request.params;
        const principal = await authorizePublisher(ctx, request, pub);
        const actor = actorOf(principal);
        const result = verb === 'golive' ? await goLive(ctx, pub, offer, actor) : await cancelOperation(ctx, pub, offer, actor);
        return reply.code(202).send({ operationId: result.operationId });
      },
    );
  action('golive', 'Publisher sign-off: deploy to every region, then live', '409 unless the operation waits for publisher review.');
  action('cancel', 'Cancel the running operation', '409 when nothing is running or the offer is already live for this operation.');

  app.get(
    `${base}/:offer/certification`,
    {
      schema: {
        summary: 'The last certification report (CONTRACTS §6); 404 before the first certification',
        tags: ['publishing'],
        security: bearer,
        params: offerParams,
        response: { 200: certificationReportSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { pub, offer } = request.params;
      await authorizePublisher(ctx, request, pub);
      const report = await getCertificationReport(ctx, pub, offer);
      if (!report) throw new VmarketError('NOT_FOUND', say(notCertified, pub, offer));
      return shaped(certificationReportSchema, report);
    },
  );

  app.post(
    `${base}/:offer/certification/review`,
    {
      schema: {
        summary: 'Operator: approve or reject a certification waiting for manual review',
        description: '409 unless the certification step waits for approval.',
        tags: ['publishing'],
        security: bearer,
        params: offerParams,
        body: reviewBody,
        response: { 200: reviewAnswerSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { pub, offer } = request.params;
      const principal = await authorizeOperator(ctx, request);
      const { decision, feedback } = request.body;
      if (decision === 'reject' && !feedback?.trim()) {
        throw new VmarketError('VALIDATION_FAILED', fixed('A rejection needs feedback telling the publisher what to fix.', 'Eine Ablehnung braucht eine Rückmeldung, die dem Herausgeber sagt, was zu beheben ist.'), {
          details: [{ path: 'feedback', ...localizedFields({ message: fixed('required when the decision is reject', 'nötig, wenn die Entscheidung reject ist') }) }],
        });
      }
      return reviewCertification(ctx, pub, offer, { decision, feedback, actor: actorOf(principal) });
    },
  );
}
