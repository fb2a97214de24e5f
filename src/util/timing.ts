/**
 * Waiting between tries, shared by replication (src/storage/replicate.ts) and the delivery retry
 * helper (src/security/retry.ts). Kept outside both so neither layer imports the other for it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { canceledError, isAbortError, throwIfAborted } from './abort.ts';

/** Sleeps `ms`, rejecting with CANCELED as soon as `signal` fires. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
  } catch (error) {
    if (isAbortError(error)) throw canceledError();
    throw error;
  }
}

const MAX_BACKOFF_MS = 30_000;

/**
 * The delay before retry `retry` (1-based): `baseMs × 2^(retry−1)` capped at 30 s, times a
 * random factor in [0.5, 1) so that callers failing together (regions, receivers) do not retry
 * in lockstep.
 */
export function backoffDelay(retry: number, baseMs = 500, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, retry - 1));
  return ceiling * (0.5 + random() / 2);
}
