/**
 * Retrying outbound deliveries (leads, webhooks, e-mail): exponential back-off with jitter,
 * stopping at once on an error another attempt cannot fix or on cancel. Which errors those are
 * is the error table's `retryable` flag (src/errors.ts), so an attempt says "stop" by throwing a
 * VmarketError with a non-retryable code, e.g. DELIVERY_REFUSED for a receiver's 4xx.
 */
import { isRetryable } from '../errors.ts';
import { backoffDelay, sleep } from '../util/timing.ts';

export interface RetryOptions {
  /** Attempts in all, the first included. Default 5. */
  attempts?: number;
  /** Delay before the first retry in ms; doubles on each retry (with jitter, capped at 30 s). Default 200. */
  baseDelayMs?: number;
  signal?: AbortSignal;
}

/**
 * Runs `attempt(n)` (n from 1) until it resolves, it throws an error that is not retryable (a
 * VmarketError whose code says so, CANCELED among them: rethrown as it is), or the attempts run
 * out (the last error is rethrown). Errors that are not VmarketErrors are retried.
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
      if (!isRetryable(error)) throw error;
      if (n >= attempts) throw error;
      const delayMs = backoffDelay(n, base);
      onRetry?.(error, n, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}
