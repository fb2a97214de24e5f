/**
 * Retrying outbound deliveries (leads, webhooks): exponential back-off with jitter, stopping at
 * once on a permanent failure or on cancel.
 */
import { VmarketError } from '../errors.ts';
import { sleep } from '../storage/abort.ts';
import { backoffDelay } from '../storage/replicate.ts';

export interface RetryOptions {
  /** Attempts in all, the first included. Default 5. */
  attempts?: number;
  /** Delay before the first retry in ms; doubles on each retry (with jitter, capped at 30 s). Default 200. */
  baseDelayMs?: number;
  signal?: AbortSignal;
}

/** Thrown by an attempt to stop retrying (a failure another attempt cannot fix). */
export class PermanentFailure extends Error {
  readonly error: unknown;

  constructor(error: unknown) {
    super(error instanceof Error ? error.message : String(error));
    this.name = 'PermanentFailure';
    this.error = error;
  }
}

/**
 * Runs `attempt(n)` (n from 1) until it resolves, it throws a `PermanentFailure` (whose inner
 * error is rethrown), a CANCELED error, or the attempts run out (the last error is rethrown).
 * `onRetry` hears about each failure that will be retried.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  options: RetryOptions = {},
  onRetry?: (error: unknown, n: number, delayMs: number) => void,
): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 5);
  const base = options.baseDelayMs ?? 200;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (error instanceof PermanentFailure) throw error.error;
      if (error instanceof VmarketError && error.code === 'CANCELED') throw error;
      if (n >= attempts) throw error;
      const delayMs = backoffDelay(n, base);
      onRetry?.(error, n, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}
