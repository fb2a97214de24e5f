/**
 * The boot runner's contract (src/boot/): a VM started from a disk image under QEMU, on a
 * throw-away copy-on-write overlay (the image itself is never written), with user-mode
 * networking, loopback-only port forwards, a NoCloud seed served to the guest from a loopback
 * HTTP server, and its serial console recorded. Certification (`bootImage`) and the customers'
 * test drives (src/test-drives/) both start VMs through `startVm`.
 */
import type { DiskFormat } from '../contracts/certification.ts';

export type Accelerator = 'kvm' | 'tcg';
export type Firmware = 'bios' | 'uefi';
export type GuestArchitecture = 'x86_64' | 'aarch64';

/** The operator's boot settings (config `boot`, docs/contracts.md §3). */
export interface BootSettings {
  /** `auto`: KVM when /dev/kvm can be opened, software emulation (TCG) otherwise. */
  accelerator: 'auto' | Accelerator;
  /** Memory of one VM, MiB. */
  memoryMiB: number;
  cpus: number;
  /** How long a certification boot may take until SSH answered, seconds. */
  timeoutSeconds: number;
  /** Programs and firmware; defaults are Debian's paths (qemu-system-x86, qemu-system-arm, ovmf, qemu-efi-aarch64). */
  qemuX86_64?: string;
  qemuAarch64?: string;
  ovmfCode?: string;
  aavmfCode?: string;
}

/** Who the seed lets in: cloud-init creates this user with this key (and password, when given). */
export interface GuestLogin {
  user: string;
  /** One OpenSSH public key line (`ssh-ed25519 AAAA… comment`). */
  publicKey: string;
  /** A password for the console and SSH; none by default (key only). */
  password?: string;
  /** The user may run anything with sudo, without a password (a test drive's customer). Default false. */
  sudo?: boolean;
}

export interface VmOptions {
  /** The image file; opened read-only, as the overlay's backing file. */
  image: string;
  /** The container format certification read; read from the image when omitted. */
  format?: DiskFormat;
  architecture?: GuestArchitecture;
  /** `auto` (default): UEFI for a GPT disk with an EFI system partition, BIOS otherwise. */
  firmware?: Firmware | 'auto';
  /** A directory of this VM alone (overlay, pid file, console socket); removed when the VM stops. */
  workDir: string;
  /** Guest TCP ports to reach from the host; 22 is always forwarded. */
  forwardPorts?: number[];
  login: GuestLogin;
  /** The guest's host name and instance id in the seed's meta-data. */
  hostname?: string;
  settings: BootSettings;
  /** A guest reboot ends QEMU (certification boots). Default false: a test drive's customer may reboot. */
  exitOnReboot?: boolean;
  /** Aborting stops the VM (the start rejects with CANCELED while it is starting). */
  signal?: AbortSignal;
}

/** The serial console: everything the guest wrote (bounded), live, and input to it. */
export interface VmConsole {
  /** What was recorded so far (the start and the most recent part when it grew past its bound). */
  text(): string;
  /** Raw console bytes as they arrive; returns the unsubscribe function. */
  onData(listener: (chunk: Buffer) => void): () => void;
  /** The console's lines so far (escapes removed; a very long console keeps its first and latest lines). */
  lines(): readonly string[];
  /** One console line at a time (ANSI escapes and carriage returns removed). */
  onLine(listener: (line: string) => void): () => void;
  /** The line being written now, without its newline yet (a `login: ` prompt). */
  currentLine(): string;
  /** Keystrokes to the guest's serial port. */
  write(data: string | Buffer): void;
}

export interface VmExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stop() was called (cancel, timeout, end of a test drive), not the guest or QEMU ending by itself. */
  stopped: boolean;
}

export interface RunningVm {
  /** Random id; also the name of the VM's directory. */
  id: string;
  pid: number;
  accelerator: Accelerator;
  firmware: Firmware;
  architecture: GuestArchitecture;
  /** Guest TCP port → the 127.0.0.1 port forwarded to it. */
  forwards: ReadonlyMap<number, number>;
  console: VmConsole;
  /** The seed files the guest fetched so far (`meta-data`, `user-data`, …). */
  seedRequests(): Promise<string[]>;
  /** What QEMU wrote on stderr (bounded). */
  stderr(): string;
  /** What the firmware wrote on its debug port (SeaBIOS: the boot attempts, "No bootable device"). */
  firmwareLog(): Promise<string>;
  /** Resolves when QEMU has exited (whoever ended it). */
  exited: Promise<VmExit>;
  /** Stops QEMU (SIGTERM, SIGKILL after 2 s), removes the overlay and the directory. Idempotent. */
  stop(): Promise<void>;
}
