/** Liveness (`/healthz`), readiness (`/readyz`: the database answers) and `/metrics` (operator token unless `metrics.access: public`). */
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { pingDatabase } from '../../db/database.ts';
import { VmarketError } from '../../errors.ts';
import { authorizeOperator } from '../auth.ts';
import type { ServerMetrics } from '../metrics.ts';
import { errorResponses, type ZodApp } from '../schemas.ts';

export function healthRoutes(app: ZodApp, ctx: AppContext, metrics: ServerMetrics): void {
  app.get(
    '/healthz',
    { config: { rateLimit: false }, schema: { summary: 'Liveness', tags: ['operations'], response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { rateLimit: false },
      schema: {
        summary: 'Readiness: the database answers',
        tags: ['operations'],
        response: { 200: z.object({ status: z.literal('ready'), database: z.enum(['embedded', 'postgres']) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      try {
        await pingDatabase(ctx.db);
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        return reply.code(503).send(new VmarketError('UNREACHABLE', 'The database does not answer.').toJSON());
      }
      return { status: 'ready' as const, database: ctx.db.mode };
    },
  );

  // The metrics name publishers' offers and counts of leads and operations: the operator's unless
  // the configuration makes them public (e.g. for a scraper inside a trusted network).
  app.get('/metrics', { config: { rateLimit: false }, schema: { hide: true } }, async (request, reply) => {
    if (ctx.config.metrics.access === 'operator') await authorizeOperator(ctx, request);
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).serializer((p: unknown) => String(p)).send(text);
  });
}
