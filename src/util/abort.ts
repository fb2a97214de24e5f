/**
 * Cancellation helpers shared by the stores, the throttle, replication and the retry helper:
 * every abort surfaces as one VmarketError('CANCELED'), whatever layer noticed it first.
 */
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
