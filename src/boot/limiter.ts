/** At most `concurrency.boot` VMs booting at once in this process: boots are CPU- and memory-bound. */

export class BootLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }

  /** Waits for a slot; the returned function gives it back (once). Aborting while waiting rejects with the signal's reason. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.running >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const index = this.waiting.indexOf(wake);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(signal!.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(wake);
      });
    } else {
      this.running++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // the slot passes straight to the next in line, so no newcomer slips in between
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    };
  }
}

const limiters = new Map<number, BootLimiter>();

/** The process's limiter for a given `concurrency.boot` (one per value, so every caller of one config shares it). */
export function bootLimiter(limit: number): BootLimiter {
  let limiter = limiters.get(limit);
  if (!limiter) limiters.set(limit, (limiter = new BootLimiter(limit)));
  return limiter;
}
