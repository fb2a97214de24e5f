/**
 * Request validation with zod: every problem of a request part at once, as a VmarketError
 * VALIDATION_FAILED (422) whose details carry paths like `plans[0].regions[1]` (`query.slot`,
 * `params.pub` outside the body).
 */
import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { safeParse, type $ZodType } from 'zod/v4/core';
import { formatPath } from '../config/load.ts';
import { type ErrorDetail, VmarketError } from '../errors.ts';
import { type Phrase, say } from '../i18n/localized.ts';
import { issueProblem } from '../i18n/zod-issues.ts';

/** The request parts a route schema validates, as named in detail paths. */
const PART_PREFIX: Record<string, string> = { body: '', querystring: 'query', params: 'params', headers: 'headers' };

/** `{path, message}` for every zod issue, with its German under `translations` where known. */
export function issueDetails(issues: readonly z.core.$ZodIssue[], part = 'body'): ErrorDetail[] {
  const prefix = PART_PREFIX[part] ?? part;
  return issues.map((issue) => {
    const inner = issue.path.length > 0 ? formatPath(issue.path) : '';
    const path = prefix ? (inner ? `${prefix}.${inner}` : prefix) : inner || '(root)';
    return issueProblem(issue, path);
  });
}

type RequestPart = 'request body' | 'query string' | string;
const PART_DE: Record<string, string> = { 'request body': 'Der Anfragetext', 'query string': 'Die Abfragezeichenfolge', params: 'Die Pfadparameter', headers: 'Die Kopfzeilen' };
const partHasProblems: Phrase<[RequestPart, number]> = {
  en: (where, count) => `The ${where} has ${count} problem${count === 1 ? '' : 's'}.`,
  de: (where, count) => `${PART_DE[where] ?? where} hat ${count} ${count === 1 ? 'Problem' : 'Probleme'}.`,
};

const passThrough = new WeakSet<object>();

/**
 * Marks `schema` as documentation only: it describes the body in the OpenAPI document, and the
 * handler validates the body itself. The offer body needs this: `validateOffer` checks the
 * schema AND the operator's rules (regions, categories, image sources) in one pass, so a 422
 * lists every problem at once instead of the schema's problems first and the rest next time.
 */
export function passThroughBody<T extends $ZodType>(schema: T): T {
  passThrough.add(schema);
  return schema;
}

/** Fastify's validator compiler for zod schemas (see the file comment). */
export const zodValidatorCompiler: FastifySchemaCompiler<$ZodType> = ({ schema, httpPart }) => {
  if (passThrough.has(schema)) return (data: unknown) => ({ value: data });
  return (data: unknown) => {
    // the input is kept on the issues so that their German can name the wrong value's type
    const result = safeParse(schema, data, { reportInput: true });
    if (result.success) return { value: result.data };
    const details = issueDetails(result.error.issues, httpPart ?? 'body');
    const where = httpPart === 'body' || !httpPart ? 'request body' : httpPart === 'querystring' ? 'query string' : httpPart;
    return {
      error: new VmarketError('VALIDATION_FAILED', say(partHasProblems, where, details.length), { details }),
    };
  };
};
