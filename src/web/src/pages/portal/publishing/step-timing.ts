/**
 * Elapsed time of a step against its expected maximum (docs/contracts.md §4). The maximum is a service
 * level: a step still running past it is flagged (`stuck`, with a ticket) by the server's sweeper,
 * which runs now and then, so the page also flags it itself the moment the clock passes it.
 */
import type { Step, StepStatus } from '../../../../../contracts/index.ts';

/** Statuses of a step that has started and not ended: its clock is running. */
const ACTIVE: readonly StepStatus[] = ['inProgress', 'waitingForApproval', 'waitingForPublisherReview'];

export function isActive(step: Step): boolean {
  return ACTIVE.includes(step.status);
}

/** Seconds the step has run (until now while active, until it ended otherwise); null before it started. */
export function elapsedSeconds(step: Step, now: number): number | null {
  if (!step.startedAt) return null;
  const start = Date.parse(step.startedAt);
  const end = isActive(step) ? now : step.completedAt ? Date.parse(step.completedAt) : null;
  if (end === null || Number.isNaN(start) || Number.isNaN(end)) return null;
  return Math.max(0, (end - start) / 1000);
}

/** Still running and past its expected maximum (by the server's flag or by the clock). */
export function isOverdue(step: Step, now: number): boolean {
  if (!isActive(step)) return false;
  if (step.stuck) return true;
  const elapsed = elapsedSeconds(step, now);
  return step.expectedMaxSeconds !== null && elapsed !== null && elapsed > step.expectedMaxSeconds;
}

/** Finished, but it was flagged as running past its maximum on the way (its ticket stays relevant). */
export function ranLate(step: Step): boolean {
  return step.stuck && !isActive(step);
}

export type BadgeTone = 'ok' | 'warn' | 'err' | 'muted' | 'running' | 'preview';

export function stepTone(status: StepStatus): BadgeTone {
  switch (status) {
    case 'complete':
      return 'ok';
    case 'inProgress':
      return 'running';
    case 'waitingForApproval':
    case 'waitingForPublisherReview':
      return 'warn';
    case 'blocked':
      return 'err';
    default:
      return 'muted';
  }
}
