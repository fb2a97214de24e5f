/**
 * The QEMU process: started so that it cannot outlive its runner, stopped for sure, and found
 * again if a runner died anyway.
 * - `setpriv --pdeathsig KILL` (util-linux) makes the kernel kill QEMU when the process that
 *   started it dies, even by SIGKILL.
 * - Every VM directory sits under `<root>/<owner>/`, where `owner` names the runner process (host
 *   name, pid and start time, so a reused pid is not mistaken for it, and a data directory shared
 *   by several machines is reaped only by the machine that owns each VM). `reapOrphanedVms(root)`
 *   kills the QEMU of every directory of this host whose owner is gone (its `-pidfile`, checked
 *   against /proc so an unrelated process is never signalled) and removes the directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { findProgram } from '../util/find-program.ts';
import { sleep } from '../util/timing.ts';

const KILL_GRACE_MS = 2000;

/** This host as a directory-name part (no dots or dashes, which separate the parts). */
function hostPart(): string {
  return hostname().replace(/[^A-Za-z0-9_]/g, '_').slice(0, 64) || 'host';
}

/** This process as a directory name: `<host>.<pid>-<start time in clock ticks>` (Linux), `<host>.<pid>` elsewhere. */
export function ownerName(pid = process.pid): string {
  const start = processStartTime(pid);
  return `${hostPart()}.${start === null ? pid : `${pid}-${start}`}`;
}

function processStartTime(pid: number): string | null {
  try {
    // field 22 of /proc/PID/stat, after the parenthesised command (which may hold spaces)
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the owner is alive; owners of other hosts are taken to be (this host cannot tell). */
function ownerAlive(owner: string): boolean {
  const dot = owner.lastIndexOf('.');
  if (dot < 0 || owner.slice(0, dot) !== hostPart()) return dot >= 0;
  const [pid, start] = owner.slice(dot + 1).split('-');
  if (!/^\d+$/.test(pid)) return false;
  const now = processStartTime(Number(pid));
  if (now === null) {
    try {
      process.kill(Number(pid), 0);
      return start === undefined;
    } catch {
      return false;
    }
  }
  return start === undefined || now === start;
}

/** The directory of a new VM of this process. */
export async function vmDirectory(root: string, id: string): Promise<string> {
  const dir = path.join(root, ownerName(), id);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Is `pid` a QEMU started for `dir` (its command line names the directory)? */
function isQemuOf(pid: number, dir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((arg) => arg.includes(dir));
  } catch {
    return false;
  }
}

/** Stops the VMs of runner processes that are gone and removes their directories; the number of QEMUs killed. */
export async function reapOrphanedVms(root: string): Promise<number> {
  let killed = 0;
  const owners = await readdir(root).catch(() => [] as string[]);
  for (const owner of owners) {
    if (ownerAlive(owner)) continue;
    const ownerDir = path.join(root, owner);
    for (const vm of await readdir(ownerDir).catch(() => [] as string[])) {
      const dir = path.join(ownerDir, vm);
      const pid = Number((await readFile(path.join(dir, 'qemu.pid'), 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && isQemuOf(pid, dir)) {
        try {
          process.kill(pid, 'SIGKILL');
          killed++;
        } catch {
          // already gone
        }
      }
    }
    await rm(ownerDir, { recursive: true, force: true });
  }
  return killed;
}

/** Starts `program args…` so that it dies with this process (setpriv's parent-death signal, where there is setpriv). */
export function spawnBoundToParent(program: string, args: string[]): ChildProcess {
  const setpriv = process.platform === 'linux' ? findProgram('setpriv', undefined) : null;
  const [command, argv] = setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', program, ...args]] : [program, args];
  return spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the process has exited. */
export async function terminate(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(KILL_GRACE_MS).then(() => false)]);
  if (!done) {
    child.kill('SIGKILL');
    await exited;
  }
}
