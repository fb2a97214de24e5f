/**
 * The pipeline's API for the HTTP routes and the CLI: publish, status, go-live, cancel,
 * certification review, and the workers. Every failure is a VmarketError (404 NOT_FOUND,
 * 409 CONFLICT, 422 VALIDATION_FAILED).
 */
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../app/context.ts';
import { VmarketError } from '../errors.ts';
import type { Locale } from '../i18n/locale.ts';
import { localizedFields, type Localized, type Phrase, say } from '../i18n/localized.ts';
import { offerNotFound } from '../offers/phrases.ts';
import { validateOffer } from '../offers/validate.ts';
import { finalizeCancel } from './cancel.ts';
import { mergeReports } from './certification-reports.ts';
import { notifyOperation } from './notify.ts';
import {
  currentStep,
  initialStepRows,
  iso,
  latestOperation,
  loadOperation,
  loadSteps,
  message,
  NOW,
  recordTransition,
  transitionOperation,
  transitionStep,
} from './operations.ts';
import { enqueueStep, ensurePipelineQueues, queueFor, wakeQueue } from './queues.ts';
import { emptyStepViews, offerLinks, stepView } from './status.ts';
import { expectedMaxSeconds } from './steps/definitions.ts';
import type { OfferStatusDocument, OperationStatus, OperationView } from './types.ts';
import { ACTIVE_OPERATION_STATUSES } from './types.ts';
import { usedVersions } from './used-versions.ts';

const offerHasProblems: Phrase<[number]> = {
  en: (count) => `The offer has ${count} problem(s); fix them and publish again.`,
  de: (count) => `Das Angebot hat ${count} ${count === 1 ? 'Problem' : 'Probleme'}; beheben Sie ${count === 1 ? 'es' : 'sie'} und veröffentlichen Sie erneut.`,
};
const operationNotFound: Phrase<[string]> = {
  en: (operationId) => `The operation ${operationId} does not exist.`,
  de: (operationId) => `Der Vorgang ${operationId} existiert nicht.`,
};
/** The status words of an operation as a sentence uses them. */
const OPERATION_STATUS_DE: Record<string, string> = {
  notStarted: 'nicht gestartet',
  running: 'läuft',
  waitingForPublisherReview: 'wartet auf die Genehmigung des Herausgebers',
  succeeded: 'erfolgreich',
  failed: 'fehlgeschlagen',
  canceled: 'abgebrochen',
};
const notWaitingForReview: Phrase<[string, string]> = {
  en: (offerId, state) => `The offer ${offerId} is not waiting for publisher review (its operation is ${state}).`,
  de: (offerId, state) =>
    `Das Angebot ${offerId} wartet nicht auf die Genehmigung des Herausgebers (sein Vorgang ${state === 'being canceled' ? 'wird abgebrochen' : `ist: ${OPERATION_STATUS_DE[state] ?? state}`}).`,
};
const nothingWaitingForReview: Phrase<[string]> = {
  en: (offerId) => `The offer ${offerId} has no publication waiting for publisher review.`,
  de: (offerId) => `Das Angebot ${offerId} hat keine Veröffentlichung, die auf die Genehmigung des Herausgebers wartet.`,
};
const noLongerWaitingForReview: Phrase<[string]> = {
  en: (offerId) => `The offer ${offerId} is not waiting for publisher review.`,
  de: (offerId) => `Das Angebot ${offerId} wartet nicht auf die Genehmigung des Herausgebers.`,
};
const signedOffBy: Phrase<[string]> = {
  en: (actor) => `Signed off by ${actor}.`,
  de: (actor) => `Genehmigt von ${actor}.`,
};
const alreadyLive: Phrase<[string, string]> = {
  en: (offerId, operationId) => `The offer ${offerId} is already live for operation ${operationId}; nothing to cancel.`,
  de: (offerId, operationId) => `Das Angebot ${offerId} ist für den Vorgang ${operationId} bereits live; es gibt nichts abzubrechen.`,
};
const nothingRunning: Phrase<[string]> = {
  en: (offerId) => `The offer ${offerId} has no publication running.`,
  de: (offerId) => `Für das Angebot ${offerId} läuft keine Veröffentlichung.`,
};
const badDecision: Localized = { en: 'The decision must be approve or reject.', de: 'Die Entscheidung muss approve oder reject sein.' };
const reviewNotWaiting: Phrase<[string]> = {
  en: (offerId) => `The certification of ${offerId} is not waiting for a review.`,
  de: (offerId) => `Die Zertifizierung von ${offerId} wartet nicht auf eine Prüfung.`,
};
const reviewed: Phrase<[boolean, string, string]> = {
  en: (approved, actor, feedback) => `Certification ${approved ? 'approved' : 'rejected'} by ${actor}${feedback ? `: ${feedback}` : '.'}`,
  de: (approved, actor, feedback) => `Zertifizierung ${approved ? 'genehmigt' : 'abgelehnt'} von ${actor}${feedback ? `: ${feedback}` : '.'}`,
};
const alreadyActive: Phrase<[string, string]> = {
  en: (operationId, status) => `An operation of this offer is already active (${operationId}, ${status}); wait for it or cancel it.`,
  de: (operationId, status) =>
    `Ein Vorgang dieses Angebots läuft bereits (${operationId}, ${status}); warten Sie, bis er fertig ist, oder brechen Sie ihn ab.`,
};

export { startPipelineWorkers, type PipelineWorkers } from './workers.ts';
export { sweepStuckSteps } from './sweeper.ts';

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
 * eight steps, the transition, and the first job. 409 CONFLICT while another operation of the
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
  const operationId = `op-${randomUUID()}`;
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
        .values(initialStepRows(operationId, (id) => expectedMaxSeconds(ctx.config, id)))
        .execute();
      await recordTransition(trx, { operationId, stepId: null, from: null, to: 'running', actor, note: `published draft ${offer.etag}` });
      await enqueueStep(ctx, trx, operationId, 'validate');
    });
    wakeQueue(ctx.db.boss, queueFor('validate'));
  } catch (error) {
    if (isUniqueViolation(error)) {
      const now = await activeOperation(ctx, publisherId, offerId);
      throw conflictRunning(now?.id ?? 'another operation', now?.status ?? 'running');
    }
    throw error;
  }
  return { operationId };
}

/**
 * The offer's publishing status (CONTRACTS §5): its latest operation with every step. 404 NOT_FOUND.
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
  return {
    status: op ? (op.status as OperationStatus) : 'neverPublished',
    operationId: op?.id ?? null,
    steps: steps ? steps.map(stepView) : emptyStepViews(ctx),
    previewLinks: previewShown ? links : [],
    liveLinks: offer.live !== null ? links : [],
  };
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
  return {
    id: op.id,
    offerId: op.offer_id,
    publisherId: op.publisher_id,
    status: op.status as OperationStatus,
    createdBy: op.created_by,
    createdAt: iso(op.created_at)!,
    completedAt: iso(op.completed_at),
    error: op.error,
    steps: steps.map(stepView),
    transitions: transitions.map((t) => ({
      stepId: t.step_id,
      from: t.from_status,
      to: t.to_status,
      actor: t.actor,
      note: t.note,
      at: iso(t.at)!,
    })),
  };
}

/**
 * The publisher's sign-off: completes `signoff` and enqueues `deploy` in the same transaction.
 * 409 CONFLICT unless the offer's operation waits for publisher review; 404 NOT_FOUND.
 */
export async function goLive(ctx: AppContext, publisherId: string, offerId: string, actor: string): Promise<{ operationId: string }> {
  await requireOffer(ctx, publisherId, offerId);
  await ensurePipelineQueues(ctx.db.boss);
  const result = await ctx.db.transaction(async (trx) => {
    const op = await trx
      .selectFrom('operations')
      .selectAll()
      .where('publisher_id', '=', publisherId)
      .where('id', '=', (await latestOperation(trx, publisherId, offerId))?.id ?? '')
      .forUpdate()
      .executeTakeFirst();
    if (!op || op.status !== 'waitingForPublisherReview' || op.cancel_requested) {
      throw new VmarketError(
        'CONFLICT',
        op
          ? say(notWaitingForReview, offerId, op.cancel_requested ? 'being canceled' : op.status)
          : say(nothingWaitingForReview, offerId),
      );
    }
    const moved = await transitionStep(trx, op.id, 'signoff', ['waitingForPublisherReview'], 'complete', actor, {
      messages: [message('information', say(signedOffBy, actor))],
    });
    if (!moved) throw new VmarketError('CONFLICT', say(noLongerWaitingForReview, offerId));
    await transitionOperation(trx, op.id, ['waitingForPublisherReview'], 'running', actor, { note: 'go live' });
    await enqueueStep(ctx, trx, op.id, 'deploy');
    return { operationId: op.id };
  });
  wakeQueue(ctx.db.boss, queueFor('deploy'));
  return result;
}

/**
 * Cancels the offer's active operation. A step that waits (for a person or for its job) is
 * canceled at once; a running step stops at its next checkpoint. 409 CONFLICT when nothing runs
 * (including when this operation is already live); 404 NOT_FOUND.
 */
export async function cancelOperation(ctx: AppContext, publisherId: string, offerId: string, actor: string): Promise<{ operationId: string }> {
  await requireOffer(ctx, publisherId, offerId);
  const { operationId, immediate } = await ctx.db.transaction(async (trx) => {
    const latest = await latestOperation(trx, publisherId, offerId);
    const op = latest
      ? await trx.selectFrom('operations').selectAll().where('id', '=', latest.id).forUpdate().executeTakeFirst()
      : undefined;
    if (!op || !ACTIVE_OPERATION_STATUSES.includes(op.status as OperationStatus)) {
      throw new VmarketError(
        'CONFLICT',
        op?.status === 'succeeded' ? say(alreadyLive, offerId, op.id) : say(nothingRunning, offerId),
      );
    }
    if (!op.cancel_requested) {
      const artifacts = { ...((op.artifacts ?? {}) as Record<string, unknown>), cancel: { actor, at: new Date().toISOString() } };
      await trx
        .updateTable('operations')
        .set({ cancel_requested: true, artifacts: JSON.stringify(artifacts), updated_at: NOW })
        .where('id', '=', op.id)
        .execute();
      await recordTransition(trx, { operationId: op.id, stepId: null, from: op.status, to: 'cancelRequested', actor });
    }
    const step = currentStep(await loadSteps(trx, op.id));
    return { operationId: op.id, immediate: !step || step.status !== 'inProgress' };
  });
  if (immediate) await finalizeCancel(ctx, operationId);
  return { operationId };
}

export interface ReviewInput {
  decision: 'approve' | 'reject';
  /** Shown to the publisher; required in spirit for a rejection. */
  feedback?: string;
  actor: string;
}

/**
 * An operator's decision on a passed certification waiting for manual review: approve continues
 * with provisioning, reject blocks the step with the feedback. 409 CONFLICT unless the
 * certification step waits for approval; 404 NOT_FOUND.
 */
export async function reviewCertification(
  ctx: AppContext,
  publisherId: string,
  offerId: string,
  input: ReviewInput,
): Promise<{ operationId: string; decision: 'approve' | 'reject' }> {
  await requireOffer(ctx, publisherId, offerId);
  if (input.decision !== 'approve' && input.decision !== 'reject') {
    throw new VmarketError('BAD_REQUEST', badDecision);
  }
  await ensurePipelineQueues(ctx.db.boss);
  const feedback = (input.feedback ?? '').trim();
  const operationId = await ctx.db.transaction(async (trx) => {
    const latest = await latestOperation(trx, publisherId, offerId);
    const op = latest ? await trx.selectFrom('operations').selectAll().where('id', '=', latest.id).forUpdate().executeTakeFirst() : undefined;
    const step = op ? (await loadSteps(trx, op.id)).find((s) => s.step_id === 'certify') : undefined;
    if (!op || op.status !== 'running' || op.cancel_requested || step?.status !== 'waitingForApproval') {
      throw new VmarketError('CONFLICT', say(reviewNotWaiting, offerId));
    }
    await trx
      .updateTable('certification_reports')
      .set({
        review_status: input.decision === 'approve' ? 'approved' : 'rejected',
        reviewer: input.actor,
        feedback: feedback || null,
        reviewed_at: new Date(),
      })
      .where('operation_id', '=', op.id)
      .execute();
    if (input.decision === 'approve') {
      await transitionStep(trx, op.id, 'certify', ['waitingForApproval'], 'complete', input.actor, {
        messages: [message('information', say(reviewed, true, input.actor, feedback))],
      });
      await enqueueStep(ctx, trx, op.id, 'provision');
    } else {
      const text = say(reviewed, false, input.actor, feedback);
      await transitionStep(trx, op.id, 'certify', ['waitingForApproval'], 'blocked', input.actor, { messages: [message('error', text)] });
      await transitionOperation(trx, op.id, ['running'], 'failed', input.actor, { error: text.en });
    }
    return op.id;
  });
  if (input.decision === 'reject') await notifyOperation(ctx, operationId, 'operation.failed', { stepId: 'certify' });
  else wakeQueue(ctx.db.boss, queueFor('provision'));
  return { operationId, decision: input.decision };
}

/**
 * The last certification report of the offer (CONTRACTS §6): the latest operation's reports
 * merged into one (one report per distinct plan image set), with `operationId` and `review`
 * added. null when the offer was never certified; 404 NOT_FOUND for an unknown offer.
 */
export async function getCertificationReport(ctx: AppContext, publisherId: string, offerId: string): Promise<Record<string, unknown> | null> {
  await requireOffer(ctx, publisherId, offerId);
  const last = await ctx.db.kysely
    .selectFrom('certification_reports')
    .select('operation_id')
    .where('publisher_id', '=', publisherId)
    .where('offer_id', '=', offerId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!last) return null;
  const rows = await ctx.db.kysely
    .selectFrom('certification_reports')
    .selectAll()
    .where('operation_id', '=', last.operation_id)
    .orderBy('id')
    .execute();
  const merged = mergeReports(rows.map((r) => r.report as any));
  const reviewed = rows.find((r) => r.review_status !== null);
  return {
    ...merged,
    operationId: last.operation_id,
    review: reviewed
      ? { status: reviewed.review_status, reviewer: reviewed.reviewer, feedback: reviewed.feedback, reviewedAt: iso(reviewed.reviewed_at) }
      : null,
  };
}

async function requireOffer(ctx: AppContext, publisherId: string, offerId: string): Promise<void> {
  const row = await ctx.db.kysely
    .selectFrom('offers')
    .select('id')
    .where('publisher_id', '=', publisherId)
    .where('id', '=', offerId)
    .executeTakeFirst();
  if (!row) throw new VmarketError('NOT_FOUND', say(offerNotFound, publisherId, offerId));
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
