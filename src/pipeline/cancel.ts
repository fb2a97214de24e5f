/**
 * Ending an operation as canceled: the current step and the operation become `canceled` (with
 * the actor who asked), the preview slot of this operation is withdrawn, copies this operation
 * made that nothing else references are removed, and the operation's recipients are told.
 * The live slot is never touched: a cancel is refused once `live` applied.
 */
import type { AppContext } from '../app/context.ts';
import { type Phrase, say } from '../i18n/localized.ts';
import { removeObject } from '../storage/replicate.ts';
import { removeStaging } from './image-files.ts';
import { notifyOperation } from './notify.ts';
import { NOW, currentStep, loadSteps, lockOperation, message, transitionOperation, transitionStep, type OperationRow } from './operations.ts';
import { ACTIVE_OPERATION_STATUSES } from './types.ts';
import type { StepId } from './steps/definitions.ts';

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
    if (!row || !ACTIVE_OPERATION_STATUSES.includes(row.status as never)) return undefined;
    const actor = cancelActor(row);
    const step = currentStep(await loadSteps(trx, operationId));
    if (step) {
      await transitionStep(trx, operationId, step.step_id as StepId, CANCELABLE_STEP_STATUSES, 'canceled', actor, {
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
 * Every SHA-256 an operation placed into a store (test-drive and certified images). The test-drive
 * image is known from the step's checkpoint as soon as it is hashed, before the step completes
 * and records its artifact: a test drive canceled mid-way (or whose outcome a cancel overtook)
 * may already have finished its copies in some regions.
 */
export function operationHashes(op: OperationRow, testDriveCheckpoint?: unknown): Set<string> {
  const artifacts = (op.artifacts ?? {}) as Record<string, any>;
  const out = new Set<string>();
  for (const image of Object.values(artifacts.certify?.images ?? {}) as { sha256?: string }[]) {
    if (image?.sha256) out.add(image.sha256);
  }
  if (artifacts['test-drive']?.sha256) out.add(artifacts['test-drive'].sha256);
  const checkpointed = (testDriveCheckpoint as { sha256?: unknown } | null | undefined)?.sha256;
  if (typeof checkpointed === 'string') out.add(checkpointed);
  return out;
}

/** The test-drive step's checkpoint of each of these operations. */
async function testDriveCheckpoints(ctx: AppContext, operationIds: string[]): Promise<Map<string, unknown>> {
  if (operationIds.length === 0) return new Map();
  const rows = await ctx.db.kysely
    .selectFrom('operation_steps')
    .select(['operation_id', 'checkpoint'])
    .where('step_id', '=', 'test-drive')
    .where('operation_id', 'in', operationIds)
    .execute();
  return new Map(rows.map((r) => [r.operation_id, r.checkpoint]));
}

/** SHA-256s some slot (any live or preview slot) or another active operation still needs. */
export async function referencedHashes(ctx: AppContext, exceptOperationId: string): Promise<Set<string>> {
  const out = new Set<string>();
  const collect = (doc: unknown) => {
    const packages = (doc as Record<string, any> | null)?.packages ?? {};
    for (const entry of Object.values(packages) as any[]) {
      for (const image of entry?.package?.images ?? []) if (typeof image?.sha256 === 'string') out.add(image.sha256);
    }
  };
  const offers = await ctx.db.kysely.selectFrom('offers').select(['live', 'preview', 'preview_operation_id']).execute();
  for (const o of offers) {
    collect(o.live);
    if (o.preview_operation_id !== exceptOperationId) collect(o.preview);
  }
  const active = await ctx.db.kysely
    .selectFrom('operations')
    .selectAll()
    .where('status', 'in', [...ACTIVE_OPERATION_STATUSES])
    .where('id', '<>', exceptOperationId)
    .execute();
  const checkpoints = await testDriveCheckpoints(ctx, active.map((o) => o.id));
  for (const other of active) for (const h of operationHashes(other, checkpoints.get(other.id))) out.add(h);
  return out;
}

/** Deletes this operation's objects from the primary store and every region unless referenced. */
export async function removeUnreferencedCopies(ctx: AppContext, op: OperationRow): Promise<number> {
  const mine = operationHashes(op, (await testDriveCheckpoints(ctx, [op.id])).get(op.id));
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
