/**
 * A token bucket that paces a byte stream to a bandwidth limit. Tokens are bytes; the bucket
 * refills at `bytesPerSecond` up to `capacityBytes`. A `take` larger than the tokens on hand
 * puts the bucket into debt and sleeps until the debt is repaid, so at any moment the bytes
 * released since creation never exceed `capacityBytes + bytesPerSecond × elapsed seconds`.
 */
import { throwIfAborted } from '../util/abort.ts';
import { sleep } from '../util/timing.ts';

const MIN_CHUNK = 64 * 1024;
const MAX_CHUNK = 8 * 1024 * 1024;

/**
 * The chunk size for a copy: 8 MiB when unlimited, otherwise about a quarter second of the
 * limit (between 64 KiB and 8 MiB), so a throttled copy moves and reports in small steps.
 */
export function chunkSizeFor(bytesPerSecond: number | undefined): number {
  if (!bytesPerSecond || bytesPerSecond <= 0) return MAX_CHUNK;
  const quarterSecond = Math.floor(bytesPerSecond / 4 / MIN_CHUNK) * MIN_CHUNK;
  return Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, quarterSecond));
}

export interface TokenBucketOptions {
  /** Burst size in bytes (the bucket starts full). Default: `chunkSizeFor(bytesPerSecond)`. */
  capacityBytes?: number;
}

export class TokenBucket {
  readonly bytesPerSecond: number;
  readonly capacityBytes: number;
  private tokens: number;
  private last: number;

  /** @param bytesPerSecond the limit; must be positive (use no bucket for "unlimited"). */
  constructor(bytesPerSecond: number, options: TokenBucketOptions = {}) {
    if (!(bytesPerSecond > 0)) throw new RangeError('bytesPerSecond must be positive');
    this.bytesPerSecond = bytesPerSecond;
    this.capacityBytes = options.capacityBytes ?? chunkSizeFor(bytesPerSecond);
    this.tokens = this.capacityBytes;
    this.last = performance.now();
  }

  /**
   * Waits until `bytes` may be sent. Rejects with CANCELED when `signal` fires while waiting
   * (the bytes then count as not taken).
   */
  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    this.refill();
    this.tokens -= bytes;
    try {
      // Timers may fire a fraction of a millisecond early: re-check until the debt is repaid.
      while (this.tokens < 0) {
        await sleep(Math.ceil((-this.tokens / this.bytesPerSecond) * 1000), signal);
        this.refill();
      }
    } catch (error) {
      this.tokens += bytes;
      throw error;
    }
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(this.capacityBytes, this.tokens + ((now - this.last) / 1000) * this.bytesPerSecond);
    this.last = now;
  }
}

/** A bucket for `bytesPerSecond`, or undefined when the limit is 0/undefined (unlimited). */
export function bucketFor(bytesPerSecond: number | undefined): TokenBucket | undefined {
  return bytesPerSecond && bytesPerSecond > 0 ? new TokenBucket(bytesPerSecond) : undefined;
}
