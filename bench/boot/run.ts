/**
 * `npm run bench -- boot` (or `node_modules/.bin/node bench/boot/run.ts`; `BENCH_BOOT_RUNS`,
 * default 2; `BENCH_BOOT_ACCEL`, default tcg): boot validation of the real, hardened Debian 12
 * image (test/fixtures/bootable-debian.ts) under software emulation, to `boot.ssh`, against a
 * baseline measured in the same run: plain QEMU booting the same image on an overlay, with the
 * same memory and CPUs, until the guest's `login:` prompt on the serial console (no seed, no
 * SSH). Prints the median seconds of each, their ratio, and the milestones. Aim: under 60 s to
 * boot.ssh on these 2-core machines.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bootImage } from '../../src/boot/boot-check.ts';
import { bootSettings } from '../../src/boot/vm.ts';
import { configSchema } from '../../src/config/schema.ts';
import { bootableDebianImage, bootableDebianSkip } from '../../test/fixtures/bootable-debian.ts';

const RUNS = Number(process.env.BENCH_BOOT_RUNS ?? 2);
const ACCEL = (process.env.BENCH_BOOT_ACCEL ?? 'tcg') as 'tcg' | 'kvm' | 'auto';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Plain QEMU to the login prompt: the floor any runner stands on. */
async function plainBoot(image: string, memoryMiB: number, cpus: number): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vmarket-bench-boot-'));
  try {
    const overlay = path.join(dir, 'overlay.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', image, overlay]);
    const started = Date.now();
    const accel = ACCEL === 'kvm' ? 'kvm' : 'tcg,thread=multi';
    const qemu = spawn('qemu-system-x86_64', ['-nodefaults', '-nographic', '-monitor', 'none', '-m', String(memoryMiB), '-smp', String(cpus), '-machine', 'q35', '-accel', accel, '-cpu', ACCEL === 'kvm' ? 'host' : 'max', '-serial', 'stdio', '-drive', `file=${overlay},if=virtio,format=qcow2`, '-netdev', 'user,id=n,restrict=on', '-device', 'virtio-net-pci,netdev=n,romfile='], { stdio: ['ignore', 'pipe', 'ignore'] });
    let seen = '';
    const seconds = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no login prompt within 600 s')), 600_000);
      qemu.stdout.on('data', (d: Buffer) => {
        seen = (seen + d.toString('latin1')).slice(-200);
        if (/login: ?$/.test(seen)) {
          clearTimeout(timer);
          resolve((Date.now() - started) / 1000);
        }
      });
    });
    qemu.kill('SIGKILL');
    return seconds;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const skip = bootableDebianSkip();
if (skip) {
  console.log(`boot: not measured (${skip})`);
  process.exit(0);
}
const image = await bootableDebianImage('hardened');
const settings = { ...bootSettings(configSchema.parse({}).boot), accelerator: ACCEL, timeoutSeconds: 600 };
const runtimeDir = await mkdtemp(path.join(tmpdir(), 'vmarket-bench-boot-'));
const plain: number[] = [];
const runner: number[] = [];
const milestones: string[] = [];
for (let i = 0; i < RUNS; i++) {
  plain.push(await plainBoot(image, settings.memoryMiB, settings.cpus));
  const report = await bootImage({ image, settings, runtimeDir });
  const ssh = report.checks.find((c) => c.id === 'boot.ssh');
  if (ssh?.status !== 'passed') throw new Error(`boot.ssh ${ssh?.status}: ${ssh?.message}`);
  const summary = report.summary!;
  runner.push(summary.milestones.ssh ?? summary.seconds);
  const m = summary.milestones;
  milestones.push(`kernel ${m.kernel} s, user space ${m.userSpace} s, cloud-init done ${m.provisioned ?? '—'} s, SSH ${m.ssh} s (${summary.accelerator})`);
}
await rm(runtimeDir, { recursive: true, force: true });
const p = median(plain);
const r = median(runner);
console.log(`plain QEMU to the login prompt: ${p.toFixed(1)} s (median of ${plain.map((s) => s.toFixed(1)).join(', ')})`);
console.log(`boot validation to boot.ssh: ${r.toFixed(1)} s (median of ${runner.map((s) => s.toFixed(1)).join(', ')}) = ${(r / p).toFixed(2)}× plain QEMU to login`);
for (const line of milestones) console.log(`  ${line}`);
console.log(`aim: under 60 s to boot.ssh under ${ACCEL === 'kvm' ? 'KVM' : 'software emulation'}: ${r < 60 ? 'met' : 'NOT met'}`);
