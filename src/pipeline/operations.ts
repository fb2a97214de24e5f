/**
 * The operation and step rows: reading them, and every state change with its transition record
 * (who, when). The step row is the truth of the pipeline; jobs only carry (operationId, stepId).
 * Status changes are conditional updates (`WHERE status = <expected>`), so a redelivered job or
 * a second worker never applies one twice.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, OperationsTable, OperationStepsTable } from '../db/schema.ts';
import type { AppContext, Trx } from '../app/context.ts';
import { VmarketError } from '../errors.ts';
import { offerNotFound } from '../offers/phrases.ts';
import type { Config } from '../config/load.ts';
import { type Localized, localizedFields, say } from '../i18n/localized.ts';
import type { TransitionStatus } from '../contracts/index.ts';
import type { MessageLevel, OperationStatus, StepMessage, StepStatus } from './types.ts';
import type { Pipeline } from './pipeline.ts';
import type { StepId } from './steps/context.ts';

export type OperationRow = Selectable<OperationsTable>;
export type StepRow = Selectable<OperationStepsTable>;
type Q = Kysely<Database> | Trx;

export async function loadOperation(db: Q, operationId: string): Promise<OperationRow | undefined> {
  return db.selectFrom('operations').selectAll().where('id', '=', operationId).executeTakeFirst();
}

/** Reads the operation row locking it until the transaction ends (serializes state changes). */
export async function lockOperation(trx: Trx, operationId: string): Promise<OperationRow | undefined> {
  return trx.selectFrom('operations').selectAll().where('id', '=', operationId).forUpdate().executeTakeFirst();
}

export async function loadSteps(db: Q, operationId: string): Promise<StepRow[]> {
  return db.selectFrom('operation_steps').selectAll().where('operation_id', '=', operationId).orderBy('position').execute();
}

export async function loadStep(db: Q, operationId: string, stepId: StepId): Promise<StepRow | undefined> {
  return db
    .selectFrom('operation_steps')
    .selectAll()
    .where('operation_id', '=', operationId)
    .where('step_id', '=', stepId)
    .executeTakeFirst();
}

/** The latest operation of an offer, or undefined when it was never published. */
export async function latestOperation(db: Q, publisherId: string, offerId: string): Promise<OperationRow | undefined> {
  return db
    .selectFrom('operations')
    .selectAll()
    .where('publisher_id', '=', publisherId)
    .where('offer_id', '=', offerId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The offer's latest operation, locked until the transaction ends; undefined when it was never published. */
export async function lockLatestOperation(trx: Trx, publisherId: string, offerId: string): Promise<OperationRow | undefined> {
  const latest = await latestOperation(trx, publisherId, offerId);
  return latest ? lockOperation(trx, latest.id) : undefined;
}

/** 404 NOT_FOUND unless the publisher has this offer (before any question about its operations). */
export async function requireOffer(ctx: Pick<AppContext, 'db'>, publisherId: string, offerId: string): Promise<void> {
  const row = await ctx.db.kysely
    .selectFrom('offers')
    .select('id')
    .where('publisher_id', '=', publisherId)
    .where('id', '=', offerId)
    .executeTakeFirst();
  if (!row) throw new VmarketError('NOT_FOUND', say(offerNotFound, publisherId, offerId));
}

/** The step the operation is at: the first one not complete or skipped (undefined when all are). */
export function currentStep(steps: StepRow[]): StepRow | undefined {
  return steps.find((s) => s.status !== 'complete' && s.status !== 'skipped');
}

export interface TransitionInput {
  operationId: string;
  stepId: string | null;
  from: TransitionStatus | null;
  to: TransitionStatus;
  actor: string;
  note?: string | null;
}

export async function recordTransition(trx: Trx, t: TransitionInput): Promise<void> {
  await trx
    .insertInto('transitions')
    .values({ operation_id: t.operationId, step_id: t.stepId, from_status: t.from, to_status: t.to, actor: t.actor, note: t.note ?? null })
    .execute();
}

/**
 * Moves a step from one of `from` to `to` and records the transition. Returns false (changing
 * nothing) when the step was not in one of `from`: someone else got there first.
 */
export async function transitionStep(
  trx: Trx,
  operationId: string,
  stepId: StepId,
  from: readonly StepStatus[],
  to: StepStatus,
  actor: string,
  opts: { note?: string; messages?: StepMessage[]; progress?: number } = {},
): Promise<boolean> {
  const now = new Date();
  const current = await trx
    .selectFrom('operation_steps')
    .select('status')
    .where('operation_id', '=', operationId)
    .where('step_id', '=', stepId)
    .executeTakeFirst();
  if (!current || !from.includes(current.status)) return false;
  const started = to === 'inProgress' || to === 'waitingForApproval' || to === 'waitingForPublisherReview';
  const finished = to === 'complete' || to === 'skipped' || to === 'blocked' || to === 'canceled';
  const row = await trx
    .updateTable('operation_steps')
    .set((eb) => ({
      status: to,
      ...(started ? { started_at: sql<Date>`coalesce(${eb.ref('started_at')}, ${now})` } : {}),
      ...(finished ? { completed_at: now } : {}),
      ...(to === 'complete' ? { progress: 100 } : opts.progress !== undefined ? { progress: opts.progress } : {}),
      ...(opts.messages?.length ? { messages: sql<string>`${eb.ref('messages')} || ${JSON.stringify(opts.messages)}::jsonb` } : {}),
    }))
    .where('operation_id', '=', operationId)
    .where('step_id', '=', stepId)
    .where('status', '=', current.status)
    .returning(['status'])
    .executeTakeFirst();
  if (!row) return false;
  await recordTransition(trx, { operationId, stepId, from: current.status, to, actor, note: opts.note });
  return true;
}

/** Moves the operation to `to` (from any of `from`) and records the transition; false when it was elsewhere. */
export async function transitionOperation(
  trx: Trx,
  operationId: string,
  from: readonly OperationStatus[],
  to: OperationStatus,
  actor: string,
  opts: { note?: string; error?: string } = {},
): Promise<boolean> {
  const terminal = to === 'succeeded' || to === 'failed' || to === 'canceled';
  const before = await trx.selectFrom('operations').select('status').where('id', '=', operationId).executeTakeFirst();
  if (!before || !from.includes(before.status)) return false;
  await trx
    .updateTable('operations')
    .set({
      status: to,
      updated_at: NOW,
      ...(terminal ? { completed_at: new Date() } : {}),
      ...(opts.error !== undefined ? { error: opts.error } : {}),
    })
    .where('id', '=', operationId)
    .execute();
  await recordTransition(trx, { operationId, stepId: null, from: before.status, to, actor, note: opts.note });
  return true;
}

/** A step message; written as a phrase (`say(…)`), it reads in the caller's language. */
export function message(level: MessageLevel, text: string | Localized): StepMessage {
  return { level, ...localizedFields({ text }), at: new Date().toISOString() };
}

/** Appends messages to a step (outside any transaction is fine: one statement). */
export async function appendMessages(db: Q, operationId: string, stepId: StepId, messages: StepMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await db
    .updateTable('operation_steps')
    .set((eb) => ({ messages: sql<string>`${eb.ref('messages')} || ${JSON.stringify(messages)}::jsonb` }))
    .where('operation_id', '=', operationId)
    .where('step_id', '=', stepId)
    .execute();
}

/** Merges `value` into `operations.artifacts[stepId]` (results later steps read). */
export async function setArtifact(db: Q, operationId: string, stepId: StepId, value: unknown): Promise<void> {
  await db
    .updateTable('operations')
    .set((eb) => ({
      artifacts: sql<string>`${eb.ref('artifacts')} || jsonb_build_object(${stepId}::text, ${JSON.stringify(value)}::jsonb)`,
      updated_at: NOW,
    }))
    .where('id', '=', operationId)
    .execute();
}

/** The row of one step, notStarted, at its place in the pipeline. */
function newStepRow(pipeline: Pipeline, config: Pick<Config, 'steps'>, operationId: string, stepId: StepId) {
  return {
    operation_id: operationId,
    step_id: stepId,
    position: pipeline.position(stepId),
    status: 'notStarted' as const,
    expected_max_seconds: pipeline.expectedMaxSeconds(config, stepId),
    messages: '[]',
    checkpoint: '{}',
  };
}

/** The step rows a new operation starts with: one per step of the pipeline, all notStarted. */
export function initialStepRows(pipeline: Pipeline, config: Pick<Config, 'steps'>, operationId: string) {
  return pipeline.steps.map((s) => newStepRow(pipeline, config, operationId, s.id));
}

/**
 * Gives an operation the row of a step it does not have yet: one started before the step was
 * added to the pipeline reaches it later (in the transaction that enqueues it). A no-op when the
 * row exists.
 */
export async function ensureStepRow(trx: Trx, pipeline: Pipeline, config: Pick<Config, 'steps'>, operationId: string, stepId: StepId): Promise<void> {
  const inserted = await trx
    .insertInto('operation_steps')
    .values(newStepRow(pipeline, config, operationId, stepId))
    .onConflict((oc) => oc.columns(['operation_id', 'step_id']).doNothing())
    .returning('step_id')
    .executeTakeFirst();
  if (!inserted) return;
  // The other rows keep the positions of the pipeline they started with; renumber them so that
  // `position` orders this operation's rows as the pipeline does now (loadSteps, currentStep).
  for (const [position, step] of pipeline.steps.entries()) {
    await trx
      .updateTable('operation_steps')
      .set({ position })
      .where('operation_id', '=', operationId)
      .where('step_id', '=', step.id)
      .where('position', '<>', position)
      .execute();
  }
}

/** `now()` for `updated_at` columns (see `iso` in util/dates.ts for why not a Date). */
export const NOW = sql<any>`now()`;
