/**
 * Boot validation on real Debian 12 images (test/fixtures/bootable-debian.ts: mmdebstrap roots
 * from Debian's packages, installed with their own GRUB), booted by real QEMU: hardened, every
 * boot check passes (through `vmarket certify --boot`, as a publisher runs it); without host
 * keys the SSH server fails with `ssh.service` in the evidence; without a boot loader and with a
 * panicking kernel `boot.start` fails with the firmware's and the kernel's own words; a canceled
 * boot and a runner killed by SIGKILL leave no QEMU and no overlay behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { bootImage, type BootInput } from '../../src/boot/boot-check.ts';
import { bootSettings } from '../../src/boot/vm.ts';
import { findUefiFirmware } from '../../src/boot/qemu.ts';
import { configSchema } from '../../src/config/schema.ts';
import { bootableDebianImage, bootableDebianSkip } from '../fixtures/bootable-debian.ts';
import { scratchDir } from '../helpers/files.ts';
import { needs } from '../helpers/tools.ts';
import { NODE, ROOT, vmarket } from '../helpers/cli.ts';

const skip = bootableDebianSkip() || needs('qemu-system-x86_64') || needs('qemu-img');
const scratch = scratchDir('vmarket-boot-');
/** Software emulation, as on a machine without KVM: the suite's boots do not depend on nested virtualisation. */
const SETTINGS = { ...bootSettings(configSchema.parse({}).boot), accelerator: 'tcg' as const, timeoutSeconds: 400 };

/** Runs a program with `input` on its stdin. */
function run(program: string, args: string[], input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${program}: ${stderr}`))));
    child.stdin.end(input);
  });
}

function check(report: { checks: { id: string; status: string; message: string; evidence: { detail: string }[] }[] }, id: string) {
  const found = report.checks.find((c) => c.id === id);
  assert.ok(found, `${id} is in the report`);
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting until ${what}`);
}

/** The QEMU pid files under a runtime directory (`<owner>/<vm>/qemu.pid`). */
async function pidFiles(runtimeDir: string): Promise<string[]> {
  const found: string[] = [];
  for (const owner of await readdir(runtimeDir).catch(() => [] as string[])) {
    for (const vm of await readdir(path.join(runtimeDir, owner)).catch(() => [] as string[])) {
      const file = path.join(runtimeDir, owner, vm, 'qemu.pid');
      if (existsSync(file)) found.push(file);
    }
  }
  return found;
}

describe('booting real Debian images under QEMU', { skip }, () => {
  const images: Record<string, string> = {};
  before(async () => {
    for (const variant of ['hardened', 'no-host-keys', 'kernel-panic', 'no-boot-loader'] as const) images[variant] = await bootableDebianImage(variant);
  });

  async function boot(image: string, extra: Partial<BootInput> = {}) {
    return bootImage({ image, settings: SETTINGS, runtimeDir: await scratch(), ...extra });
  }

  test('hardened: `vmarket certify --boot` passes every boot check and keeps the console', async () => {
    const dir = await scratch();
    const consoleFile = path.join(dir, 'console.log');
    const imageBefore = await stat(images.hardened);
    // accelerator auto: KVM where it runs kernels, software emulation otherwise (the report says which)
    const result = await vmarket(['certify', images.hardened, '--boot', '--json', '--port', '22', '--boot-console', consoleFile], {
      timeoutMs: 600_000,
    });
    const report = JSON.parse(result.stdout);
    const boots = report.checks.filter((c: { id: string }) => c.id.startsWith('boot.'));
    assert.deepEqual(
      boots.map((c: { id: string; status: string }) => [c.id, c.status]),
      [['boot.start', 'passed'], ['boot.provisioning', 'passed'], ['boot.ssh', 'passed'], ['boot.ports', 'passed']],
      JSON.stringify(boots, null, 1),
    );
    assert.equal(report.result, 'passed', result.stderr);
    assert.equal(result.code, 0);
    assert.match(check(report, 'boot.ssh').evidence[0].detail, /^SSH-2\.0-OpenSSH_\S+ .*host key SHA256:/);
    assert.ok(['kvm', 'tcg'].includes(report.boot.accelerator));
    assert.equal(report.boot.firmware, 'bios');
    assert.ok(report.boot.milestones.kernel < report.boot.milestones.userSpace && report.boot.milestones.userSpace <= report.boot.milestones.ssh, JSON.stringify(report.boot));
    const log = await readFile(consoleFile, 'utf8');
    assert.match(log, /Linux version 6\.1\.\d+-\S+-cloud-amd64/);
    assert.match(log, /Cloud-init v\. \S+ finished at/);
    assert.equal(report.boot.consoleBytes, Buffer.byteLength(log));
    // the image itself was never written (the VM wrote only its overlay): not modified, not even touched
    const after = await stat(images.hardened);
    assert.deepEqual([after.mtimeMs, after.ctimeMs, after.size], [imageBefore.mtimeMs, imageBefore.ctimeMs, imageBefore.size]);
  });

  test('without host keys and nothing to make them, boot.ssh fails naming ssh.service', async () => {
    const report = await boot(images['no-host-keys']);
    assert.equal(check(report, 'boot.start').status, 'passed');
    const ssh = check(report, 'boot.ssh');
    assert.equal(ssh.status, 'failed', JSON.stringify(ssh));
    assert.match(ssh.message, /the SSH server did not start: ssh\.service failed/);
    assert.ok(ssh.evidence.some((e) => /ssh\.service/.test(e.detail)), JSON.stringify(ssh.evidence));
    assert.match(report.console, /See 'systemctl status ssh\.service' for details/);
  });

  test('a disk with no boot loader fails boot.start at once: sector 0 holds no code for the BIOS to run', async () => {
    const report = await boot(images['no-boot-loader']);
    const start = check(report, 'boot.start');
    assert.equal(start.status, 'failed');
    assert.match(start.message, /no boot loader: sector 0 holds no boot code/);
    assert.match(start.evidence[0].detail, /first 440 bytes of the disk .* are all zero/);
    assert.equal(report.summary, undefined, 'no VM was started');
    for (const id of ['boot.provisioning', 'boot.ssh', 'boot.ports']) assert.equal(check(report, id).status, 'skipped');
  });

  test('a kernel that panics fails boot.start with the panic line', async () => {
    const report = await boot(images['kernel-panic']);
    const start = check(report, 'boot.start');
    assert.equal(start.status, 'failed', JSON.stringify(start));
    assert.match(start.message, /the kernel panicked: .*Kernel panic - not syncing: /);
    assert.ok(start.evidence.some((e) => /Kernel panic - not syncing/.test(e.detail)));
    assert.equal(check(report, 'boot.ssh').status, 'skipped');
  });

  test('cancel during a boot: QEMU is gone within seconds and the overlay removed', async () => {
    const runtimeDir = await scratch();
    const stop = new AbortController();
    const booting = bootImage({ image: images.hardened, settings: SETTINGS, runtimeDir, signal: stop.signal });
    let files: string[] = [];
    await until('QEMU runs', async () => (files = await pidFiles(runtimeDir)).length === 1);
    const pid = Number((await readFile(files[0], 'utf8')).trim());
    assert.ok(alive(pid));
    const vmDir = path.dirname(files[0]);
    assert.ok(existsSync(path.join(vmDir, 'overlay.qcow2')));
    stop.abort();
    await assert.rejects(booting, (error: Error & { code?: string }) => error.code === 'CANCELED');
    await until('QEMU has exited', () => !alive(pid), 10_000);
    assert.equal(existsSync(vmDir), false, 'the VM directory and its overlay are gone');
  });

  test('SIGKILL of the runner during a boot: QEMU dies with it, and the next boot starts clean', async () => {
    const runtimeDir = await scratch();
    const script = path.join(ROOT, 'test/boot/boot-runner-child.ts');
    const child = spawn(NODE, [script, images.hardened, runtimeDir], { stdio: 'ignore' });
    let files: string[] = [];
    await until('QEMU runs', async () => (files = await pidFiles(runtimeDir)).length === 1);
    const pid = Number((await readFile(files[0], 'utf8')).trim());
    child.kill('SIGKILL');
    // the parent-death signal: the kernel kills QEMU when its runner dies
    await until('QEMU has exited', () => !alive(pid), 10_000);
    assert.equal(existsSync(files[0]), true, 'the dead runner could not clean up');
    const report = await bootImage({ image: images['no-boot-loader'], settings: SETTINGS, runtimeDir });
    assert.equal(check(report, 'boot.start').status, 'failed');
    assert.equal(existsSync(path.dirname(path.dirname(files[0]))), false, "the dead runner's directory was reaped");
  });
});

describe('UEFI', { skip: needs('qemu-system-x86_64') || needs('qemu-img') || needs('sfdisk') || (findUefiFirmware('x86_64', SETTINGS) ? false : 'no OVMF firmware (Debian ovmf)') }, () => {
  test('a GPT disk with an EFI system partition boots with OVMF; with no boot loader on it, boot.start fails', async () => {
    const dir = await scratch();
    const image = path.join(dir, 'esp.raw');
    await writeFile(image, '');
    await truncate(image, 64 * 1024 * 1024);
    await run('sfdisk', ['-q', image], 'label: gpt\nstart=2048, size=100000, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n');
    const report = await bootImage({ image, settings: SETTINGS, runtimeDir: await scratch() });
    assert.equal(report.summary?.firmware, 'uefi');
    const start = check(report, 'boot.start');
    assert.equal(start.status, 'failed');
    assert.match(start.message, /nothing to boot on the disk \(software emulation, UEFI\)/);
    assert.match(start.evidence[0].detail, /BdsDxe/);
  });
});
