/**
 * The certification processes: forked from child.ts with a V8 heap limit, handed out one job at a
 * time and kept warm for the next job (forking and loading the engine costs far more than a small
 * image's certification). A process that timed out, crashed, was canceled or said something
 * outside the protocol is killed and never handed out again.
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./child.ts', import.meta.url));
/** How long a killed process may take to go after SIGTERM before it gets SIGKILL. */
const KILL_GRACE_MS = 2000;
/** An idle process is ended after this long without a job. */
const IDLE_MS = 60_000;
const MAX_IDLE = 4;
/** The last bytes of a process's stderr are kept to tell an out-of-memory death from others. */
const STDERR_TAIL = 8192;

export interface SandboxProcess {
  readonly child: ChildProcess;
  readonly memoryLimitMiB: number;
  /** The end of what the process wrote to stderr (V8 writes its out-of-memory report there). */
  stderrTail: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  idleTimer?: NodeJS.Timeout;
}

const live = new Set<SandboxProcess>();
const idle: SandboxProcess[] = [];

/** The pids of the processes certifying now, idle ones left out (tests, diagnostics). */
export function sandboxPids(): number[] {
  return [...live].flatMap((p) => (p.child.pid === undefined || idle.includes(p) ? [] : [p.child.pid]));
}

function spawn(memoryLimitMiB: number): SandboxProcess {
  // a clean execArgv: the parent's flags (a test runner's, `--input-type`) are not the child's business
  const child = fork(ENTRY, [], {
    execArgv: [`--max-old-space-size=${memoryLimitMiB}`],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'json',
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    // a process that never started never exits
    child.once('error', () => child.pid === undefined && resolve());
  });
  const proc: SandboxProcess = { child, memoryLimitMiB, stderrTail: '', exited };
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    proc.stderrTail = (proc.stderrTail + chunk).slice(-STDERR_TAIL);
  });
  child.on('error', () => undefined); // reported to the job by its own listener; never an uncaught error here
  live.add(proc);
  void exited.then(() => {
    live.delete(proc);
    const at = idle.indexOf(proc);
    if (at >= 0) idle.splice(at, 1);
    if (proc.idleTimer) clearTimeout(proc.idleTimer);
  });
  return proc;
}

function usable(proc: SandboxProcess): boolean {
  return proc.child.connected && proc.child.exitCode === null && proc.child.signalCode === null;
}

/** A process for one job: an idle one with the same heap limit, else a new one. */
export function takeProcess(memoryLimitMiB: number): SandboxProcess {
  for (let i = idle.length - 1; i >= 0; i--) {
    const proc = idle[i];
    if (proc.memoryLimitMiB !== memoryLimitMiB || !usable(proc)) continue;
    idle.splice(i, 1);
    clearTimeout(proc.idleTimer);
    proc.child.ref();
    proc.child.channel?.ref();
    (proc.child.stderr as Socket | null)?.ref();
    return proc;
  }
  return spawn(memoryLimitMiB);
}

/** A process whose job ended cleanly goes back to wait for the next job (it keeps nobody's process alive meanwhile). */
export function releaseProcess(proc: SandboxProcess): void {
  if (!usable(proc) || idle.length >= MAX_IDLE) {
    void killProcess(proc);
    return;
  }
  proc.child.removeAllListeners('message');
  proc.child.unref();
  proc.child.channel?.unref();
  (proc.child.stderr as Socket | null)?.unref();
  proc.idleTimer = setTimeout(() => void killProcess(proc), IDLE_MS);
  proc.idleTimer.unref();
  idle.push(proc);
}

/**
 * Starts an idle process with this heap limit unless one waits already: after a process was
 * killed, the next certification then finds one warm (the engine loaded) instead of paying for
 * the fork and the module loading itself.
 */
export function prewarmProcess(memoryLimitMiB: number): void {
  if (idle.some((p) => p.memoryLimitMiB === memoryLimitMiB && usable(p))) return;
  releaseProcess(spawn(memoryLimitMiB));
}

/** Ends the process: SIGTERM, SIGKILL after a grace; resolves once it has exited. */
export async function killProcess(proc: SandboxProcess): Promise<void> {
  const at = idle.indexOf(proc);
  if (at >= 0) idle.splice(at, 1);
  if (proc.child.exitCode === null && proc.child.signalCode === null) {
    proc.child.kill('SIGTERM');
    const grace = setTimeout(() => proc.child.kill('SIGKILL'), KILL_GRACE_MS);
    await proc.exited;
    clearTimeout(grace);
  }
}
