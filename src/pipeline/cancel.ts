/**
 * Canceling: the request (`cancelOperation`), and ending an operation as canceled
 * (`finalizeCancel`): the current step and the operation become `canceled` (with the actor who
 * asked), the preview slot of this operation is withdrawn, copies this operation made that nothing
 * else references are removed (each step says which objects it stores: `storedObjects`), and the
 * operation's recipients are told. The live slot is never touched: a cancel is refused once
 * `live` applied.
 */
import type { AppContext } from '../app/context.ts';
import { type Phrase, say } from '../i18n/localized.ts';
import { removeObject } from '../storage/replicate.ts';
import { removeStaging } from './image-files.ts';
import { notifyOperation } from './notify.ts';
import { VmarketError } from '../errors.ts';
import {
  NOW,
  currentStep,
  loadSteps,
  lockLatestOperation,
  lockOperation,
  message,
  recordTransition,
  requireOffer,
  transitionOperation,
  transitionStep,
  type OperationRow,
} from './operations.ts';
import type { StepId } from './steps/context.ts';
import { alreadyLive, nothingRunning } from './texts.ts';
import { ACTIVE_OPERATION_STATUSES } from './types.ts';

/**
 * Cancels the offer's active operation on the publisher's or operator's request: the request is
 * recorded (`cancel_requested`, who and when); a step that waits (for a person or for its job) is
 * canceled at once, a running step stops at its next checkpoint and its job finalizes the cancel.
 * 409 CONFLICT when nothing runs (including when this operation is already live); 404 NOT_FOUND.
 */
export async function cancelOperation(ctx: AppContext, publisherId: string, offerId: string, actor: string): Promise<{ operationId: string }> {
  await requireOffer(ctx, publisherId, offerId);
  const { operationId, immediate } = await ctx.db.transaction(async (trx) => {
    const op = await lockLatestOperation(trx, publisherId, offerId);
    if (!op || !ACTIVE_OPERATION_STATUSES.includes(op.status)) {
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

const canceledBy: Phrase<[string]> = {
  en: (actor) => `Canceled by ${actor}.`,
  de: (actor) => `Abgebrochen von ${actor}.`,
};

const CANCELABLE_STEP_STATUSES = ['notStarted', 'inProgress', 'waitingForApproval', 'waitingForPublisherReview'] as const;

/** Who asked for the cancel (stored by `cancelOperation` in `artifacts.cancel`), else `system`. */
export function cancelActor(op: OperationRow): string {
  const cancel = (op.artifacts as Record<string, any> | null)?.cancel;
  return typeof cancel?.actor === 'string' ? cancel.actor : 'system';
}

/**
 * Marks the operation canceled if it is still active; then cleans up and notifies. Idempotent:
 * a second call (another worker, a redelivered job) finds the operation no longer active.
 */
export async function finalizeCancel(ctx: AppContext, operationId: string): Promise<boolean> {
  const op = await ctx.db.transaction(async (trx) => {
    const row = await lockOperation(trx, operationId);
    if (!row || !ACTIVE_OPERATION_STATUSES.includes(row.status)) return undefined;
    const actor = cancelActor(row);
    const step = currentStep(await loadSteps(trx, operationId));
    if (step) {
      await transitionStep(trx, operationId, step.step_id, CANCELABLE_STEP_STATUSES, 'canceled', actor, {
        messages: [message('information', say(canceledBy, actor))],
      });
    }
    await transitionOperation(trx, operationId, ACTIVE_OPERATION_STATUSES, 'canceled', actor);
    // The preview of a canceled publication is no longer offered to its audience.
    await trx
      .updateTable('offers')
      .set({ preview: null, preview_operation_id: null, updated_at: NOW })
      .where('publisher_id', '=', row.publisher_id)
      .where('id', '=', row.offer_id)
      .where('preview_operation_id', '=', operationId)
      .execute();
    return row;
  });
  if (!op) return false;
  try {
    await removeUnreferencedCopies(ctx, op);
  } catch (error) {
    ctx.logger.warn({ operationId, err: error }, 'cleanup after cancel failed; the copies stay until the next cleanup');
  }
  await removeStaging(ctx, op).catch(() => {});
  await notifyOperation(ctx, operationId, 'operation.canceled', {});
  return true;
}

/**
 * Every SHA-256 an operation placed, or may have placed, into a store: the union of what each
 * step of the pipeline says it stores, from its artifact and its checkpoint. The checkpoint counts
 * because a step canceled mid-way (or whose outcome a cancel overtook) may already have finished
 * some copies before it recorded its artifact.
 */
export function operationHashes(ctx: Pick<AppContext, 'pipeline'>, op: OperationRow, checkpoints: ReadonlyMap<StepId, unknown> = new Map()): Set<string> {
  const artifacts = (op.artifacts ?? {}) as Record<string, unknown>;
  const out = new Set<string>();
  for (const step of ctx.pipeline.steps) {
    for (const sha256 of step.storedObjects?.({ artifact: artifacts[step.id], checkpoint: checkpoints.get(step.id) }) ?? []) out.add(sha256);
  }
  return out;
}

/** The checkpoints of the steps that store objects, of each of these operations. */
async function storingCheckpoints(ctx: AppContext, operationIds: string[]): Promise<Map<string, Map<StepId, unknown>>> {
  const storing = ctx.pipeline.steps.filter((s) => s.storedObjects).map((s) => s.id);
  if (operationIds.length === 0 || storing.length === 0) return new Map();
  const rows = await ctx.db.kysely
    .selectFrom('operation_steps')
    .select(['operation_id', 'step_id', 'checkpoint'])
    .where('step_id', 'in', storing)
    .where('operation_id', 'in', operationIds)
    .execute();
  const out = new Map<string, Map<StepId, unknown>>();
  for (const row of rows) {
    const byStep = out.get(row.operation_id) ?? new Map<StepId, unknown>();
    byStep.set(row.step_id, row.checkpoint);
    out.set(row.operation_id, byStep);
  }
  return out;
}

/** Adds to `out` every object a slot document's packages name (certified files and the converted copies regions serve). */
export function addSlotObjects(doc: unknown, out: Set<string>): void {
  const packages = (doc as Record<string, any> | null)?.packages ?? {};
  for (const entry of Object.values(packages) as any[]) {
    for (const image of entry?.package?.images ?? []) {
      if (typeof image?.sha256 === 'string') out.add(image.sha256);
      // the converted files regions serve (regions[].format) are the slot's objects too
      for (const copy of Object.values(image?.copies ?? {}) as any[]) if (typeof copy?.sha256 === 'string') out.add(copy.sha256);
    }
  }
}

/** Adds to `out` what every active operation (but `exceptOperationId`) stored or may have stored. */
export async function addActiveOperationObjects(ctx: AppContext, out: Set<string>, exceptOperationId?: string): Promise<void> {
  let query = ctx.db.kysely.selectFrom('operations').selectAll().where('status', 'in', [...ACTIVE_OPERATION_STATUSES]);
  if (exceptOperationId !== undefined) query = query.where('id', '<>', exceptOperationId);
  const active = await query.execute();
  const checkpoints = await storingCheckpoints(ctx, active.map((o) => o.id));
  for (const other of active) for (const h of operationHashes(ctx, other, checkpoints.get(other.id))) out.add(h);
}

/** SHA-256s some slot (any live or preview slot) or another active operation still needs. */
export async function referencedHashes(ctx: AppContext, exceptOperationId: string): Promise<Set<string>> {
  const out = new Set<string>();
  const offers = await ctx.db.kysely.selectFrom('offers').select(['live', 'preview', 'preview_operation_id']).execute();
  for (const o of offers) {
    addSlotObjects(o.live, out);
    if (o.preview_operation_id !== exceptOperationId) addSlotObjects(o.preview, out);
  }
  await addActiveOperationObjects(ctx, out, exceptOperationId);
  return out;
}

/** Deletes this operation's objects from the primary store and every region unless referenced. */
export async function removeUnreferencedCopies(ctx: AppContext, op: OperationRow): Promise<number> {
  const mine = operationHashes(ctx, op, (await storingCheckpoints(ctx, [op.id])).get(op.id));
  if (mine.size === 0) return 0;
  const keep = await referencedHashes(ctx, op.id);
  const targets = [
    { region: 'primary', store: ctx.primary },
    ...[...ctx.regions.entries()].map(([region, r]) => ({ region, store: r.store })),
  ];
  let removed = 0;
  for (const sha256 of mine) {
    if (keep.has(sha256)) continue;
    for (const result of await removeObject(targets, sha256)) {
      if (result.removed) removed++;
      if (result.error) ctx.logger.warn({ operationId: op.id, region: result.region, err: result.error }, 'could not remove a copy after cancel');
    }
  }
  return removed;
}
