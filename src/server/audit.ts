/**
 * The HTTP side of the audit log (src/audit/): every POST, PUT, PATCH and DELETE that reaches a
 * route opens an audit scope (who is filled in by `authenticate`, what from the route pattern and
 * its path parameters, from where from the socket's address). The handler runs inside the scope,
 * so the first transaction it commits appends the `succeeded` event with the change
 * (`Db.transaction`). A request that committed nothing — refused, invalid, failed — is recorded
 * with its status and error code just before its answer is sent, in its own insert; so is an
 * error answered after a change committed (a second, `failed` event).
 *
 * A request the rate limiter refuses (429) is not recorded, so a flood cannot grow the log
 * faster than the limit lets requests through. Unknown
 * paths (404 without a route) are not recorded either: their path is whatever the caller typed.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app/context.ts';
import { appendAuditEvent } from '../audit/record.ts';
import { ANONYMOUS, type AuditActor, type AuditScope, newAuditScope, runInAuditScope } from '../audit/scope.ts';
import { parseCatalogKey } from '../catalog/storefront.ts';
import { errorAnswer } from './errors.ts';
import type { ZodApp } from './schemas.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const scopes = new WeakMap<FastifyRequest, AuditScope>();
const errorCodes = new WeakMap<FastifyRequest, string>();

export function installAudit(app: ZodApp, ctx: AppContext): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    if (STATE_CHANGING.has(request.method) && route !== undefined) {
      const params = (request.params ?? {}) as Record<string, string | undefined>;
      const about = subjectOf(params);
      scopes.set(
        request,
        newAuditScope({ actor: ANONYMOUS, method: request.method, route, ...about, address: request.ip, requestId: request.id }),
      );
    }
    done();
  });

  // preHandler, not onRequest: reading the body would leave the async context of onRequest behind
  app.addHook('preHandler', (request, _reply, done) => {
    const scope = scopes.get(request);
    if (scope) runInAuditScope(scope, done);
    else done();
  });

  app.addHook('onError', async (request, _reply, error) => {
    if (scopes.has(request)) errorCodes.set(request, errorAnswer(error).body.error.code);
  });

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const scope = scopes.get(request);
    if (!scope) return payload;
    const failed = reply.statusCode >= 400;
    if (scope.recorded && !failed) return payload;
    scope.recorded = true;
    // the rate limiter's refusals reach no handler; writing a row for each would let a flood
    // write to the database as fast as it can send (the limiter's hook runs after ours)
    if (errorCodes.get(request) === 'RATE_LIMITED') return payload;
    try {
      await appendAuditEvent(ctx.db.kysely, scope, {
        outcome: failed ? 'failed' : 'succeeded',
        status: reply.statusCode,
        errorCode: errorCodes.get(request) ?? null,
      });
    } catch (error) {
      request.log.error({ err: error, route: scope.route }, 'the audit event could not be stored');
    }
    return payload;
  });

  // the request is over: work it started in the background appends nothing in its name
  app.addHook('onResponse', async (request) => {
    const scope = scopes.get(request);
    if (scope) scope.recorded = true;
  });
}

/** Records who the request's caller is (from `authenticate`, once the token is known to be valid). */
export function noteAuditActor(request: FastifyRequest, actor: AuditActor): void {
  const scope = scopes.get(request);
  if (!scope) return;
  scope.actor = actor;
  // a publisher acts only on its own resources; a refused attempt on another's is the actor's
  // event, not one the other publisher reads (nobody writes into another publisher's log)
  if (actor.kind === 'publisher') scope.publisherId = actor.publisherId;
}

/** What a route's path parameters name: the target and whose it is. */
function subjectOf(params: Record<string, string | undefined>): { target: string | null; publisherId: string | null } {
  const { pub, offer, ticketId, key, drive } = params;
  if (drive !== undefined) return { target: `test drive ${drive}`, publisherId: null };
  if (pub !== undefined && offer !== undefined) return { target: `offer ${pub}/${offer}`, publisherId: pub };
  if (pub !== undefined && ticketId !== undefined) return { target: `ticket ${pub}/${ticketId}`, publisherId: pub };
  if (pub !== undefined) return { target: `publisher ${pub}`, publisherId: pub };
  if (key !== undefined) {
    const parsed = parseCatalogKey(key);
    return { target: `offer ${parsed ? `${parsed.publisherId}/${parsed.offerId}` : key}`, publisherId: parsed?.publisherId ?? null };
  }
  return { target: null, publisherId: null };
}
