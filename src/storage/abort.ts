/**
 * Cancellation helpers shared by the stores, the throttle and replication: every abort surfaces
 * as one VmarketError('CANCELED'), whatever layer noticed it first.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { VmarketError, isVmarketError } from '../errors.ts';

/** The error every canceled transfer rejects with. */
export function canceledError(what = 'The transfer'): VmarketError {
  return new VmarketError('CANCELED', `${what} was canceled.`);
}

/** Throws CANCELED when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw canceledError(what);
}

/** True when `error` is our CANCELED error or a platform AbortError. */
export function isAbortError(error: unknown): boolean {
  if (isVmarketError(error)) return error.code === 'CANCELED';
  return error instanceof Error && (error.name === 'AbortError' || (error as { code?: string }).code === 'ABORT_ERR');
}

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
