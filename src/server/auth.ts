/**
 * Who is calling: `Authorization: Bearer <token>` is the operator's token (compared in constant
 * time; it may act for any publisher) or a publisher's (looked up by its hash). Publisher routes
 * check that the caller is that publisher or the operator: no token 401, another publisher's
 * resources 403. The token itself is never logged (see the redaction in app.ts).
 */
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../app/context.ts';
import { findPublisherByToken, type Publisher, tokensEqual } from '../app/publishers.ts';
import { tokenId } from '../audit/scope.ts';
import { VmarketError } from '../errors.ts';
import { noteAuditActor } from './audit.ts';

export type Principal = { kind: 'operator' } | { kind: 'publisher'; publisher: Publisher };

/** The bearer token of the request, or undefined when there is none. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

const principals = new WeakMap<FastifyRequest, Principal>();

/** The caller, or 401 UNAUTHORIZED when the request has no valid bearer token. */
export async function authenticate(ctx: AppContext, request: FastifyRequest): Promise<Principal> {
  const known = principals.get(request);
  if (known) return known;
  const token = bearerToken(request);
  if (!token) {
    throw new VmarketError('UNAUTHORIZED', 'This request needs a bearer token (Authorization: Bearer <token>).');
  }
  let principal: Principal | undefined;
  if (tokensEqual(token, ctx.operatorToken)) principal = { kind: 'operator' };
  else {
    const publisher = await findPublisherByToken(ctx.db.kysely, token);
    if (publisher) principal = { kind: 'publisher', publisher };
  }
  if (!principal) throw new VmarketError('UNAUTHORIZED', 'The bearer token is not valid.');
  principals.set(request, principal);
  // only a valid token gets a fingerprint in the audit log: an invalid one may be anything (a pasted password)
  noteAuditActor(request, {
    kind: principal.kind,
    publisherId: principal.kind === 'publisher' ? principal.publisher.id : null,
    tokenId: tokenId({ token }),
  });
  return principal;
}

/** The caller, who must be the operator or the publisher `publisherId` (else 403 FORBIDDEN). */
export async function authorizePublisher(ctx: AppContext, request: FastifyRequest, publisherId: string): Promise<Principal> {
  const principal = await authenticate(ctx, request);
  if (principal.kind === 'operator' || principal.publisher.id === publisherId) return principal;
  throw new VmarketError('FORBIDDEN', `This token belongs to publisher ${principal.publisher.id}, not to ${publisherId}.`);
}

/** The caller, who must be the operator (else 403 FORBIDDEN). */
export async function authorizeOperator(ctx: AppContext, request: FastifyRequest): Promise<Principal> {
  const principal = await authenticate(ctx, request);
  if (principal.kind !== 'operator') throw new VmarketError('FORBIDDEN', 'Only the operator may do this.');
  return principal;
}

/**
 * Whether `token`, which was `principal` when a long-lived answer (a status stream) began, still
 * is and may still act for `publisherId`: false once the operator token changed or the
 * publisher's token was rotated or the publisher removed.
 */
export async function tokenStillValid(ctx: AppContext, token: string, principal: Principal, publisherId: string): Promise<boolean> {
  if (principal.kind === 'operator') return tokensEqual(token, ctx.operatorToken);
  const publisher = await findPublisherByToken(ctx.db.kysely, token);
  return publisher !== undefined && publisher.id === principal.publisher.id && publisher.id === publisherId;
}

/** How the pipeline records who acted: `operator` or `publisher:<id>`. */
export function actorOf(principal: Principal): string {
  return principal.kind === 'operator' ? 'operator' : `publisher:${principal.publisher.id}`;
}
