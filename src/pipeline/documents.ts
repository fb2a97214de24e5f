/**
 * The publishing documents the API serves (docs/contracts.md §5): an offer's status and one
 * operation, read from the rows and shaped by status.ts.
 */
import type { AppContext } from '../app/context.ts';
import { VmarketError } from '../errors.ts';
import { say } from '../i18n/localized.ts';
import { offerNotFound } from '../offers/phrases.ts';
import { iso } from '../util/dates.ts';
import { latestOperation, loadOperation, loadSteps } from './operations.ts';
import { emptyStepViews, offerLinks, stepViews } from './status.ts';
import { attachStuckTickets } from '../tickets/stuck.ts';
import { operationNotFound } from './texts.ts';
import type { OfferStatusDocument, OperationView } from './types.ts';

/**
 * The offer's publishing status, stuck steps linked to the tickets they opened (docs/contracts.md §5): its latest operation with every step. 404 NOT_FOUND.
 * The offer, operation and step rows are read from one snapshot (REPEATABLE READ): read one by
 * one, a worker's `live` transaction committing in between (another process on PostgreSQL)
 * would give `succeeded` with the old slots, e.g. no `liveLinks`.
 */
export async function getOfferStatus(ctx: AppContext, publisherId: string, offerId: string): Promise<OfferStatusDocument> {
  const { offer, op, steps } = await ctx.db.kysely
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const offer = await trx
        .selectFrom('offers')
        .select(['live', 'preview', 'preview_operation_id'])
        .where('publisher_id', '=', publisherId)
        .where('id', '=', offerId)
        .executeTakeFirst();
      const op = offer ? await latestOperation(trx, publisherId, offerId) : undefined;
      const steps = op ? await loadSteps(trx, op.id) : undefined;
      return { offer, op, steps };
    });
  if (!offer) throw new VmarketError('NOT_FOUND', say(offerNotFound, publisherId, offerId));
  const links = offerLinks(ctx, publisherId, offerId);
  const previewShown = op !== undefined && offer.preview !== null && offer.preview_operation_id === op.id && op.status !== 'canceled';
  return attachStuckTickets(ctx.db, op?.id ?? null, {
    status: op ? op.status : 'neverPublished',
    operationId: op?.id ?? null,
    steps: steps ? stepViews(ctx, steps) : emptyStepViews(ctx),
    previewLinks: previewShown ? links : [],
    liveLinks: offer.live !== null ? links : [],
  });
}

/** One operation with its steps and transitions. 404 NOT_FOUND (also for another publisher's). */
export async function getOperation(ctx: AppContext, publisherId: string, operationId: string): Promise<OperationView> {
  const op = await loadOperation(ctx.db.kysely, operationId);
  if (!op || op.publisher_id !== publisherId) throw new VmarketError('NOT_FOUND', say(operationNotFound, operationId));
  const steps = await loadSteps(ctx.db.kysely, operationId);
  const transitions = await ctx.db.kysely
    .selectFrom('transitions')
    .selectAll()
    .where('operation_id', '=', operationId)
    .orderBy('id')
    .execute();
  return attachStuckTickets(ctx.db, op.id, {
    id: op.id,
    offerId: op.offer_id,
    publisherId: op.publisher_id,
    status: op.status,
    createdBy: op.created_by,
    createdAt: iso(op.created_at)!,
    completedAt: iso(op.completed_at),
    error: op.error,
    steps: stepViews(ctx, steps),
    transitions: transitions.map((t) => ({
      stepId: t.step_id,
      from: t.from_status,
      to: t.to_status,
      actor: t.actor,
      note: t.note,
      at: iso(t.at)!,
    })),
  });
}
