/**
 * Counts hits per key in fixed one-minute windows, in memory, for limits a route applies on keys
 * of its own choosing (the acquire route's subscription id and client address) next to the
 * global per-client limit of @fastify/rate-limit. Each key has its own count, so one flooding
 * key never uses up another's. The whole table is dropped when its window ends, so the memory
 * it holds is bounded by the keys seen in one minute.
 */
export class MinuteLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #windowStart: number;
  #counts = new Map<string, number>();

  constructor(max: number, options: { windowMs?: number; now?: () => number } = {}) {
    this.#max = max;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    this.#windowStart = this.#now();
  }

  /** Counts one hit of `key`: null when it is within the limit, else the seconds until it resets. */
  hit(key: string): number | null {
    const now = this.#now();
    if (now - this.#windowStart >= this.#windowMs) {
      this.#windowStart = now;
      this.#counts = new Map();
    }
    const count = (this.#counts.get(key) ?? 0) + 1;
    if (count > this.#max) return Math.max(1, Math.ceil((this.#windowStart + this.#windowMs - now) / 1000));
    this.#counts.set(key, count);
    return null;
  }
}
