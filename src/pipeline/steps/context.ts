/**
 * A publishing step as one unit (`PipelineStep`: its id, names, description, queue, expected
 * maximum, work and clean-up), what it receives (`StepContext`) and what it answers
 * (`StepOutcome`). A step does its work and says how it ended; the runner applies that ending to
 * the rows in one transaction, so a step never changes statuses itself and a redelivered job can
 * run it again safely. The pipeline's order is the list in `steps/index.ts`.
 */
import type { AppContext, Trx } from '../../app/context.ts';
import type { Localized } from '../../i18n/localized.ts';
import type { OperationRow, StepRow } from '../operations.ts';
import type { OfferSnapshot } from '../offer-snapshot.ts';
import type { MessageLevel, StepMessage } from '../types.ts';

export interface StepContext {
  ctx: AppContext;
  /** The operation row as the job started (its `snapshot` is the offer being published). */
  operation: OperationRow;
  /** The offer snapshot (never the live draft). */
  offer: OfferSnapshot;
  /** The step row as the job started. */
  step: StepRow;
  /** Results of earlier steps (`operations.artifacts`), keyed by step id. */
  artifacts: Record<string, any>;
  /** Aborted when the operation is canceled or the job is taken away; pass it into long work. */
  signal: AbortSignal;
  /** How often this step has been started for this operation (1 on the first run). */
  attempt: number;
  /** Records progress (0..100, rounded, throttled) and optionally an information message. */
  progress(percent: number, message?: string | Localized): Promise<void>;
  /** Appends a message to the step (a phrase, `say(…)`, reads in the caller's language). */
  message(level: MessageLevel, text: string | Localized): Promise<void>;
  /** Per-step state persisted in the step row: survives the death of the worker. */
  checkpoint: {
    get<T extends object = Record<string, unknown>>(): T;
    set(value: object): Promise<void>;
  };
  /** Throws CANCELED when the publisher or operator asked to cancel (reads the operation row). */
  throwIfCanceled(): Promise<void>;
}

export type StepOutcome =
  | {
      status: 'complete' | 'skipped';
      /** Stored under `operations.artifacts[stepId]` in the completing transaction. */
      artifacts?: unknown;
      messages?: StepMessage[];
      /** Writes that must commit together with the step's completion (slots, reports). */
      apply?: (trx: Trx) => Promise<void>;
    }
  | {
      /** Failed with feedback: the operation fails; publishing again after a fix starts over. */
      status: 'blocked';
      messages: StepMessage[];
      /** One sentence for `operations.error`. */
      error: string;
      apply?: (trx: Trx) => Promise<void>;
    }
  | {
      /** Waits for a person: an operator's certification review, or the publisher's go-live. */
      status: 'waitingForApproval' | 'waitingForPublisherReview';
      artifacts?: unknown;
      messages?: StepMessage[];
      apply?: (trx: Trx) => Promise<void>;
    };

/** A step's id (`[a-z][a-z0-9-]*`): the eight of docs/contracts.md §4, or any a pipeline adds. */
export type StepId = string;

/** The queue a step's jobs run on: certification is CPU-bound, everything else I/O-bound. */
export type StepQueue = 'pipeline' | 'certify';

/** What a step left behind for one operation, for its clean-up after a cancel. */
export interface StepTraces {
  /** `operations.artifacts[stepId]`, when the step completed. */
  artifact: unknown;
  /** The step row's checkpoint (work done before it completed, or before the cancel). */
  checkpoint: unknown;
}

/** One publishing step, declared in one file (`steps/<id>.ts`). */
export interface PipelineStep {
  id: StepId;
  /** The step's name in every language (docs/contracts.md §4). */
  name: Localized;
  /** One sentence on what the step does, in every language. */
  description: Localized;
  queue: StepQueue;
  /**
   * The default expected maximum in seconds (`config.steps[id].expectedMaxSeconds` overrides it);
   * null: no limit, the step waits for a person. A service level, not a delay.
   */
  expectedMaxSeconds: number | null;
  /** The step's idempotent work. */
  run(stepCtx: StepContext): Promise<StepOutcome>;
  /**
   * The content-addressed objects (SHA-256s) this step's work puts, or has later steps put, into
   * the stores. After a cancel, those that no slot and no other active operation references are
   * removed from every store. Omitted: the step stores nothing.
   */
  storedObjects?(traces: StepTraces): string[];
}
