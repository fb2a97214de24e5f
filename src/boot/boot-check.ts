/**
 * `bootImage`: boot validation as certification runs it. The image boots once (startVm, on an
 * overlay); the runner watches the console for the milestones (console-markers.ts), logs in over
 * SSH with a key it made for this boot, runs one command that reports cloud-init's status and
 * the listening ports, probes the plan's open ports through their forwards, and stops the VM.
 * It ends as soon as the outcome is known: a panic, a firmware with nothing to boot, a login, or
 * an SSH server that stays silent well after the guest finished booting.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import type { CheckResult } from '../certification/types.ts';
import { checkResult } from '../certification/checks/registry.ts';
import { bootPorts, bootProvisioning, bootSsh, bootStart } from '../certification/checks/boot.ts';
import type { CheckOutcome, FoundEvidence } from '../certification/checks/types.ts';
import type { DiskFormat } from '../contracts/certification.ts';
import { isVmarketError } from '../errors.ts';
import { type Localized, say } from '../i18n/localized.ts';
import { canceledError } from '../util/abort.ts';
import { sleep } from '../util/timing.ts';
import { markersOf, type Marker } from './console-markers.ts';
import { bootLimiter } from './limiter.ts';
import { reapOrphanedVms, vmDirectory } from './process.ts';
import { generateSshKeyPair } from './ssh-key.ts';
import { sshRun, type SshOutcome } from './ssh-login.ts';
import { checkTexts as t } from './check-texts.ts';
import type { BootSettings, GuestArchitecture, RunningVm } from './types.ts';
import { startVm } from './vm.ts';
import { diskFacts } from './disk-facts.ts';
import { kvmBrokenReason, markKvmBroken } from './qemu.ts';

export const BOOT_USER = 'vmarket';

export interface BootInput {
  image: string;
  format?: DiskFormat;
  architecture?: GuestArchitecture;
  /** The plan's open ports (TCP ones are probed). */
  openPorts?: { protocol: 'tcp' | 'udp'; port: number }[];
  settings: BootSettings;
  /** Boots at once in this process (`concurrency.boot`). */
  concurrency?: number;
  /** Where VM directories go (`<dataDir>/boot`, or a temp dir for the CLI). */
  runtimeDir: string;
  signal?: AbortSignal;
  onPhase?: (phase: string) => void;
}

/** The `boot` section of a report: how the VM ran and when each milestone came, in seconds from QEMU's start. */
export interface BootSummary {
  accelerator: string;
  firmware: string;
  architecture: string;
  memoryMiB: number;
  seconds: number;
  milestones: { kernel?: number; userSpace?: number; provisioned?: number; ssh?: number };
  /** Why KVM was given up for software emulation in this boot, when it was. */
  kvmFallback?: string;
}

export interface BootReport {
  checks: CheckResult[];
  /** How the VM ran; absent when none was started (the disk cannot boot at all). */
  summary?: BootSummary;
  /** The whole serial console (bounded, src/boot/console.ts), firmware messages first. */
  console: string;
}

/** The one command the SSH login runs: cloud-init's verdict, failed units, listening TCP ports. */
const PROBE_COMMAND = [
  'echo ::cloud-init::',
  'cloud-init status --wait --long 2>&1 || true',
  'echo ::failed-units::',
  'systemctl --failed --no-legend --plain 2>&1 || true',
  'echo ::listening::',
  '(ss -Htln 2>/dev/null || netstat -tln 2>/dev/null) || true',
].join('; ');

/** Under KVM a kernel prints within a second of the boot loader handing over; this long without one, KVM is taken to be broken. */
const KVM_KERNEL_GRACE_MS = 25_000;
/** The firmware handed over to the disk's boot code and nothing was written since: the boot loader is stuck. */
const LOADER_SILENCE_MS = 90_000;

/** After the guest looks booted (cloud-init finished, a login prompt), SSH gets this long to answer. */
const SSH_GRACE_MS = 30_000;
const SSH_FAILED_GRACE_MS = 5_000;
/** A login attempt that has not finished by then is given up and tried again (the command itself waits for cloud-init). */
const SSH_ATTEMPT_MS = 60_000;
const POLL_MS = 1000;
const EVIDENCE_LINES = 12;

interface Watch {
  started: number;
  milestones: BootSummary['milestones'];
  markers: (Marker & { index: number })[];
  panic?: number;
  failedUnits: (Marker & { index: number })[];
  cloudInitErrors: (Marker & { index: number })[];
  cloudInitWarnings: (Marker & { index: number })[];
  bootLoaderErrors: (Marker & { index: number })[];
  looksBooted?: number;
}

function seconds(watch: Watch): number {
  return Math.round((Date.now() - watch.started) / 100) / 10;
}

function watchConsole(vm: RunningVm, watch: Watch): () => void {
  let index = 0;
  const see = (line: string) => {
    index++;
    // systemd shortens a long name to fit the console ("ssh.servic…"); its next line names it whole
    const named = line.match(/See '(?:systemctl status|journalctl -xeu) ([^' ]+)'/);
    const last = watch.failedUnits.at(-1);
    if (named && last?.unit?.endsWith('…') && named[1].startsWith(last.unit.slice(0, -1))) last.unit = named[1];
    for (const marker of markersOf(line)) {
      const entry = { ...marker, index };
      watch.markers.push(entry);
      if (marker.kind === 'kernel') watch.milestones.kernel ??= seconds(watch);
      if (marker.kind === 'user-space') watch.milestones.userSpace ??= seconds(watch);
      if (marker.kind === 'panic') watch.panic ??= index;
      if (marker.kind === 'failed-unit') watch.failedUnits.push(entry);
      if (marker.kind === 'cloud-init-error') watch.cloudInitErrors.push(entry);
      if (marker.kind === 'cloud-init-warning') watch.cloudInitWarnings.push(entry);
      if (marker.kind === 'boot-loader-error') watch.bootLoaderErrors.push(entry);
      if (marker.kind === 'cloud-init-finished') {
        watch.milestones.provisioned ??= seconds(watch);
        watch.looksBooted ??= Date.now();
      }
      if (marker.kind === 'login-prompt') watch.looksBooted ??= Date.now();
    }
  };
  // the lines written before the watch began (the firmware, the boot loader) count too
  for (const line of [...vm.console.lines()]) see(line);
  return vm.console.onLine(see);
}

function consoleEvidence(lines: readonly string[], index: number, detail?: string | Localized): FoundEvidence {
  return { image: 'os', path: 'console', line: index, detail: detail ?? lines[index - 1] ?? '' };
}

function lastLines(lines: readonly string[], count: number): FoundEvidence[] {
  const start = Math.max(0, lines.length - count);
  return lines.slice(start).map((line, i): FoundEvidence => ({ image: 'os', path: 'console', line: start + i + 1, detail: line })).filter((e) => String(e.detail).trim() !== '');
}

interface ProbeResult {
  cloudInit: string;
  failedUnits: string[];
  listening: string[];
}

function parseProbe(stdout: string): ProbeResult {
  const section = (name: string) => {
    const start = stdout.indexOf(`::${name}::`);
    if (start < 0) return '';
    const rest = stdout.slice(start + name.length + 4);
    const next = rest.indexOf('\n::');
    return (next >= 0 ? rest.slice(0, next) : rest).trim();
  };
  return {
    cloudInit: section('cloud-init'),
    failedUnits: section('failed-units').split('\n').map((l) => l.trim()).filter(Boolean),
    listening: section('listening').split('\n').map((l) => l.trim()).filter(Boolean),
  };
}

/** Does a TCP connection through the forward stay up? slirp accepts on the host side at once and closes when the guest refuses. */
function probePort(port: number, holdMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let done = false;
    const finish = (open: boolean) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(open);
    };
    socket.once('data', () => finish(true));
    socket.once('close', () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => setTimeout(() => finish(true), holdMs));
    setTimeout(() => finish(false), holdMs + 5000);
  });
}

/** SeaBIOS says so on its debug port; OVMF on the console, then falls back to its own shell. */
async function firmwareSaysNothingToBoot(vm: RunningVm): Promise<string | null> {
  const lines = vm.console.lines();
  if (lines.some((l) => /UEFI Interactive Shell|BdsDxe: No bootable option/.test(l))) {
    return lines.filter((l) => /BdsDxe: failed to load|No bootable option/.test(l)).join('; ') || 'UEFI found no boot loader and started its shell';
  }
  const log = await vm.firmwareLog();
  const line = log.split('\n').find((l) => /No bootable device|Boot failed/.test(l) && !/CDROM|DVD|Floppy/i.test(l));
  return line && log.includes('No bootable device') ? line.trim() : null;
}

/** Boots the image and writes the four boot checks. Throws only TOOL_MISSING (QEMU not there), CANCELED, or QEMU failing to start. */
export async function bootImage(input: BootInput): Promise<BootReport> {
  const release = await bootLimiter(input.concurrency ?? 1).acquire(input.signal);
  try {
    await reapOrphanedVms(input.runtimeDir);
    const first = await bootOnce(input);
    if (first !== 'kvm-broken') return first;
    // KVM ran the firmware and the boot loader but no kernel: once more under software emulation
    const second = await bootOnce(input);
    if (second === 'kvm-broken') throw new Error('software emulation was not chosen after KVM failed');
    if (second.summary) second.summary.kvmFallback = kvmBrokenReason() ?? undefined;
    return second;
  } finally {
    release();
  }
}

async function bootOnce(input: BootInput): Promise<BootReport | 'kvm-broken'> {
  const { settings, signal } = input;
  const key = generateSshKeyPair('vmarket-boot-validation');
  const workDir = await vmDirectory(input.runtimeDir, randomUUID());
  const tcpPorts = [...new Set((input.openPorts ?? []).filter((p) => p.protocol === 'tcp').map((p) => p.port))];
  let lastPhase = '';
  const phase = (name: string) => {
    if (name !== lastPhase) input.onPhase?.(name);
    lastPhase = name;
  };
  const facts = await diskFacts(input.image);
  if (facts.firmware === 'bios' && !facts.bootCode && (input.architecture ?? 'x86_64') === 'x86_64') {
    // nothing in sector 0: a BIOS would jump into zeros and hang until the timeout
    return notBooted(checkResult(bootStart, { status: 'failed', message: t.noBootCode, evidence: [{ image: 'os', path: 'sector 0', detail: t.zeroBootCode }] }));
  }
  phase('starting the VM');
  const vm = await startVm({
    image: input.image,
    format: input.format ?? facts.format,
    firmware: facts.firmware,
    architecture: input.architecture,
    workDir,
    forwardPorts: tcpPorts,
    login: { user: BOOT_USER, publicKey: key.publicKey },
    settings,
    exitOnReboot: true,
    signal,
  });
  const watch: Watch = { started: Date.now(), milestones: {}, markers: [], failedUnits: [], cloudInitErrors: [], cloudInitWarnings: [], bootLoaderErrors: [] };
  const unwatch = watchConsole(vm, watch);
  let exited = false;
  void vm.exited.then(() => (exited = true));
  const deadline = watch.started + settings.timeoutSeconds * 1000;
  // set by the login attempts running beside the loop
  const login: { ok: SshOutcome | null; failed: SshOutcome | null } = { ok: null, failed: null };
  let ended: 'exited' | 'panic' | 'nothing-to-boot' | 'boot-loader' | 'boot-loader-silent' | 'timeout' | 'ssh' | 'ssh-silent' = 'timeout';
  let nothingToBoot: string | null = null;
  let portsOpen = new Map<number, boolean>();
  const kvmOnTrial = vm.accelerator === 'kvm' && settings.accelerator === 'auto';
  let kvmFailed = false;
  let consoleLines = 0;
  let lastOutput = Date.now();
  let attempting: Promise<void> | null = null;
  try {
    while (Date.now() < deadline) {
      if (signal?.aborted) throw canceledError('The boot');
      if (kvmOnTrial && watch.milestones.kernel === undefined && Date.now() - watch.started > KVM_KERNEL_GRACE_MS && vm.console.lines().some((l) => /Loading Linux|Booting .*Linux|EFI stub/i.test(l))) {
        markKvmBroken(`under KVM the boot loader started a kernel that printed nothing within ${KVM_KERNEL_GRACE_MS / 1000} s`);
        kvmFailed = true;
        break;
      }
      if (watch.panic !== undefined) {
        ended = 'panic';
        break;
      }
      if (exited) {
        if (kvmOnTrial && /KVM internal error|emulation failure/.test(vm.stderr())) {
          markKvmBroken(`KVM stopped the VM: ${vm.stderr().split('\n').find((l) => /KVM internal error|emulation failure/.test(l))?.trim()}`);
          kvmFailed = true;
        }
        ended = 'exited';
        break;
      }
      if (vm.console.lines().length !== consoleLines) {
        consoleLines = vm.console.lines().length;
        lastOutput = Date.now();
      }
      if (watch.milestones.kernel === undefined && Date.now() - lastOutput > LOADER_SILENCE_MS && /Booting from/.test(await vm.firmwareLog())) {
        ended = 'boot-loader-silent';
        break;
      }
      if (watch.milestones.kernel === undefined && (nothingToBoot = await firmwareSaysNothingToBoot(vm))) {
        ended = 'nothing-to-boot';
        break;
      }
      if (watch.milestones.kernel === undefined && /grub rescue>|^grub>/.test(vm.console.currentLine())) {
        ended = 'boot-loader';
        break;
      }
      if (/\blogin: ?$/.test(vm.console.currentLine())) watch.looksBooted ??= Date.now();
      // one login attempt at a time, beside the watch: a guest whose network is not up yet lets a
      // connection hang, and a panic meanwhile must still end the boot at once
      if (watch.milestones.userSpace !== undefined && !attempting) {
        phase('waiting for SSH');
        attempting = sshRun({ port: vm.forwards.get(22)!, user: BOOT_USER, privateKey: key.privateKey, command: PROBE_COMMAND, timeoutMs: Math.max(1000, Math.min(deadline - Date.now(), SSH_ATTEMPT_MS)) }).then((outcome) => {
          if (outcome.ok) login.ok = outcome;
          else login.failed = outcome;
          attempting = null;
        });
      }
      if (login.ok) {
        watch.milestones.ssh = seconds(watch);
        ended = 'ssh';
        break;
      }
      // an SSH server whose unit failed (systemd gave up restarting it) will not answer: a short grace then
      const grace = watch.failedUnits.some((m) => /ssh/i.test(m.unit ?? '')) ? SSH_FAILED_GRACE_MS : SSH_GRACE_MS;
      if (login.failed && watch.looksBooted !== undefined && Date.now() - watch.looksBooted > grace) {
        ended = 'ssh-silent';
        break;
      }
      await sleep(POLL_MS, signal).catch(() => undefined);
    }
    if (login.ok && tcpPorts.length > 0) {
      phase('probing the open ports');
      portsOpen = new Map(await Promise.all(tcpPorts.map(async (p) => [p, await probePort(vm.forwards.get(p)!)] as const)));
    }
  } finally {
    unwatch();
    await vm.stop();
    // a login attempt still under way ends with the VM
    await attempting;
  }
  if (signal?.aborted) throw canceledError('The boot');
  if (kvmFailed) return 'kvm-broken';
  const ssh = login.ok;
  const lastSshFailure = login.failed;

  const lines = vm.console.lines();
  const firmware = await vm.firmwareLog().catch(() => '');
  const seedFiles = await vm.seedRequests();
  const probe = ssh?.ok ? parseProbe(ssh.stdout) : null;
  const context: OutcomeContext = { watch, lines, ended, nothingToBoot, ssh, lastSshFailure, seedFiles, probe, portsOpen, tcpPorts, udpPorts: (input.openPorts ?? []).filter((p) => p.protocol === 'udp').map((p) => p.port), settings, vm };
  const start = startOutcome(context);
  const started = start.status === 'passed';
  const checks = [
    checkResult(bootStart, start),
    checkResult(bootProvisioning, started ? provisioningOutcome(context) : { status: 'skipped', message: t.notStarted }),
    checkResult(bootSsh, started ? sshOutcome(context) : { status: 'skipped', message: t.notStarted }),
    checkResult(bootPorts, started ? portsOutcome(context) : { status: 'skipped', message: t.notStarted }),
  ];
  return {
    checks,
    summary: { accelerator: vm.accelerator, firmware: vm.firmware, architecture: vm.architecture, memoryMiB: settings.memoryMiB, seconds: seconds(watch), milestones: watch.milestones },
    console: firmware.trim() ? `${vm.console.text()}\n--- firmware (debug port 0x402) ---\n${firmware}` : vm.console.text(),
  };
}

interface OutcomeContext {
  watch: Watch;
  lines: readonly string[];
  ended: string;
  nothingToBoot: string | null;
  ssh: SshOutcome | null;
  lastSshFailure: SshOutcome | null;
  seedFiles: string[];
  probe: ProbeResult | null;
  portsOpen: Map<number, boolean>;
  tcpPorts: number[];
  udpPorts: number[];
  settings: BootSettings;
  vm: RunningVm;
}

function how(c: OutcomeContext): string {
  return `${c.vm.accelerator === 'kvm' ? 'KVM' : 'software emulation'}, ${c.vm.firmware === 'uefi' ? 'UEFI' : 'BIOS'}`;
}

function startOutcome(c: OutcomeContext): CheckOutcome {
  const { watch, lines } = c;
  if (watch.panic !== undefined) {
    const from = Math.max(1, watch.panic - 5);
    return {
      status: 'failed',
      message: say(t.panicked, lines[watch.panic - 1] ?? ''),
      evidence: lines.slice(from - 1, watch.panic).map((_, i) => consoleEvidence(lines, from + i)).filter((e) => String(e.detail).trim() !== ''),
    };
  }
  const userSpace = watch.markers.find((m) => m.kind === 'user-space');
  if (userSpace || c.ssh?.ok) {
    const kernel = watch.markers.find((m) => m.kind === 'kernel');
    return {
      status: 'passed',
      message: say(t.reachedUserSpace, watch.milestones.userSpace ?? watch.milestones.ssh ?? 0, how(c)),
      evidence: [kernel, userSpace].filter((m) => m !== undefined).map((m) => consoleEvidence(lines, m.index)),
    };
  }
  if (c.ended === 'nothing-to-boot') {
    return { status: 'failed', message: say(t.nothingToBoot, how(c)), evidence: [{ image: 'os', path: 'firmware', detail: c.nothingToBoot ?? 'No bootable device.' }] };
  }
  const loaderErrors = watch.bootLoaderErrors.slice(0, 5).map((m) => consoleEvidence(lines, m.index));
  if (c.ended === 'boot-loader' || (loaderErrors.length > 0 && watch.milestones.kernel === undefined)) {
    return { status: 'failed', message: t.bootLoaderStopped, evidence: [...loaderErrors, ...lastLines(lines, 5)] };
  }
  if (c.ended === 'boot-loader-silent') {
    return { status: 'failed', message: say(t.loaderSilent, LOADER_SILENCE_MS / 1000), evidence: [{ image: 'os', path: 'firmware', detail: 'Booting from Hard Disk' }, ...lastLines(lines, 5)] };
  }
  if (c.ended === 'exited') {
    const exitLine = c.vm.stderr().split('\n').filter((l) => l.trim() && !l.includes('waiting for connection')).slice(-2);
    return {
      status: 'failed',
      message: watch.milestones.kernel === undefined ? t.stoppedBeforeKernel : t.stoppedBeforeUserSpace,
      evidence: [...lastLines(lines, EVIDENCE_LINES), ...exitLine.map((detail) => ({ image: 'os' as const, path: 'qemu', detail }))],
    };
  }
  return {
    status: 'failed',
    message: say(watch.milestones.kernel === undefined ? t.noKernelWithin : t.noUserSpaceWithin, c.settings.timeoutSeconds),
    evidence: lastLines(lines, EVIDENCE_LINES),
  };
}

function provisioningOutcome(c: OutcomeContext): CheckOutcome {
  const { watch, lines, probe } = c;
  const errors = watch.cloudInitErrors.slice(0, 10).map((m) => consoleEvidence(lines, m.index));
  const cloudUnits = watch.failedUnits.filter((m) => /cloud-(init|config|final)/.test(m.unit ?? '')).map((m) => consoleEvidence(lines, m.index));
  const status = probe?.cloudInit.match(/^status: (\S+)/m)?.[1];
  const sawCloudInit = watch.markers.some((m) => /cloud-init/i.test(m.line)) || lines.some((l) => /cloud-init\[\d+\]|Cloud-init v\./.test(l));
  const warnings = watch.cloudInitWarnings.slice(0, 5).map((m) => consoleEvidence(lines, m.index));
  if (status === 'done' && errors.length === 0 && cloudUnits.length === 0) {
    return { status: 'passed', message: say(t.provisioned, watch.milestones.provisioned ?? watch.milestones.ssh ?? 0), evidence: [...statusEvidence(probe!), ...warnings] };
  }
  if (status && status !== 'done') {
    return { status: 'failed', message: say(t.cloudInitStatus, status), evidence: [...statusEvidence(probe!), ...errors, ...cloudUnits] };
  }
  if (errors.length > 0 || cloudUnits.length > 0) {
    return { status: 'failed', message: t.cloudInitErrors, evidence: [...cloudUnits, ...errors] };
  }
  const finished = watch.markers.find((m) => m.kind === 'cloud-init-finished');
  if (finished) return { status: 'passed', message: say(t.provisioned, watch.milestones.provisioned ?? 0), evidence: [consoleEvidence(lines, finished.index)] };
  if (c.seedFiles.length === 0) {
    return { status: 'failed', message: sawCloudInit ? t.seedNeverFetched : t.noCloudInit, evidence: lastLines(lines, 5) };
  }
  return { status: 'failed', message: say(t.neverFinished, c.settings.timeoutSeconds), evidence: [{ image: 'os', path: 'seed', detail: `fetched: ${c.seedFiles.join(', ')}` }, ...lastLines(lines, 5)] };
}

function statusEvidence(probe: ProbeResult): FoundEvidence[] {
  return probe.cloudInit.split('\n').filter((l) => l.trim() && !/^\.+$/.test(l.trim())).slice(0, 8).map((detail) => ({ image: 'os' as const, path: 'cloud-init status --long', detail }));
}

function sshOutcome(c: OutcomeContext): CheckOutcome {
  const { ssh, lines, watch } = c;
  if (ssh?.ok) {
    return {
      status: 'passed',
      message: say(t.loggedIn, BOOT_USER, watch.milestones.ssh ?? 0),
      evidence: [{ image: 'os', path: 'ssh', detail: `${ssh.banner || 'SSH server'}, host key ${ssh.hostKey}` }],
    };
  }
  const failure = c.lastSshFailure;
  // what the console says of the SSH server: its failed units and its own complaints
  const sshUnits = watch.failedUnits.filter((m) => /ssh/i.test(m.unit ?? '')).map((m) => consoleEvidence(lines, m.index));
  const mentions = lines
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => /sshd?\b|ssh\.service|hostkeys?/i.test(line) && !/Cloud-init|ci-info/.test(line))
    .slice(-8)
    .map(({ i }) => consoleEvidence(lines, i + 1));
  const evidence = [...sshUnits, ...mentions.filter((m) => !sshUnits.some((u) => u.line === m.line))].slice(0, EVIDENCE_LINES);
  const reason = failure && !failure.ok ? failure : null;
  if (reason?.stage === 'auth') return { status: 'failed', message: say(t.keyRefused, BOOT_USER), evidence: [{ image: 'os', path: 'ssh', detail: reason.reason }, ...evidence] };
  if (sshUnits.length > 0) return { status: 'failed', message: say(t.sshUnitFailed, sshUnits.length > 0 ? String(watch.failedUnits.find((m) => /ssh/i.test(m.unit ?? ''))?.unit) : 'ssh'), evidence };
  return {
    status: 'failed',
    message: say(t.sshSilent, reason?.reason ?? 'no SSH server answered'),
    evidence: evidence.length > 0 ? evidence : lastLines(lines, 5),
  };
}

function portsOutcome(c: OutcomeContext): CheckOutcome {
  if (c.tcpPorts.length === 0) {
    return { status: 'skipped', message: c.udpPorts.length > 0 ? say(t.onlyUdp, c.udpPorts) : t.noPorts };
  }
  if (!c.ssh?.ok) return { status: 'skipped', message: t.portsNeedSsh };
  const closed = c.tcpPorts.filter((p) => !c.portsOpen.get(p));
  const listening = c.probe?.listening ?? [];
  const evidence: FoundEvidence[] = c.tcpPorts.map((port) => {
    const guest = listening.filter((l) => new RegExp(`:${port}\\s`).test(`${l} `));
    const loopbackOnly = guest.length > 0 && guest.every((l) => /\s(127\.\d+\.\d+\.\d+|\[::1\]):\d+\s/.test(`${l} `));
    const detail = c.portsOpen.get(port) ? say(t.portOpen, port) : loopbackOnly ? say(t.portLoopbackOnly, port) : say(t.portClosed, port);
    return { image: 'os', path: `tcp/${port}`, detail };
  });
  if (c.udpPorts.length > 0) evidence.push({ image: 'os', path: 'udp', detail: say(t.udpNotProbed, c.udpPorts) });
  if (closed.length > 0) return { status: 'warning', message: say(t.portsClosed, closed), evidence };
  return { status: 'passed', message: say(t.portsOpen, c.tcpPorts), evidence };
}

/** A report of a boot that was not attempted because the disk cannot boot: boot.start as given, the rest skipped. */
function notBooted(start: CheckResult): BootReport {
  return {
    checks: [start, ...bootNotRun(t.notStarted, false).slice(1)],
    console: '',
  };
}

/** The four boot checks when no boot ran: skipped with the reason (or boot.start failed, when boot validation is required). */
export function bootNotRun(reason: Localized | string, required: boolean): CheckResult[] {
  return [
    checkResult(bootStart, { status: required ? 'failed' : 'skipped', message: reason }),
    checkResult(bootProvisioning, { status: 'skipped', message: reason }),
    checkResult(bootSsh, { status: 'skipped', message: reason }),
    checkResult(bootPorts, { status: 'skipped', message: reason }),
  ];
}

/** The sentence of a boot that could not be attempted (TOOL_MISSING and the like), in every language it has. */
export function whyNotBooted(error: unknown): Localized | string {
  if (isVmarketError(error)) return error.localized ?? error.message;
  return (error as Error).message;
}

