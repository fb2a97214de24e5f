/**
 * Offer lifecycle (docs/contracts.md §5 "Lifecycle"): the publisher deprecates, undeprecates, stops
 * and resumes selling an offer or a plan and answers republish proposals; the operator revokes a
 * version and collects storage garbage. Every POST is recorded in the audit log (src/server/audit.ts).
 */
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { collectGarbage } from '../../lifecycle/gc.ts';
import { decideRepublish, revokeVersion } from '../../lifecycle/revoke.ts';
import { deprecate, getOfferLifecycle, resumeSelling, stopSelling, undeprecate } from '../../lifecycle/sell.ts';
import { actorOf, authorizeOperator, authorizePublisher } from '../auth.ts';
import { API, bearer, errorResponses, offerParams, type ZodApp } from '../schemas.ts';
import { gcReportSchema, isoDaySchema, offerLifecycleSchema, revocationSchema } from '../../contracts/index.ts';

const planField = z.string().min(1).max(100).optional().describe('One plan; the whole offer when absent.');
const planBody = z.object({ plan: planField }).nullish();

const deprecateBody = z.object({
  date: isoDaySchema.describe('YYYY-MM-DD (UTC), today or later: from this day on, acquire refuses.'),
  plan: planField,
  alternativePlan: z.string().min(1).max(100).optional().describe('With plan: the plan of the same offer to take instead.'),
  reason: z.string().max(1000).optional(),
});

const revokeBody = z.object({ reason: z.string().trim().min(1).max(2000).describe('The security reason customers read.') });
const republishBody = z.object({ decision: z.enum(['accept', 'decline']) });
const gcBody = z.object({ dryRun: z.boolean().default(false) }).nullish();

export function lifecycleRoutes(app: ZodApp, ctx: AppContext): void {
  const base = `${API}/publishers/:pub/offers/:offer`;
  const answer = { 200: offerLifecycleSchema, ...errorResponses };

  app.get(
    `${base}/lifecycle`,
    {
      schema: { summary: 'The offer\'s deprecations, stop-sells and revocations', tags: ['lifecycle'], security: bearer, params: offerParams, response: answer },
    },
    async (request) => {
      await authorizePublisher(ctx, request, request.params.pub);
      return getOfferLifecycle(ctx, request.params.pub, request.params.offer);
    },
  );

  app.post(
    `${base}/deprecate`,
    {
      schema: {
        summary: 'Deprecate the live offer or one plan from a day on (optionally naming the plan to take instead)',
        tags: ['lifecycle'],
        security: bearer,
        params: offerParams,
        body: deprecateBody,
        response: answer,
      },
    },
    async (request) => {
      const { pub, offer } = request.params;
      await authorizePublisher(ctx, request, pub);
      return deprecate(ctx, pub, offer, request.body);
    },
  );

  const planAction = (verb: 'undeprecate' | 'stop-sell' | 'resume-sell', summary: string, run: (pub: string, offer: string, plan?: string) => Promise<unknown>) =>
    app.post(
      `${base}/${verb}`,
      { schema: { summary, tags: ['lifecycle'], security: bearer, params: offerParams, body: planBody, response: answer } },
      async (request) => {
        const { pub, offer } = request.params;
        await authorizePublisher(ctx, request, pub);
        return run(pub, offer, request.body?.plan) as never;
      },
    );
  planAction('undeprecate', 'Undo a deprecation before its day', (pub, offer, plan) => undeprecate(ctx, pub, offer, plan));
  planAction('stop-sell', 'Stop selling the offer or one plan at once', (pub, offer, plan) => stopSelling(ctx, pub, offer, plan));
  planAction('resume-sell', 'Sell the offer or plan again', (pub, offer, plan) => resumeSelling(ctx, pub, offer, plan));

  app.post(
    `${base}/versions/:version/revoke`,
    {
      schema: {
        summary: 'Operator: revoke a version (the operation id of the live slot or a history entry) for a security reason',
        description: 'Takes it out of the live slot, stops its downloads, e-mails its customers, sends offer.version.revoked, proposes the previous version.',
        tags: ['lifecycle', 'operator'],
        security: bearer,
        params: offerParams.extend({ version: z.string().min(1).max(100) }),
        body: revokeBody,
        response: { 200: revocationSchema, ...errorResponses },
      },
    },
    async (request) => {
      const principal = await authorizeOperator(ctx, request);
      const { pub, offer, version } = request.params;
      return revokeVersion(ctx, { publisherId: pub, offerId: offer, version, reason: request.body.reason, actor: actorOf(principal) });
    },
  );

  app.post(
    `${base}/revocations/:revocation/republish`,
    {
      schema: {
        summary: 'Accept (the earlier version goes live again) or decline a revocation\'s republish proposal',
        tags: ['lifecycle'],
        security: bearer,
        params: offerParams.extend({ revocation: z.string().min(1).max(100) }),
        body: republishBody,
        response: { 200: revocationSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { pub, offer, revocation } = request.params;
      const principal = await authorizePublisher(ctx, request, pub);
      return decideRepublish(ctx, pub, offer, revocation, request.body.decision, actorOf(principal));
    },
  );

  app.post(
    `${API}/gc`,
    {
      schema: {
        summary: 'Operator: remove the stored objects nothing references, older than gc.graceHours (dryRun: only list them)',
        tags: ['lifecycle', 'operator'],
        security: bearer,
        body: gcBody,
        response: { 200: gcReportSchema, ...errorResponses },
      },
    },
    async (request) => {
      await authorizeOperator(ctx, request);
      return collectGarbage(ctx, { dryRun: request.body?.dryRun ?? false });
    },
  );
}
