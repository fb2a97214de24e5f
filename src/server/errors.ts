/**
 * Every error the API answers has the contract's shape `{"error":{"code","message","details"}}`
 * (docs/contracts.md §5), whatever raised it: a VmarketError from a module, a request that fails its zod
 * schema (422 with one detail per problem), unparsable JSON (400), an oversized body (413), the
 * rate limit (429), an unknown route (404). Anything unexpected is logged with its stack and
 * answered as a 500 with a generic sentence: stack traces and internals never reach clients.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, errorCodeForStatus, isVmarketError, VmarketError } from '../errors.ts';
import { localizeTree } from '../i18n/localize-tree.ts';
import { requestLocale } from './language.ts';

/** Fastify's own error codes mapped to the contract's codes. */
const FASTIFY_CODES: Record<string, { code: ErrorCode; status: number; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', status: 413, message: 'The request body is larger than the server accepts.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'INVALID_JSON', status: 400, message: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'INVALID_JSON', status: 400, message: 'The request body is empty but says it is JSON.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'BAD_REQUEST', status: 415, message: 'The request body must be JSON (Content-Type: application/json).' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'BAD_REQUEST', status: 400, message: 'The request body does not match its Content-Length.' },
  FST_ERR_CTP_INVALID_TYPE: { code: 'BAD_REQUEST', status: 400, message: 'The Content-Type header is not valid.' },
  FST_ERR_BAD_URL: { code: 'BAD_REQUEST', status: 400, message: 'The request URL is not valid.' },
};

/** The status and body answered for `error`. */
export function errorAnswer(error: unknown): { status: number; body: ReturnType<VmarketError['toJSON']>; internal: boolean } {
  if (isVmarketError(error)) {
    // an error raised by our own code for a server fault keeps a generic message for clients
    const status = error.httpStatus;
    if (status >= 500 && (error.code === 'INTERNAL' || error.code === 'CONFIG_INVALID')) {
      return { status, body: new VmarketError(error.code, 'The server failed to handle the request; the operator can find the cause in its log.').toJSON(), internal: true };
    }
    return { status, body: error.toJSON(), internal: status >= 500 };
  }
  const fastifyError = error as Partial<FastifyError> | undefined;
  const known = fastifyError?.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (known) return { status: known.status, body: new VmarketError(known.code, known.message).toJSON(), internal: false };
  const status = typeof fastifyError?.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = errorCodeForStatus(status) ?? 'BAD_REQUEST';
    return { status, body: new VmarketError(code, fastifyError?.message || 'The request was refused.').toJSON(), internal: false };
  }
  return {
    status: 500,
    body: new VmarketError('INTERNAL', 'The server failed to handle the request; the operator can find the cause in its log.').toJSON(),
    internal: true,
  };
}

/** Sets the error handler and the 404 handler that answer in the contract's shape. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body, internal } = errorAnswer(error);
    if (internal) request.log.error({ err: error }, 'request failed');
    else if (status !== 404) request.log.info({ code: body.error.code, status }, body.error.message);
    // sent as a finished string: the body is put into the caller's language here, once
    return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(localizeTree(body, requestLocale(request))));
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0];
    return reply
      .code(404)
      .type('application/json; charset=utf-8')
      .send(new VmarketError('NOT_FOUND', `There is no ${request.method} ${path} in this API.`).toJSON());
  });
}

/**
 * JSON bodies: an empty body counts as no body (so `POST …/publish` works with or without `{}`),
 * and a syntax error answers 400 INVALID_JSON saying where it is. Prototype poisoning
 * (`__proto__`, `constructor.prototype`) is refused like Fastify does by default.
 */
export function installJsonParser(app: FastifyInstance): void {
  const secure = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      JSON.parse(text);
    } catch (error) {
      return done(new VmarketError('INVALID_JSON', `The request body is not valid JSON: ${(error as Error).message}.`) as never, undefined);
    }
    secure(request, text, (err, value) => {
      if (err) return done(new VmarketError('BAD_REQUEST', 'The request body holds a forbidden __proto__ or constructor.prototype key.') as never, undefined);
      done(null, value);
    });
  });
}
