/**
 * The public catalogue (no token): live offers (and, with `X-Subscription-Id`, the previews that
 * list the subscription), one offer's listing, the signing keys, and acquire.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { acquirePlan } from '../../catalog/acquire.ts';
import { DbSigningKeyStore } from '../../catalog/key-store.ts';
import { publicKeys } from '../../catalog/signing.ts';
import { STREAMS_KEY_FILE } from '../../catalog/streams.ts';
import { streamSigningKey } from '../../catalog/streams-key.ts';
import { getCatalogOffer, listCatalogOffers, parseCatalogKey } from '../../catalog/storefront.ts';
import { VmarketError } from '../../errors.ts';
import { say } from '../../i18n/localized.ts';
import { tooManyAcquires } from '../limit-phrases.ts';
import { MinuteLimiter } from '../minute-limiter.ts';
import { nextCursorSchema, pageQuerySchema } from '../../contracts/pagination.ts';
import { API, errorResponses, shaped, type ZodApp } from '../schemas.ts';
import { acquiredPackageSchema, catalogOfferSchema, catalogOfferSummarySchema, signingKeysSchema } from '../../contracts/index.ts';

const subscriptionHeader = z.looseObject({
  'x-subscription-id': z.string().max(100).optional().describe('The customer\'s subscription: adds the previews whose audience lists it.'),
});

const acquireBody = z.object({
  subscriptionId: z.guid().describe('The customer\'s subscription id (a GUID).'),
  plan: z.string().min(1).max(100),
  contact: z.object({
    name: z.string().trim().min(1).max(200),
    email: z.email(),
    company: z.string().trim().max(200).optional(),
  }),
});

const keyParams = z.object({ key: z.string().min(3).max(210).describe('publisher.offer') });

function parseKey(key: string): { publisherId: string; offerId: string } {
  const parsed = parseCatalogKey(key);
  if (!parsed) throw new VmarketError('NOT_FOUND', `There is no offer ${key}; offers are named publisher.offer.`);
  return parsed;
}

/**
 * Acquire needs no token, and each one stores a lead and may send it on: it is limited per
 * subscription id and per client address (the proxy's forwarded address with `trustProxy`), each
 * key counted on its own so that one flooder does not block other customers.
 */
function acquireLimits(ctx: AppContext) {
  const { acquiresPerSubscriptionPerMinute: perSubscription, acquiresPerAddressPerMinute: perAddress } = ctx.config.limits;
  const bySubscription = new MinuteLimiter(perSubscription);
  const byAddress = new MinuteLimiter(perAddress);
  return (request: FastifyRequest, reply: FastifyReply, subscriptionId: string) => {
    const refuse = (who: 'subscription' | 'address', max: number, key: string, seconds: number) => {
      reply.header('retry-after', String(seconds));
      return new VmarketError('RATE_LIMITED', say(tooManyAcquires, who, max, key, seconds));
    };
    const address = byAddress.hit(request.ip);
    if (address !== null) throw refuse('address', perAddress, 'limits.acquiresPerAddressPerMinute', address);
    const subscription = bySubscription.hit(subscriptionId.toLowerCase());
    if (subscription !== null) throw refuse('subscription', perSubscription, 'limits.acquiresPerSubscriptionPerMinute', subscription);
  };
}

export function catalogRoutes(app: ZodApp, ctx: AppContext): void {
  const limitAcquire = acquireLimits(ctx);
  app.get(
    `${API}/catalog/offers`,
    {
      schema: {
        summary: 'The catalogue: live offers, plus previews for the caller\'s subscription',
        tags: ['catalog'],
        headers: subscriptionHeader,
        querystring: pageQuerySchema.extend({
          q: z.string().max(200).optional().describe('Words searched in title, summary, description and keywords (all must match).'),
          category: z.string().max(100).optional(),
        }),
        response: { 200: z.object({ offers: z.array(catalogOfferSummarySchema), nextCursor: nextCursorSchema }), ...errorResponses },
      },
    },
    async (request) => {
      const { q, category, ...pageQuery } = request.query;
      const page = await listCatalogOffers(ctx.db, { q, category, subscriptionId: request.headers['x-subscription-id'] }, pageQuery);
      return { offers: page.rows, nextCursor: page.nextCursor };
    },
  );

  app.get(
    `${API}/catalog/offers/:key`,
    {
      schema: {
        summary: 'One offer\'s public listing; a preview answers 404 to subscriptions outside its audience',
        tags: ['catalog'],
        headers: subscriptionHeader,
        params: keyParams,
        response: { 200: catalogOfferSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { publisherId, offerId } = parseKey(request.params.key);
      const offer = await getCatalogOffer(ctx.db, publisherId, offerId, request.headers['x-subscription-id']);
      if (!offer) throw new VmarketError('NOT_FOUND', `The offer ${request.params.key} is not in the catalogue.`);
      // a test drive is started on the live version only, and only where the marketplace hosts them
      const hosted = ctx.config.testDrives.enabled && !offer.preview;
      return offer.testDrive ? { ...offer, testDrive: { ...offer.testDrive, hosted } } : offer;
    },
  );

  app.get(
    `${API}/catalog/keys`,
    {
      schema: {
        summary: 'The marketplace\'s public signing keys',
        tags: ['catalog'],
        response: { 200: signingKeysSchema, ...errorResponses },
      },
    },
    async () => {
      const streams = await streamSigningKey(ctx.db);
      return {
        ...(await publicKeys(new DbSigningKeyStore(ctx.db))),
        simplestreams: { fingerprint: streams.fingerprint, url: `${ctx.publicUrl}/${STREAMS_KEY_FILE}`, publicKeyArmored: streams.publicKeyArmored },
      };
    },
  );

  app.post(
    `${API}/catalog/offers/:key/acquire`,
    {
      schema: {
        summary: 'Acquire a plan: records a lead, delivers it, answers the plan\'s signed package',
        tags: ['catalog'],
        params: keyParams,
        body: acquireBody,
        response: { 200: acquiredPackageSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { publisherId, offerId } = parseKey(request.params.key);
      const { subscriptionId, plan, contact } = request.body;
      limitAcquire(request, reply, subscriptionId);
      return shaped(acquiredPackageSchema, await acquirePlan(ctx, { publisherId, offerId, subscriptionId, plan, contact }));
    },
  );
}
