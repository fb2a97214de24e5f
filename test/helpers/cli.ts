/**
 * Runs the real `vmarket` binary (bin/vmarket.js under the pinned Node 24) as a child process,
 * the way a user or a CI script does, with its own credentials file so tests never touch the
 * user's ~/.config.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const NODE = path.join(ROOT, 'node_modules/.bin/node');
export const BIN = path.join(ROOT, 'bin/vmarket.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Extra environment (merged over a copy of process.env without VMARKET_* variables). */
  env?: Record<string, string>;
  cwd?: string;
  /** Kill the process after this many milliseconds (a bound, not a timing assertion); default 120 s. */
  timeoutMs?: number;
}

/** The environment a test's CLI runs with: no VMARKET_* leaking in from the developer's shell. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('VMARKET_')) env[key] = value;
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs `vmarket ...args` to completion. */
export function vmarket(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [BIN, ...args], { cwd: options.cwd ?? ROOT, env: cliEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
