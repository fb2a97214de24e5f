/**
 * The audit log as the API answers it (docs/contracts.md §5): one event per state-changing
 * request — who, what, the outcome, when, from where — newest first, in cursor pages. An event
 * holds no request body, no contact data and no secret: a token appears only as its `tokenId`
 * (the first 12 hex of its SHA-256).
 */
import { z } from 'zod';
import { nextCursorSchema, pageQuerySchema } from './pagination.ts';

/** `system`: vmarket itself, outside a request (e.g. the demo publisher made at start). */
export const AUDIT_ACTOR_KINDS = ['operator', 'publisher', 'anonymous', 'system'] as const;
export const auditActorKindSchema = z.enum(AUDIT_ACTOR_KINDS);
export type AuditActorKind = z.infer<typeof auditActorKindSchema>;

export const AUDIT_OUTCOMES = ['succeeded', 'failed'] as const;
export const auditOutcomeSchema = z.enum(AUDIT_OUTCOMES);
export type AuditOutcome = z.infer<typeof auditOutcomeSchema>;

export const auditActorSchema = z
  .object({
    kind: auditActorKindSchema,
    publisherId: z.string().nullable().describe('The acting publisher (kind publisher).'),
    tokenId: z.string().nullable().describe('The first 12 hex of the token\'s SHA-256; null without a valid token.'),
  })
  .meta({ id: 'AuditActor' });

export const auditEventSchema = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: auditActorSchema,
    publisherId: z.string().nullable().describe('Whose resources the request was about (what a publisher reads).'),
    method: z.string(),
    route: z.string().describe('The route pattern, e.g. /api/v1/publishers/:pub/offers/:offer.'),
    target: z.string().nullable().describe('e.g. "offer contoso/ubuntu", "ticket contoso/tk-…".'),
    outcome: auditOutcomeSchema,
    status: z.number().int().nullable().describe('The HTTP status; null for a change recorded in its own transaction.'),
    errorCode: z.string().nullable(),
    address: z.string().nullable(),
    requestId: z.string().nullable(),
  })
  .meta({ id: 'AuditEvent' });
export type AuditEvent = z.infer<typeof auditEventSchema>;

const isoTime = z.iso.datetime({ offset: true });

/** The filters of `GET /publishers/{pub}/audit` (and, with `publisher`, of `GET /audit`). */
export const publisherAuditQuerySchema = pageQuerySchema.extend({
  actor: auditActorKindSchema.optional(),
  tokenId: z.string().regex(/^[0-9a-f]{12}$/).optional(),
  method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE']).optional(),
  route: z.string().min(1).max(300).optional().describe('The route pattern, exactly.'),
  target: z.string().min(1).max(300).optional().describe('Targets that start with this text.'),
  outcome: auditOutcomeSchema.optional(),
  since: isoTime.optional().describe('Events at or after this time (ISO 8601).'),
  until: isoTime.optional().describe('Events before this time (ISO 8601).'),
});
export const auditQuerySchema = publisherAuditQuerySchema.extend({
  publisher: z.string().min(1).max(100).optional(),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const auditPageSchema = z.object({ events: z.array(auditEventSchema), nextCursor: nextCursorSchema });
export type AuditPage = z.infer<typeof auditPageSchema>;
