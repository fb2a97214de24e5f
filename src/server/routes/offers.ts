/**
 * A publisher's offers (docs/contracts.md §5): drafts with etags (PUT/GET, `If-Match`), the slots
 * (`?slot=draft|preview|live`), the list with statuses, and the publishing actions — publish,
 * status, golive, cancel, the certification report and its manual review (operator).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { requirePublisher } from '../../app/publishers.ts';
import { VmarketError } from '../../errors.ts';
import { SBOM_MEDIA_TYPE } from '../../certification/sbom/cyclonedx.ts';
import { nextCursorSchema, pageQuerySchema } from '../../contracts/pagination.ts';
import { listOfferSummaries, readOfferSlot, saveDraft } from '../../offers/offers.ts';
import { offerSchema } from '../../offers/schema.ts';
import { noSlotVersion } from '../../offers/phrases.ts';
import { fixed, localizedFields, type Phrase, say } from '../../i18n/localized.ts';
import {
  cancelOperation,
  getBootConsole,
  getCertificationSbom,
  getCertificationReport,
  getOfferStatus,
  goLive,
  publishOffer,
  reviewCertification,
} from '../../pipeline/service.ts';
import { actorOf, authorizeOperator, authorizePublisher } from '../auth.ts';
import { requestLocale } from '../language.ts';
import { passThroughBody } from '../validation.ts';
import { API, bearer, errorResponses, offerParams, publisherParams, shaped, type ZodApp } from '../schemas.ts';
import {
  certificationReportSchema,
  draftSavedSchema,
  offerSlotNameSchema,
  offerSlotSchema,
  offerStatusSchema,
  offerSummarySchema,
  operationRefSchema,
  publishAnswerSchema,
  REVIEW_DECISIONS,
  reviewAnswerSchema,
} from '../../contracts/index.ts';

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
const offerBody = passThroughBody(offerSchema.meta({ id: 'Offer', description: 'An offer file (docs/contracts.md §2).' }));

const notCertified: Phrase<[string, string]> = {
  en: (pub, offer) => `The offer ${pub}/${offer} has not been certified yet.`,
  de: (pub, offer) => `Das Angebot ${pub}/${offer} wurde noch nicht zertifiziert.`,
};

const noSbom: Phrase<[string, string]> = {
  en: (pub, offer) => `The last certification of ${pub}/${offer} read no package database, so there is no SBOM.`,
  de: (pub, offer) => `Die letzte Zertifizierung von ${pub}/${offer} hat keine Paketdatenbank gelesen, daher gibt es keine SBOM.`,
};
const noBootConsole: Phrase<[string, string]> = {
  en: (pub, offer) => `The last certification of ${pub}/${offer} booted no VM, so there is no console log.`,
  de: (pub, offer) => `Die letzte Zertifizierung von ${pub}/${offer} hat keine VM gestartet, daher gibt es kein Konsolenprotokoll.`,
};

function quoted(etag: string): string {
  return `"${etag}"`;
}

export function offerRoutes(app: ZodApp, ctx: AppContext): void {
  const base = `${API}/publishers/:pub/offers`;

  app.get(
    base,
    {
      schema: {
        summary: 'The publisher\'s offers with their status and etag, by id, a page at a time',
        tags: ['offers'],
        security: bearer,
        params: publisherParams,
        querystring: pageQuerySchema,
        response: { 200: z.object({ offers: z.array(offerSummarySchema), nextCursor: nextCursorSchema }), ...errorResponses },
      },
    },
    async (request) => {
      const { pub } = request.params;
      const principal = await authorizePublisher(ctx, request, pub);
      if (principal.kind === 'operator') await requirePublisher(ctx.db, pub);
      const page = await listOfferSummaries(ctx.db, pub, request.query);
      return { offers: page.rows, nextCursor: page.nextCursor };
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
      if (principal.kind === 'operator') await requirePublisher(ctx.db, pub);
      const ifMatch = request.headers['if-match'];
      const ifNoneMatch = request.headers['if-none-match'];
      const saved = await saveDraft(ctx, pub, offer, request.body, { ...(ifMatch ? { ifMatch } : {}), ...(ifNoneMatch ? { ifNoneMatch } : {}) });
      reply.header('etag', quoted(saved.etag));
      if (saved.leadSecret) {
        // the answer that generated the lead signing secret shows it: no cache may keep it; the
        // log says who and which (its fingerprint), never the secret
        reply.header('cache-control', 'no-store');
        request.log.info({ publisher: pub, offer, actor: actorOf(principal), fingerprint: saved.leadSecret.fingerprint }, 'lead signing secret generated');
      }
      reply.header('location', `${API}/publishers/${encodeURIComponent(pub)}/offers/${encodeURIComponent(offer)}`);
      return reply.code(saved.created ? 201 : 200).send(saved);
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
      const read = await readOfferSlot(ctx.db, pub, offer, slot);
      // the draft's etag also comes with the 404 of an empty slot
      reply.header('etag', quoted(read.etag));
      if (!read.slot) throw new VmarketError('NOT_FOUND', say(noSlotVersion, pub, offer, slot));
      return read.slot;
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
      return shaped(offerStatusSchema, await getOfferStatus(ctx, pub, offer));
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
        summary: 'The last certification report (docs/contracts.md §6); 404 before the first certification',
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

  app.get(
    `${base}/:offer/certification/console`,
    {
      schema: {
        summary: "The serial console log of the last certification's boot validation (text/plain); 404 when nothing booted",
        tags: ['publishing'],
        security: bearer,
        params: offerParams,
        produces: ['text/plain'],
        response: { 200: z.string(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { pub, offer } = request.params;
      await authorizePublisher(ctx, request, pub);
      const log = await getBootConsole(ctx, pub, offer);
      if (log === null) throw new VmarketError('NOT_FOUND', say(noBootConsole, pub, offer));
      return reply
        .type('text/plain; charset=utf-8')
        .header('content-disposition', `attachment; filename="${pub}.${offer}-console.log"`)
        .send(log);
    },
  );

  app.get(
    `${base}/:offer/certification/sbom`,
    {
      schema: {
        summary: "The CycloneDX 1.6 SBOM of the last certification's OS disk (application/vnd.cyclonedx+json); 404 when no package database was read",
        tags: ['publishing'],
        security: bearer,
        params: offerParams,
        querystring: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/).optional().describe("The SBOM's SHA-256 (a signed package's images[].sbom.sha256): picks one when plans certified different OS disks; default the first.") }),
        produces: [SBOM_MEDIA_TYPE],
        response: { 200: z.string(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { pub, offer } = request.params;
      await authorizePublisher(ctx, request, pub);
      const sbom = await getCertificationSbom(ctx, pub, offer, request.query.sha256);
      if (sbom === null) throw new VmarketError('NOT_FOUND', say(noSbom, pub, offer));
      return reply
        .type(SBOM_MEDIA_TYPE)
        .header('content-disposition', `attachment; filename="${pub}.${offer}-sbom.cdx.json"`)
        .send(sbom);
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
