/**
 * Identity and publishers: `GET /me` (who the token belongs to), `POST /publishers` (operator:
 * create a publisher, its token shown once), `GET /publishers` (operator: list them).
 */
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { createPublisher, listPublishers } from '../../app/publishers.ts';
import { publisherIdSchema } from '../../offers/schema.ts';
import { authenticate, authorizeOperator } from '../auth.ts';
import { API, bearer, errorResponses, type ZodApp } from '../schemas.ts';
import { createdPublisherSchema, meSchema, publisherListItemSchema } from '../../contracts/index.ts';

const createPublisherBody = z.object({
  id: publisherIdSchema,
  name: z.string().trim().min(1).max(100),
});

export function publisherRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    `${API}/me`,
    {
      schema: {
        summary: 'Who the bearer token belongs to',
        tags: ['identity'],
        security: bearer,
        response: { 200: meSchema, ...errorResponses },
      },
    },
    async (request) => {
      const principal = await authenticate(ctx, request);
      return principal.kind === 'operator'
        ? { kind: 'operator' as const, role: 'operator' as const }
        : { kind: 'publisher' as const, role: 'publisher' as const, publisher: principal.publisher };
    },
  );

  app.post(
    `${API}/publishers`,
    {
      schema: {
        summary: 'Create a publisher (operator); answers its bearer token, shown once',
        tags: ['publishers'],
        security: bearer,
        body: createPublisherBody,
        response: { 201: createdPublisherSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      await authorizeOperator(ctx, request);
      const created = await createPublisher(ctx.db, request.body);
      return reply.code(201).send(created);
    },
  );

  app.get(
    `${API}/publishers`,
    {
      schema: {
        summary: 'List publishers (operator)',
        tags: ['publishers'],
        security: bearer,
        response: { 200: z.object({ publishers: z.array(publisherListItemSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      await authorizeOperator(ctx, request);
      return { publishers: await listPublishers(ctx.db) };
    },
  );
}
