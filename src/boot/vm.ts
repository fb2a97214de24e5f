/**
 * `startVm`: one VM from one image, as src/boot/types.ts promises: its own directory (overlay,
 * seed, console socket, pid file), QEMU bound to this process's life, the console recorded
 * from the first byte, and `stop()` that leaves nothing behind.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ParsedConfig } from '../config/schema.ts';
import { VmarketError } from '../errors.ts';
import type { DiskFormat } from '../contracts/certification.ts';
import { findQemuImg, QEMU_IMG_PACKAGE } from '../storage/qemu-img.ts';
import { canceledError } from '../util/abort.ts';
import { ConsoleRecorder } from './console.ts';
import { diskFacts } from './disk-facts.ts';
import { terminate, spawnBoundToParent } from './process.ts';
import { chooseAccelerator, findQemu, findUefiFirmware, overlayBacking, QEMU_PROGRAMS, qemuArguments, uefiFirmwarePackage } from './qemu.ts';
import { seedRequests, writeSeed } from './seed.ts';
import { bootTexts } from './texts.ts';
import type { BootSettings, RunningVm, VmExit, VmOptions } from './types.ts';
import { say } from '../i18n/localized.ts';

const run = promisify(execFile);
const STDERR_KEPT = 16 * 1024;

export function bootSettings(config: ParsedConfig['boot']): BootSettings {
  return { ...config };
}

/** Free loopback ports for the forwards (QEMU binds them a moment later; a lost race fails the start, which says so). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<net.Server>((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server));
      }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** A copy-on-write overlay over the image, in the VM's directory: the only file the guest writes. */
async function createOverlay(image: string, format: string, overlay: string): Promise<void> {
  const qemuImg = findQemuImg(undefined, process.env.PATH);
  if (!qemuImg) throw new VmarketError('TOOL_MISSING', say(bootTexts.toolMissing, 'qemu-img', QEMU_IMG_PACKAGE));
  const { driver, spec } = overlayBacking(path.resolve(image), format as DiskFormat);
  try {
    await run(qemuImg, ['create', '-q', '-f', 'qcow2', '-F', driver, '-b', spec, overlay]);
  } catch (error) {
    const why = ((error as { stderr?: string }).stderr ?? (error as Error).message).trim();
    throw new VmarketError('IMAGE_UNSUPPORTED', say(bootTexts.overlayFailed, why), { cause: error });
  }
}

export async function startVm(options: VmOptions): Promise<RunningVm> {
  const { settings, signal } = options;
  if (signal?.aborted) throw canceledError('The boot');
  const architecture = options.architecture ?? 'x86_64';
  const program = findQemu(architecture, settings);
  if (!program) {
    const entry = QEMU_PROGRAMS[architecture];
    throw new VmarketError('TOOL_MISSING', say(bootTexts.toolMissing, entry.program, entry.debianPackage));
  }
  const facts = options.format === undefined || options.firmware === undefined || options.firmware === 'auto' ? await diskFacts(options.image) : null;
  const format = options.format ?? facts!.format;
  const firmware = architecture === 'aarch64' ? 'uefi' : options.firmware && options.firmware !== 'auto' ? options.firmware : facts!.firmware;
  const firmwarePath = firmware === 'uefi' ? findUefiFirmware(architecture, settings) : undefined;
  if (firmware === 'uefi' && !firmwarePath) {
    throw new VmarketError('TOOL_MISSING', say(bootTexts.toolMissing, `UEFI firmware for ${architecture}`, uefiFirmwarePackage(architecture)));
  }
  const accelerator = chooseAccelerator(settings, architecture);
  const id = path.basename(options.workDir);
  const dir = options.workDir;
  const guestPorts = [...new Set([22, ...(options.forwardPorts ?? [])])];
  const hostPorts = await freePorts(guestPorts.length);
  const forwards = new Map(guestPorts.map((g, i) => [g, hostPorts[i]]));
  const consoleSocket = path.join(dir, 'console.sock');

  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const overlay = path.join(dir, 'overlay.qcow2');
    await createOverlay(options.image, format, overlay);
    const seed = await writeSeed(dir, `vmarket-${id}`, options.hostname ?? 'vmarket-boot', options.login);
    const args = qemuArguments({
      architecture,
      accelerator,
      firmware,
      firmwarePath: firmwarePath ?? undefined,
      memoryMiB: settings.memoryMiB,
      cpus: settings.cpus,
      overlay,
      consoleSocket,
      firmwareLog: path.join(dir, 'firmware.log'),
      pidFile: path.join(dir, 'qemu.pid'),
      forwards: [...forwards],
      seedCommand: seed.command,
      name: `vmarket-${id.slice(0, 8)}`,
      exitOnReboot: options.exitOnReboot ?? false,
    });
    const child = spawnBoundToParent(program, args);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < STDERR_KEPT) stderr += chunk.toString('utf8');
    });
    child.stdout?.resume();
    let stopping = false;
    const exited = new Promise<VmExit>((resolve) => {
      child.once('exit', (code, sig) => resolve({ code, signal: sig, stopped: stopping }));
      child.once('error', () => resolve({ code: null, signal: null, stopped: stopping }));
    });
    const recorder = new ConsoleRecorder();
    let stopped: Promise<void> | null = null;
    const stop = () => {
      stopped ??= (async () => {
        stopping = true;
        signal?.removeEventListener('abort', onAbort);
        await terminate(child, exited);
        recorder.close();
        await cleanup();
      })();
      return stopped;
    };
    const onAbort = () => void stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    await recorder.connect(consoleSocket, exited);
    if (signal?.aborted) {
      await stop();
      throw canceledError('The boot');
    }
    if (!stopping && (await endedSilently(exited, recorder))) {
      // QEMU ended before the guest wrote anything: its own message says why (a bad option, KVM refused, a port taken)
      await stop();
      const why = stderr.split('\n').filter((l) => l.trim() && !l.includes('waiting for connection')).join(' ').trim();
      throw new VmarketError('INTERNAL', say(bootTexts.qemuFailed, why || 'no message'));
    }
    if (signal?.aborted || stopping) {
      await stop();
      throw canceledError('The boot');
    }
    return {
      id,
      pid: child.pid ?? -1,
      accelerator,
      firmware,
      architecture,
      forwards,
      console: recorder,
      stderr: () => stderr,
      firmwareLog: () => readFile(path.join(dir, 'firmware.log'), 'utf8').catch(() => ''),
      seedRequests: () => seedRequests(seed),
      exited,
      stop,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** QEMU exited with an error within a moment of starting, before the guest wrote a byte. */
async function endedSilently(exited: Promise<VmExit>, recorder: ConsoleRecorder): Promise<boolean> {
  const exit = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 500))]);
  return exit !== null && exit.code !== 0 && recorder.text().length === 0;
}
