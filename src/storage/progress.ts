/**
 * Coalesces per-chunk progress into at most a few callbacks a second: the first chunk reports
 * at once (so callers see a transfer has started), then at most every `intervalMs` (200 ms),
 * and the final total always.
 */
import type { TransferProgress } from './types.ts';

export interface ProgressReporter {
  /** Counts `bytes` more as done; reports when due. */
  add(bytes: number): void;
  /** Reports the current count unless exactly that count was the last report. */
  flush(): void;
  readonly bytesDone: number;
}

/**
 * @param bytesTotal the expected total.
 * @param onProgress the callback; none = a reporter that only counts.
 * @param intervalMs minimum time between two reports. Default 200 ms.
 */
export function progressReporter(
  bytesTotal: number,
  onProgress: ((progress: TransferProgress) => void) | undefined,
  intervalMs = 200,
): ProgressReporter {
  return phaseReporter(bytesTotal, onProgress, 'copying', intervalMs);
}

/** Like `progressReporter`, tagging every report with `phase` (omitted for `copying`). */
export function phaseReporter(
  bytesTotal: number,
  onProgress: ((progress: TransferProgress) => void) | undefined,
  phase: 'copying' | 'verifying',
  intervalMs = 200,
): ProgressReporter {
  let bytesDone = 0;
  let lastReport = -Infinity;
  let lastReported = -1;
  const report = (): void => {
    lastReport = performance.now();
    lastReported = bytesDone;
    onProgress?.(phase === 'copying' ? { bytesDone, bytesTotal } : { bytesDone, bytesTotal, phase });
  };
  return {
    add(bytes) {
      bytesDone += bytes;
      if (onProgress && performance.now() - lastReport >= intervalMs) report();
    },
    flush() {
      if (bytesDone !== lastReported) report();
    },
    get bytesDone() {
      return bytesDone;
    },
  };
}
