/**
 * QEMU as the boot runner starts it: which program and firmware for the guest's architecture,
 * whether KVM can be used, and the command line (a pure function, so its safety properties are
 * tested without a VM):
 * - the image is the read-only backing file of a qcow2 overlay in the VM's own directory; the
 *   overlay's header names it with the format certification established (never probed; see
 *   `overlayBacking`), so the image is never written and never read as another format;
 * - user-mode networking with `restrict=on`: the guest reaches neither the host nor any other
 *   network; the only way out is the seed address (`guestfwd` to a responder command), and the
 *   only ways in are the `hostfwd`s, bound to 127.0.0.1;
 * - the serial console on a unix socket QEMU waits on (`wait=on`), so nothing the guest prints
 *   before the runner connects is lost; the firmware's debug port (SeaBIOS prints "No bootable
 *   device" there too) into a file;
 * - `-pidfile`, so a runner that died can find and stop its VMs (process.ts).
 */
import { constants, openSync, closeSync, existsSync } from 'node:fs';
import type { DiskFormat } from '../contracts/certification.ts';
import { QEMU_SOURCE_DRIVERS } from '../storage/qemu-img.ts';
import { findProgram } from '../util/find-program.ts';
import type { Accelerator, BootSettings, Firmware, GuestArchitecture } from './types.ts';

/** The program and its Debian package for each guest architecture. */
export const QEMU_PROGRAMS: Record<GuestArchitecture, { program: string; debianPackage: string; setting: keyof BootSettings }> = {
  x86_64: { program: 'qemu-system-x86_64', debianPackage: 'qemu-system-x86', setting: 'qemuX86_64' },
  aarch64: { program: 'qemu-system-aarch64', debianPackage: 'qemu-system-arm', setting: 'qemuAarch64' },
};

/** UEFI firmware candidates (Debian's ovmf and qemu-efi-aarch64), the configured one first. */
const UEFI_FIRMWARE: Record<GuestArchitecture, { setting: keyof BootSettings; paths: string[]; debianPackage: string }> = {
  x86_64: { setting: 'ovmfCode', paths: ['/usr/share/OVMF/OVMF_CODE.fd', '/usr/share/ovmf/OVMF.fd', '/usr/share/qemu/OVMF.fd'], debianPackage: 'ovmf' },
  aarch64: { setting: 'aavmfCode', paths: ['/usr/share/AAVMF/AAVMF_CODE.fd', '/usr/share/qemu-efi-aarch64/QEMU_EFI.fd'], debianPackage: 'qemu-efi-aarch64' },
};

/** The address in the guest's network that reaches the seed (slirp's guestfwd; nothing else is reachable). */
export const SEED_ADDRESS = '10.0.2.100';
export const SEED_PORT = 80;

export function findQemu(architecture: GuestArchitecture, settings: BootSettings, searchPath?: string): string | null {
  const entry = QEMU_PROGRAMS[architecture];
  return findProgram(entry.program, settings[entry.setting] as string | undefined, searchPath);
}

export function findUefiFirmware(architecture: GuestArchitecture, settings: BootSettings): string | null {
  const entry = UEFI_FIRMWARE[architecture];
  const configured = settings[entry.setting] as string | undefined;
  if (configured) return existsSync(configured) ? configured : null;
  return entry.paths.find((p) => existsSync(p)) ?? null;
}

export function uefiFirmwarePackage(architecture: GuestArchitecture): string {
  return UEFI_FIRMWARE[architecture].debianPackage;
}

/** KVM can be used when /dev/kvm opens for reading and writing (and the guest is the host's architecture). */
export function kvmUsable(architecture: GuestArchitecture): boolean {
  const host = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch;
  if (host !== architecture) return false;
  try {
    closeSync(openSync('/dev/kvm', constants.O_RDWR));
    return true;
  } catch {
    return false;
  }
}

/**
 * KVM that opens but does not run a guest's kernel (seen under nested virtualisation: the
 * firmware and GRUB run, the kernel never prints). A boot that shows it (boot-check.ts) marks
 * it for the rest of this process, so `auto` then chooses software emulation at once.
 */
let kvmBroken: string | null = null;

export function markKvmBroken(reason: string): void {
  kvmBroken ??= reason;
}

export function kvmBrokenReason(): string | null {
  return kvmBroken;
}

export function chooseAccelerator(settings: BootSettings, architecture: GuestArchitecture): Accelerator {
  if (settings.accelerator !== 'auto') return settings.accelerator;
  return kvmBroken === null && kvmUsable(architecture) ? 'kvm' : 'tcg';
}

export interface QemuCommand {
  architecture: GuestArchitecture;
  accelerator: Accelerator;
  firmware: Firmware;
  /** The UEFI firmware file (for `uefi`). */
  firmwarePath?: string;
  memoryMiB: number;
  cpus: number;
  overlay: string;
  consoleSocket: string;
  firmwareLog: string;
  pidFile: string;
  /** [guest port, 127.0.0.1 port] */
  forwards: [number, number][];
  /** Runs once per guest connection to the seed address, with the connection as its stdin/stdout. */
  seedCommand: string;
  /** `-name`: shows in `ps` and in QEMU's messages. */
  name: string;
  /** A reboot ends QEMU (certification boots); test drives may reboot. */
  exitOnReboot: boolean;
}

/** QEMU's option values separate with commas: a literal comma is written twice. */
function optionValue(value: string): string {
  return value.replaceAll(',', ',,');
}

/**
 * The overlay's backing file as a `json:` description: the driver named (never probed), a qcow2
 * or VMDK never opening a file of its own (`backing: null`), and a VHD sized from its footer, not
 * its CHS geometry (`force_size_calc`, as provisioning converts it, src/storage/qemu-img.ts).
 * QEMU opens a backing file read-only.
 */
export function overlayBacking(image: string, format: DiskFormat): { driver: string; spec: string } {
  const driver = QEMU_SOURCE_DRIVERS[format];
  if (!driver) throw new Error(`no QEMU driver for ${format}`);
  const backing: Record<string, unknown> = { driver, file: { driver: 'file', filename: image } };
  if (driver === 'vpc') backing.force_size_calc = 'current_size';
  if (driver === 'qcow2' || driver === 'vmdk') backing.backing = null;
  return { driver, spec: `json:${JSON.stringify(backing)}` };
}

export function qemuArguments(c: QemuCommand): string[] {
  const hostfwd = c.forwards.map(([guest, host]) => `,hostfwd=tcp:127.0.0.1:${host}-:${guest}`).join('');
  const netdev = `user,id=net0,restrict=on${hostfwd},guestfwd=tcp:${SEED_ADDRESS}:${SEED_PORT}-cmd:${optionValue(c.seedCommand)}`;
  const args = [
    '-name', `${optionValue(c.name)},process=${optionValue(c.name)}`,
    '-nodefaults', '-nographic', '-monitor', 'none', '-parallel', 'none',
    '-m', String(c.memoryMiB), '-smp', String(c.cpus),
    '-pidfile', c.pidFile,
    '-chardev', `socket,id=console,path=${optionValue(c.consoleSocket)},server=on,wait=on`,
    '-serial', 'chardev:console',
    '-blockdev', `driver=file,node-name=overlay-file,filename=${optionValue(c.overlay)}`,
    // the backing file (the image, read-only) is the one the overlay's header names: overlayBacking
    '-blockdev', 'driver=qcow2,node-name=overlay,file=overlay-file',
    '-device', 'virtio-blk-pci,drive=overlay,bootindex=0',
    '-netdev', netdev,
    '-device', 'virtio-net-pci,netdev=net0,romfile=',
    '-device', 'virtio-rng-pci',
    // cloud-init's NoCloud datasource reads its seed URL from the SMBIOS system serial number
    '-smbios', `type=1,serial=ds=nocloud-net;s=http://${SEED_ADDRESS}/`,
  ];
  if (c.exitOnReboot) args.push('-no-reboot');
  if (c.architecture === 'x86_64') {
    args.push('-machine', 'q35', '-accel', c.accelerator === 'tcg' ? 'tcg,thread=multi' : 'kvm', '-cpu', c.accelerator === 'kvm' ? 'host' : 'max');
    args.push('-vga', 'none', '-chardev', `file,id=firmware,path=${optionValue(c.firmwareLog)}`, '-device', 'isa-debugcon,iobase=0x402,chardev=firmware');
    if (c.firmware === 'uefi') args.push('-bios', c.firmwarePath!);
    // SeaBIOS: only the disk, and no endless retries when nothing on it boots
    else args.push('-boot', 'strict=on');
  } else {
    args.push('-machine', 'virt', '-accel', c.accelerator, '-cpu', c.accelerator === 'kvm' ? 'host' : 'max', '-bios', c.firmwarePath!);
  }
  return args;
}
