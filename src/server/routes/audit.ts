/**
 * The audit log (docs/contracts.md §5): `GET /audit` (operator: every publisher's events) and
 * `GET /publishers/{pub}/audit` (the publisher's own; another publisher's answers 403). Both
 * newest first, filtered, in cursor pages.
 */
import type { AppContext } from '../../app/context.ts';
import { requirePublisher } from '../../app/publishers.ts';
import { listAuditEvents } from '../../audit/list.ts';
import { auditPageSchema, auditQuerySchema, publisherAuditQuerySchema } from '../../contracts/index.ts';
import { authorizeOperator, authorizePublisher } from '../auth.ts';
import { API, bearer, errorResponses, publisherParams, type ZodApp } from '../schemas.ts';

export function auditRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    `${API}/audit`,
    {
      schema: {
        summary: 'Operator: the audit log of every state-changing request, newest first',
        description: 'Filters: publisher, actor, tokenId, method, route, target (prefix), outcome, since, until; `limit`/`cursor` pages.',
        tags: ['operator', 'audit'],
        security: bearer,
        querystring: auditQuerySchema,
        response: { 200: auditPageSchema, ...errorResponses },
      },
    },
    async (request) => {
      await authorizeOperator(ctx, request);
      return listAuditEvents(ctx.db, request.query);
    },
  );

  app.get(
    `${API}/publishers/:pub/audit`,
    {
      schema: {
        summary: 'The audit log of the publisher\'s resources, newest first',
        description: 'The filters of GET /audit but publisher.',
        tags: ['audit'],
        security: bearer,
        params: publisherParams,
        querystring: publisherAuditQuerySchema,
        response: { 200: auditPageSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { pub } = request.params;
      const principal = await authorizePublisher(ctx, request, pub);
      if (principal.kind === 'operator') await requirePublisher(ctx.db, pub);
      return listAuditEvents(ctx.db, { ...request.query, publisher: pub });
    },
  );
}
