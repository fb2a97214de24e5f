/**
 * Response times of a server's routes as a client outside the server's process sees them: a
 * child process requests each path in turn for a while and reports every answer's time. It has to
 * be another process: a server whose event loop is blocked would stall an in-process prober's
 * timers too, and the stall would go unmeasured.
 */
import { execFile } from 'node:child_process';

export interface LatencySample {
  path: string;
  /** When the request was sent (epoch milliseconds). */
  at: number;
  /** Milliseconds until the whole answer arrived, or until the prober gave up (`timeoutMs`). */
  ms: number;
  /** The HTTP status, or 0 when no answer came within `timeoutMs` (or the connection failed). */
  status: number;
}

export interface ProbeOptions {
  /** How long to keep requesting. */
  durationMs: number;
  /** Pause between two requests. Default 50 ms. */
  intervalMs?: number;
  /** A request unanswered this long counts as failed (status 0). Default 5000 ms. */
  timeoutMs?: number;
}

const PROBER = `
const [base, pathsJson, durationMs, intervalMs, timeoutMs] = process.argv.slice(1);
const paths = JSON.parse(pathsJson);
const samples = [];
const end = Date.now() + Number(durationMs);
while (Date.now() < end) {
  for (const path of paths) {
    const at = Date.now();
    const started = performance.now();
    let status = 0;
    try {
      const res = await fetch(base + path, { signal: AbortSignal.timeout(Number(timeoutMs)) });
      await res.arrayBuffer();
      status = res.status;
    } catch {}
    samples.push({ path, at, ms: performance.now() - started, status });
  }
  await new Promise((resolve) => setTimeout(resolve, Number(intervalMs)));
}
process.stdout.write(JSON.stringify(samples));
`;

/** Requests each of `paths` under `base` in turn for `durationMs`; answers every sample. */
export function probeLatencies(base: string, paths: string[], options: ProbeOptions): Promise<LatencySample[]> {
  const { durationMs, intervalMs = 50, timeoutMs = 5000 } = options;
  const args = ['--input-type=module', '-e', PROBER, base, JSON.stringify(paths), String(durationMs), String(intervalMs), String(timeoutMs)];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 64 * 1024 * 1024, timeout: durationMs + timeoutMs * paths.length + 30_000 }, (error, stdout) => {
      if (error) reject(error);
      else resolve(JSON.parse(stdout) as LatencySample[]);
    });
  });
}

/** The p-th percentile (0..100, nearest rank) of values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** One line per path: count, p50, p99, max and how many got no answer. */
export function latencySummary(samples: readonly LatencySample[]): string[] {
  const paths = [...new Set(samples.map((s) => s.path))];
  return paths.map((path) => {
    const mine = samples.filter((s) => s.path === path);
    const ms = mine.map((s) => s.ms);
    const fmt = (v: number) => `${v.toFixed(1)} ms`;
    return `${path}: ${mine.length} requests, p50 ${fmt(percentile(ms, 50))}, p99 ${fmt(percentile(ms, 99))}, max ${fmt(Math.max(...ms))}, unanswered ${mine.filter((s) => s.status === 0).length}`;
  });
}
