/**
 * Follows a publication by polling the offer's status: reports each step's transitions and new
 * messages as progress lines, and resolves when the operation reaches the state the caller waits
 * for (sign-off or the end). Used by `publish --wait`, `golive --wait` and the demo.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { VmarketError } from '../errors.ts';
import type { OfferStatusDocument, Step } from '../contracts/index.ts';
import { TERMINAL_STATUSES } from '../contracts/index.ts';
import type { ApiClient } from './client.ts';
import { offerPath } from './common.ts';
import { formatDuration } from './status-view.ts';

export interface FollowOptions {
  client: ApiClient;
  publisher: string;
  offerId: string;
  /** Wait for this operation (the status may still show the previous one for a moment). */
  operationId?: string;
  /** `review`: stop when the operation waits for sign-off (or ends); `end`: only when it ends. */
  until: 'review' | 'end';
  /** Receives one line per step transition and per new step message. */
  onLine?: (line: string) => void;
  /** Poll interval in milliseconds; default 500. */
  intervalMs?: number;
  signal?: AbortSignal;
  /** What was already reported, shared between successive follows of one operation. */
  seen?: FollowState;
}

/** Per step, the status and the number of messages already reported. */
export type FollowState = Map<string, { status: string; messages: number }>;

/** Polls until the operation is where `until` says and returns the last status seen. */
export async function followPublication(options: FollowOptions): Promise<OfferStatusDocument> {
  const interval = options.intervalMs ?? 500;
  const seen: FollowState = options.seen ?? new Map();
  const path = `${offerPath(options.publisher, options.offerId)}/status`;
  for (;;) {
    options.signal?.throwIfAborted();
    const view = (await options.client.get<OfferStatusDocument>(path)).body;
    const current = !options.operationId || view.operationId === options.operationId;
    if (current) {
      for (const step of view.steps) reportStep(step, seen, options.onLine);
      if (TERMINAL_STATUSES.has(view.status)) return view;
      if (options.until === 'review' && view.status === 'waitingForPublisherReview') return view;
    }
    await sleep(interval, undefined, { signal: options.signal });
  }
}

function reportStep(step: Step, seen: FollowState, onLine?: (line: string) => void): void {
  const before = seen.get(step.id) ?? { status: 'notStarted', messages: 0 };
  seen.set(step.id, { status: step.status, messages: step.messages.length });
  if (!onLine) return;
  for (const message of step.messages.slice(before.messages)) {
    onLine(`${clock()} ${step.id.padEnd(10)}   ${message.level === 'information' ? '' : `${message.level}: `}${message.text}`);
  }
  if (step.status !== before.status) {
    let suffix = '';
    if (step.status === 'complete' && step.startedAt && step.completedAt) {
      suffix = ` in ${formatDuration((Date.parse(step.completedAt) - Date.parse(step.startedAt)) / 1000)}`;
    }
    onLine(`${clock()} ${step.id.padEnd(10)} ${symbol(step.status)} ${step.status}${suffix}`);
  }
}

function symbol(status: string): string {
  switch (status) {
    case 'complete':
      return '✔';
    case 'blocked':
    case 'canceled':
      return '✘';
    case 'skipped':
      return '–';
    default:
      return '…';
  }
}

function clock(): string {
  return new Date().toISOString().slice(11, 19);
}

/** The one sentence for a publication that did not succeed: where it stopped and why. */
export function publicationFailure(label: string, view: OfferStatusDocument): VmarketError {
  const step = view.steps.find((s) => s.status === 'blocked') ?? view.steps.find((s) => s.status === 'canceled');
  if (view.status === 'canceled') {
    return new VmarketError('CANCELED', `the publication of ${label} was canceled${step ? ` at step ${step.id}` : ''}`);
  }
  const errors = step?.messages.filter((m) => m.level === 'error') ?? [];
  return new VmarketError('PUBLICATION_FAILED', `the publication of ${label} failed${step ? ` at step ${step.id} (${step.name})` : ''}`, {
    details: errors.map((m) => ({ message: m.text })),
  });
}
