/**
 * Publishing: an offer's draft becomes an operation that the pipeline's steps then carry out.
 */
import { noteAuditTarget } from '../audit/scope.ts';
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../app/context.ts';
import { VmarketError } from '../errors.ts';
import type { Locale } from '../i18n/locale.ts';
import { localizedFields, say } from '../i18n/localized.ts';
import { offerNotFound } from '../offers/phrases.ts';
import { validateOffer } from '../offers/validate.ts';
import { initialStepRows, recordTransition } from './operations.ts';
import { enqueueStep, ensurePipelineQueues, queueFor, wakeQueue } from './queues.ts';
import { alreadyActive, offerHasProblems } from './texts.ts';
import { ACTIVE_OPERATION_STATUSES } from './types.ts';
import { usedVersions } from './used-versions.ts';

export interface PublishInput {
  publisherId: string;
  offerId: string;
  /** `publisher:<id>` or `operator`. */
  actor: string;
  /** Addresses told about sign-off, success, failure, cancel and stuck steps. */
  notifyEmails?: string[];
  /** The publisher's language (the request's Accept-Language): the e-mails are written in it. */
  locale?: Locale;
}

/**
 * Submits the offer's draft for publishing: validates it (422 VALIDATION_FAILED with every
 * problem), then in one transaction creates the operation with its snapshot of the draft, its
 * row of every step, the transition, and the first step's job. 409 CONFLICT while another operation of the
 * offer is active (the database's unique index decides, not a read-then-write); 404 NOT_FOUND.
 */
export async function publishOffer(ctx: AppContext, input: PublishInput): Promise<{ operationId: string }> {
  const { publisherId, offerId, actor } = input;
  const offer = await ctx.db.kysely
    .selectFrom('offers')
    .select(['draft', 'etag'])
    .where('publisher_id', '=', publisherId)
    .where('id', '=', offerId)
    .executeTakeFirst();
  if (!offer) throw new VmarketError('NOT_FOUND', say(offerNotFound, publisherId, offerId));
  const active = await activeOperation(ctx, publisherId, offerId);
  if (active) throw conflictRunning(active.id, active.status);

  const used = await usedVersions(ctx.db.kysely, publisherId, offerId);
  const result = await validateOffer(offer.draft, { config: ctx.config, publisherId, usedVersions: used });
  if (result.problems.length > 0 || !result.offer) {
    throw new VmarketError('VALIDATION_FAILED', say(offerHasProblems, result.problems.length), {
      details: result.problems,
    });
  }
  await ensurePipelineQueues(ctx.db.boss);
  const first = ctx.pipeline.steps[0];
  const operationId = `op-${randomUUID()}`;
  noteAuditTarget(`offer ${publisherId}/${offerId} operation ${operationId}`);
  const notifyEmails = [...new Set((input.notifyEmails ?? []).map((e) => e.trim()).filter(Boolean))];
  try {
    await ctx.db.transaction(async (trx) => {
      await trx
        .insertInto('operations')
        .values({
          id: operationId,
          publisher_id: publisherId,
          offer_id: offerId,
          status: 'running',
          snapshot: JSON.stringify(result.offer),
          snapshot_etag: offer.etag,
          notify_emails: JSON.stringify(notifyEmails),
          locale: input.locale ?? 'en',
          created_by: actor,
          artifacts: '{}',
        })
        .execute();
      await trx
        .insertInto('operation_steps')
        .values(initialStepRows(ctx.pipeline, ctx.config, operationId))
        .execute();
      await recordTransition(trx, { operationId, stepId: null, from: null, to: 'running', actor, note: `published draft ${offer.etag}` });
      await enqueueStep(ctx, trx, operationId, first.id);
    });
    wakeQueue(ctx.db.boss, queueFor(ctx.pipeline, first.id));
  } catch (error) {
    if (isUniqueViolation(error)) {
      const now = await activeOperation(ctx, publisherId, offerId);
      throw conflictRunning(now?.id ?? 'another operation', now?.status ?? 'running');
    }
    throw error;
  }
  return { operationId };
}

async function activeOperation(ctx: AppContext, publisherId: string, offerId: string) {
  return ctx.db.kysely
    .selectFrom('operations')
    .select(['id', 'status'])
    .where('publisher_id', '=', publisherId)
    .where('offer_id', '=', offerId)
    .where('status', 'in', [...ACTIVE_OPERATION_STATUSES])
    .executeTakeFirst();
}

function conflictRunning(operationId: string, status: string): VmarketError {
  return new VmarketError('CONFLICT', say(alreadyActive, operationId, status), {
    details: [{ ...localizedFields({ message: { en: 'operation already active', de: 'Vorgang läuft bereits' } }), operationId, status }],
  });
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code ?? ((error as { cause?: { code?: string } } | null)?.cause?.code);
  return code === '23505';
}
