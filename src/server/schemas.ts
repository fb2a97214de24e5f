/**
 * Zod schemas shared by the route modules: the error responses, path parameters, and the type of
 * a Fastify instance that takes zod schemas. The answers' shapes live in `src/contracts/`; each
 * route module keeps its request schemas next to its handlers; together they validate requests,
 * shape responses and generate `/api/v1/openapi.json`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorSchema } from '../contracts/index.ts';

export type ZodApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

/** Every API path starts here. */
export const API = '/api/v1';

/** Response schemas for every error status, merged into each route's `response`. */
export const errorResponses = { '4xx': errorSchema, '5xx': errorSchema } as const;

/** Ids in paths: loose here (a wrong id is simply not found), strict where things are created. */
const pathId = z.string().min(1).max(100);

export const publisherParams = z.object({ pub: pathId });
export const offerParams = z.object({ pub: pathId, offer: pathId });

/** Bearer-token security for the OpenAPI document. */
export const bearer = [{ bearerAuth: [] as string[] }];

/**
 * Types a module's document (an interface, e.g. the pipeline's status) as the output of a loose
 * response schema. Nothing is cast blindly: the response serializer checks the value against
 * `schema` on its way out and answers 500 (logged) if it does not fit.
 */
export function shaped<S extends z.ZodType>(_schema: S, value: object): z.output<S> {
  return value as z.output<S>;
}
