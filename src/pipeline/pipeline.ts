/**
 * The publishing pipeline: its steps in order, and the one rule every transition follows — when a
 * step is done (complete, skipped, signed off, approved), the next step in this order starts, or
 * the operation succeeds after the last. Built once per process from `steps/index.ts` (tests may
 * build their own) and carried on the AppContext, so nothing else knows which step follows which.
 *
 * Operations keep their own step rows. A pipeline may have gained steps since an operation
 * started: `rowsInOrder` and the runner treat a step without a row as not started, and the row is
 * created when the step is enqueued.
 */
import type { Config } from '../config/load.ts';
import { VmarketError } from '../errors.ts';
import type { PipelineStep, StepId } from './steps/context.ts';

const STEP_ID = /^[a-z][a-z0-9-]{0,49}$/;

export interface Pipeline {
  /** The steps in order. */
  readonly steps: readonly PipelineStep[];
  /** The step with this id, or undefined (a row of a step that a later version removed). */
  find(id: StepId): PipelineStep | undefined;
  /** The step with this id; throws for an id the pipeline does not have (a programming error). */
  get(id: StepId): PipelineStep;
  /** The step after `id`, or undefined after the last. */
  next(id: StepId): PipelineStep | undefined;
  /** The position of `id` (0-based); steps the pipeline does not have sort last. */
  position(id: StepId): number;
  /** The expected maximum of a step: `config.steps[id].expectedMaxSeconds` when set, else the step's default. */
  expectedMaxSeconds(config: Pick<Config, 'steps'>, id: StepId): number | null;
}

export function createPipeline(steps: readonly PipelineStep[]): Pipeline {
  if (steps.length === 0) throw new Error('a pipeline needs at least one step');
  const index = new Map<StepId, number>();
  for (const [i, step] of steps.entries()) {
    if (!STEP_ID.test(step.id)) throw new Error(`pipeline step id ${JSON.stringify(step.id)} is not of the form [a-z][a-z0-9-]*`);
    if (index.has(step.id)) throw new Error(`pipeline step ${step.id} is listed twice`);
    index.set(step.id, i);
  }
  const get = (id: StepId): PipelineStep => {
    const i = index.get(id);
    if (i === undefined) throw new Error(`unknown pipeline step ${id}`);
    return steps[i];
  };
  return {
    steps,
    get,
    find: (id) => {
      const i = index.get(id);
      return i === undefined ? undefined : steps[i];
    },
    next: (id) => steps[(index.get(id) ?? Number.POSITIVE_INFINITY) + 1],
    position: (id) => index.get(id) ?? steps.length,
    expectedMaxSeconds: (config, id) => config.steps?.[id]?.expectedMaxSeconds ?? get(id).expectedMaxSeconds,
  };
}

/**
 * Refuses `config.steps` overrides for steps the pipeline does not have (a typo would otherwise
 * be ignored without a word). CONFIG_INVALID naming the key and the steps there are.
 */
export function checkStepOverrides(pipeline: Pipeline, config: Pick<Config, 'steps'>): void {
  for (const id of Object.keys(config.steps ?? {})) {
    if (!pipeline.find(id)) {
      throw new VmarketError(
        'CONFIG_INVALID',
        `steps.${id}: there is no step "${id}"; the steps are ${pipeline.steps.map((s) => s.id).join(', ')}.`,
      );
    }
  }
}

/**
 * Step rows (or anything with a `step_id`) in pipeline order; rows of steps the pipeline no
 * longer has keep their relative order at the end.
 */
export function rowsInOrder<T extends { step_id: string; position: number }>(pipeline: Pipeline, rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => pipeline.position(a.step_id) - pipeline.position(b.step_id) || a.position - b.position);
}
