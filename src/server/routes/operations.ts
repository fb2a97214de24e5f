/** `GET /publishers/{pub}/operations/{opId}`: one operation with its steps and transitions. */
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { getOperation } from '../../pipeline/service.ts';
import { authorizePublisher } from '../auth.ts';
import { API, bearer, errorResponses, shaped, type ZodApp } from '../schemas.ts';
import { operationSchema } from '../../contracts/index.ts';

export function operationRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    `${API}/publishers/:pub/operations/:opId`,
    {
      schema: {
        summary: 'One operation with its steps and every status transition (who, when)',
        tags: ['publishing'],
        security: bearer,
        params: z.object({ pub: z.string().min(1).max(100), opId: z.string().min(1).max(100) }),
        response: { 200: operationSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { pub, opId } = request.params;
      await authorizePublisher(ctx, request, pub);
      const operation = await getOperation(ctx, pub, opId);
      return shaped(operationSchema, operation);
    },
  );
}
