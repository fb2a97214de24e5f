/** The status documents of docs/contracts.md §5, built from the operation and step rows. */
import type { AppContext } from '../app/context.ts';
import { type Localized, localizedFields } from '../i18n/localized.ts';
import { iso } from '../util/dates.ts';
import { message, type StepRow } from './operations.ts';
import type { Pipeline } from './pipeline.ts';
import type { PipelineStep } from './steps/context.ts';
import { estimatedTimeFrame } from './time-frame.ts';
import type { StepMessage, StepStatusView } from './types.ts';

/**
 * One step of the status document. Its description reads in the caller's language (it carries
 * `translations`, see src/i18n); `name` stays English with `nameDe` beside it, as the contract
 * has it. A row of a step the pipeline no longer has is shown under its id.
 */
export function stepView(pipeline: Pipeline, row: StepRow): StepStatusView {
  const step = pipeline.find(row.step_id);
  const max = row.expected_max_seconds === null ? null : Number(row.expected_max_seconds);
  return {
    ...describeStep(step, row.step_id),
    status: row.status,
    progressPercentage: row.progress,
    estimatedTimeFrame: estimatedTimeFrame(max),
    expectedMaxSeconds: max,
    startedAt: iso(row.started_at),
    completedAt: iso(row.completed_at),
    stuck: row.stuck,
    ticketId: null,
    messages: (row.messages ?? []) as StepMessage[],
  };
}

/**
 * The step table of an operation: its rows in pipeline order, and for each step the pipeline
 * gained after the operation started, a row of its own — `notStarted` while the operation has
 * not passed that point (it will run the step), `skipped` with a note when it already had.
 */
export function stepViews(ctx: Pick<AppContext, 'pipeline' | 'config'>, rows: readonly StepRow[]): StepStatusView[] {
  const byId = new Map(rows.map((r) => [r.step_id, r]));
  const views: StepStatusView[] = [];
  let passed = false;
  // walking backwards: a step is passed when some step after it has started
  for (const step of [...ctx.pipeline.steps].reverse()) {
    const row = byId.get(step.id);
    if (row) {
      passed ||= row.status !== 'notStarted';
      views.unshift(stepView(ctx.pipeline, row));
    } else {
      views.unshift(
        notStartedView(ctx, step, passed ? { status: 'skipped', messages: [message('information', addedLater)] } : {}),
      );
    }
  }
  const gone = rows.filter((r) => !ctx.pipeline.find(r.step_id));
  return [...views, ...gone.map((r) => stepView(ctx.pipeline, r))];
}

/** The step table of an offer never published: every step not started, with its expected maximum. */
export function emptyStepViews(ctx: Pick<AppContext, 'pipeline' | 'config'>): StepStatusView[] {
  return ctx.pipeline.steps.map((step) => notStartedView(ctx, step));
}

const addedLater: Localized = {
  en: 'This step was added to the pipeline after this publication had passed it.',
  de: 'Dieser Schritt kam zur Pipeline hinzu, nachdem diese Veröffentlichung ihn schon passiert hatte.',
};

function notStartedView(
  ctx: Pick<AppContext, 'pipeline' | 'config'>,
  step: PipelineStep,
  overrides: Partial<Pick<StepStatusView, 'status' | 'messages'>> = {},
): StepStatusView {
  const max = ctx.pipeline.expectedMaxSeconds(ctx.config, step.id);
  return {
    ...describeStep(step),
    status: 'notStarted',
    progressPercentage: 0,
    estimatedTimeFrame: estimatedTimeFrame(max),
    expectedMaxSeconds: max,
    startedAt: null,
    completedAt: null,
    stuck: false,
    ticketId: null,
    messages: [],
    ...overrides,
  };
}

/**
 * id, name, nameDe and description of a step, as the status document and `GET /marketplace`
 * show it: the description carries its translations (answered in the caller's language).
 */
export function describeStep(step: PipelineStep | undefined, id: string = step?.id ?? '') {
  if (!step) return { id, name: id, nameDe: id, description: '' };
  return { id, name: step.name.en, nameDe: step.name.de, ...localizedFields({ description: step.description }) };
}

/** `[storefront URL, API URL]` of an offer, e.g. `${publicUrl}/offers/contoso.ubuntu`. */
export function offerLinks(ctx: AppContext, publisherId: string, offerId: string): string[] {
  const base = ctx.publicUrl.replace(/\/+$/, '');
  const key = `${encodeURIComponent(publisherId)}.${encodeURIComponent(offerId)}`;
  return [`${base}/offers/${key}`, `${base}/api/v1/catalog/offers/${key}`];
}
