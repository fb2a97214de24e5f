/**
 * The boot runner's parts without a VM: QEMU's command line keeps the image read-only and the
 * guest fenced in, console lines read as a person reads them, the markers key on what Debian's
 * kernel, systemd and cloud-init really print, the seed is valid cloud-config, the keys are
 * OpenSSH's own format, the limiter bounds boots, and orphaned VM directories are reaped.
 */
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { plainLine, ConsoleRecorder } from '../../src/boot/console.ts';
import { markersOf } from '../../src/boot/console-markers.ts';
import { BootLimiter } from '../../src/boot/limiter.ts';
import { ownerName, reapOrphanedVms } from '../../src/boot/process.ts';
import { overlayBacking, qemuArguments, type QemuCommand } from '../../src/boot/qemu.ts';
import { userData, writeSeed } from '../../src/boot/seed.ts';
import { reportArchitecture } from '../../src/boot/report.ts';
import { generateSshKeyPair } from '../../src/boot/ssh-key.ts';
import { scratchDir } from '../helpers/files.ts';
import { hasTool } from '../helpers/tools.ts';

const scratch = scratchDir('vmarket-boot-parts-');

const COMMAND: QemuCommand = {
  architecture: 'x86_64',
  accelerator: 'tcg',
  firmware: 'bios',
  memoryMiB: 1024,
  cpus: 2,
  overlay: '/run/vm/over,lay.qcow2',
  consoleSocket: '/run/vm/console.sock',
  firmwareLog: '/run/vm/firmware.log',
  pidFile: '/run/vm/qemu.pid',
  forwards: [[22, 40022], [80, 40080]],
  seedCommand: "'/usr/bin/node' '/x/seed-responder.mjs' '/run/vm/seed'",
  name: 'vmarket-test',
  exitOnReboot: true,
};

function option(args: string[], name: string): string[] {
  return args.flatMap((a, i) => (a === name ? [args[i + 1]] : []));
}

test('QEMU: the guest writes only its overlay, whose backing is the image in the certified format; the network is fenced', () => {
  const args = qemuArguments(COMMAND);
  const blockdevs = option(args, '-blockdev');
  // a comma in a path is doubled (QEMU's escape), so it cannot add options
  assert.deepEqual(blockdevs, ['driver=file,node-name=overlay-file,filename=/run/vm/over,,lay.qcow2', 'driver=qcow2,node-name=overlay,file=overlay-file']);
  assert.deepEqual(overlayBacking('/srv/a.vhd', 'vhd-fixed'), {
    driver: 'vpc',
    spec: 'json:{"driver":"vpc","file":{"driver":"file","filename":"/srv/a.vhd"},"force_size_calc":"current_size"}',
  });
  // a qcow2 or VMDK image never opens a file of its own
  assert.equal(JSON.parse(overlayBacking('/srv/a.qcow2', 'qcow2').spec.slice(5)).backing, null);
  assert.equal(overlayBacking('/srv/a.raw', 'raw').driver, 'raw');
  assert.deepEqual(option(args, '-device').filter((d) => d.startsWith('virtio-blk')), ['virtio-blk-pci,drive=overlay,bootindex=0']);
  const [netdev] = option(args, '-netdev');
  assert.match(netdev, /^user,id=net0,restrict=on,/);
  assert.match(netdev, /hostfwd=tcp:127\.0\.0\.1:40022-:22,hostfwd=tcp:127\.0\.0\.1:40080-:80,/);
  assert.doesNotMatch(netdev, /hostfwd=tcp::|hostfwd=tcp:0\.0\.0\.0/);
  assert.match(netdev, /guestfwd=tcp:10\.0\.2\.100:80-cmd:/);
  assert.ok(args.includes('-no-reboot'));
  assert.deepEqual(option(args, '-smbios'), ['type=1,serial=ds=nocloud-net;s=http://10.0.2.100/']);
  assert.ok(!qemuArguments({ ...COMMAND, exitOnReboot: false }).includes('-no-reboot'));
  const uefi = qemuArguments({ ...COMMAND, firmware: 'uefi', firmwarePath: '/usr/share/ovmf/OVMF.fd', accelerator: 'kvm' });
  assert.deepEqual(option(uefi, '-bios'), ['/usr/share/ovmf/OVMF.fd']);
  assert.deepEqual(option(uefi, '-accel'), ['kvm']);
  assert.deepEqual(option(uefi, '-cpu'), ['host']);
});

test('console lines: escapes and carriage returns removed; a bounded log keeps its start and end', () => {
  assert.equal(plainLine('\x1b[0;30;47mWelcome to GRUB!\r'), 'Welcome to GRUB!');
  assert.equal(plainLine('[\x1b[0;32m  OK  \x1b[0m] Started \x1b[0;1;39mssh.service\x1b[0m.'), '[  OK  ] Started ssh.service.');
  assert.equal(plainLine('progress 10%\rprogress 100%'), 'progress 100%');
  // what Debian 12's systemd really writes when it shortens a unit name (the ESC of the reset lost)
  assert.equal(plainLine('[\x1b[0;1;31mFAILED\x1b[0m] Failed to start \x1b[0;1;39mssh.servic…[0m - OpenBSD Secure Shell server.\r\r'), '[FAILED] Failed to start ssh.servic… - OpenBSD Secure Shell server.');
  const recorder = new ConsoleRecorder();
  const seen: string[] = [];
  recorder.onLine((l) => seen.push(l));
  recorder.record(Buffer.from('one\r\ntw'));
  recorder.record(Buffer.from('o\r\ndebian login: '));
  assert.deepEqual(seen, ['one', 'two']);
  assert.equal(recorder.currentLine(), 'debian login:');
  const big = new ConsoleRecorder();
  big.record(Buffer.from('FIRST LINE\n'));
  for (let i = 0; i < 600; i++) big.record(Buffer.alloc(8192, 0x61));
  big.record(Buffer.from('\nLAST LINE\n'));
  const text = big.text();
  assert.ok(text.startsWith('FIRST LINE\n'));
  assert.ok(text.endsWith('LAST LINE\n'));
  assert.match(text, /\[vmarket: \d+ console bytes not kept\]/);
  assert.ok(text.length < 4.5 * 1024 * 1024);
});

test('markers: what Debian 12 prints at each milestone', () => {
  const kinds = (line: string) => markersOf(line).map((m) => m.kind);
  assert.deepEqual(kinds('[    0.000000] Linux version 6.1.0-57-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12 …'), ['kernel']);
  assert.deepEqual(kinds('[    3.627189] Run /init as init process'), ['user-space']);
  assert.deepEqual(kinds('Welcome to GRUB!'), []);
  assert.deepEqual(kinds('Welcome to Debian GNU/Linux 12 (bookworm)!'), ['user-space']);
  const failed = markersOf('[FAILED] Failed to start ssh.service - OpenBSD Secure Shell server.');
  assert.deepEqual(failed.map((m) => [m.kind, m.unit]), [['failed-unit', 'ssh.service']]);
  assert.deepEqual(kinds('[    5.1] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100'), ['panic']);
  assert.ok(kinds('[   40.9] cloud-init[512]: Cloud-init v. 22.4.2 finished at Fri, 04 Dec 2026 20:42:02 +0000. Datasource DataSourceNoCloudNet [seed=http://10.0.2.100/].  Up 40.89 seconds').includes('cloud-init-finished'));
  assert.deepEqual(kinds('[   20.1] cloud-init[480]: 2026-12-04 20:41:50,141 - util.py[WARNING]: Running module locale failed'), ['cloud-init-warning']);
  assert.deepEqual(kinds("[   21.8] cloud-init[368]: 2026-12-04 21:05:29,191 - activators.py[WARNING]: Running ['ifup', 'enp0s2'] resulted in stderr output: ifup: interface enp0s2 already configured"), ['cloud-init-warning']);
  assert.deepEqual(kinds('[   22.0] cloud-init[368]: 2026-12-04 21:05:30,000 - handlers.py[ERROR]: cannot parse user-data'), ['cloud-init-error']);
  assert.deepEqual(kinds('debian login: '), ['login-prompt']);
  assert.deepEqual(kinds("error: file `/boot/vmlinuz' not found."), ['boot-loader-error']);
});

test('seed: cloud-config creating the user with the key; a password only when asked', async () => {
  const key = generateSshKeyPair('t');
  const keyOnly = parse(userData({ user: 'vmarket', publicKey: key.publicKey })) as { users: Record<string, unknown>[]; ssh_pwauth: boolean };
  assert.ok(userData({ user: 'vmarket', publicKey: key.publicKey }).startsWith('#cloud-config\n'));
  assert.deepEqual(keyOnly.users[0].ssh_authorized_keys, [key.publicKey]);
  assert.equal(keyOnly.users[0].lock_passwd, true);
  assert.equal(keyOnly.ssh_pwauth, false);
  assert.equal(keyOnly.users[0].sudo, undefined);
  const withPassword = parse(userData({ user: 'drive', publicKey: key.publicKey, password: 'p: "x"', sudo: true })) as { users: Record<string, unknown>[]; ssh_pwauth: boolean };
  assert.equal(withPassword.users[0].plain_text_passwd, 'p: "x"');
  assert.equal(withPassword.users[0].lock_passwd, false);
  assert.equal(withPassword.ssh_pwauth, true);
  const dir = await scratch();
  const seed = await writeSeed(dir, 'vmarket-1', 'host-1', { user: 'vmarket', publicKey: key.publicKey });
  assert.deepEqual(parse(await readFile(path.join(seed.dir, 'meta-data'), 'utf8')), { 'instance-id': 'vmarket-1', 'local-hostname': 'host-1' });
  await assert.rejects(writeSeed(path.join(dir, "it's"), 'i', 'h', { user: 'u', publicKey: key.publicKey }), /unsafe path/);
});

test('the seed responder answers one HTTP request from its directory, nothing else', async () => {
  const dir = await scratch();
  const key = generateSshKeyPair('t');
  const seed = await writeSeed(dir, 'vmarket-2', 'h', { user: 'vmarket', publicKey: key.publicKey });
  const ask = (request: string) =>
    new Promise<string>((resolve) => {
      const child = spawn('sh', ['-c', seed.command]);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', () => resolve(out));
      child.stdin.end(request);
    });
  const meta = await ask('GET /meta-data HTTP/1.1\r\nHost: 10.0.2.100\r\n\r\n');
  assert.match(meta, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(meta, /instance-id: vmarket-2/);
  assert.match(await ask('GET /../../etc/passwd HTTP/1.1\r\n\r\n'), /^HTTP\/1\.1 404 /);
  assert.match(await ask('GET /requests.log HTTP/1.1\r\n\r\n'), /^HTTP\/1\.1 404 /);
  assert.match(await ask('POST /meta-data HTTP/1.1\r\n\r\n'), /^HTTP\/1\.1 405 /);
  const log = (await readFile(path.join(seed.dir, 'requests.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).name);
  assert.deepEqual(log, ['meta-data', '../../etc/passwd', 'requests.log', 'meta-data']);
});

test('SSH keys are OpenSSH Ed25519: ssh-keygen derives the same public key from the private one', { skip: hasTool('ssh-keygen') ? false : 'ssh-keygen is not installed' }, async () => {
  const key = generateSshKeyPair('vmarket-test');
  assert.match(key.publicKey, /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]+=* vmarket-test$/);
  const file = path.join(await scratch(), 'id');
  await writeFile(file, key.privateKey, { mode: 0o600 });
  assert.equal(execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).trim(), key.publicKey);
});

test('the boot limiter lets `limit` boots run and hands each freed slot to the next in line', async () => {
  const limiter = new BootLimiter(2);
  const a = await limiter.acquire();
  const b = await limiter.acquire();
  let cStarted = false;
  const c = limiter.acquire().then((release) => ((cStarted = true), release));
  const abort = new AbortController();
  const d = limiter.acquire(abort.signal);
  await new Promise((r) => setImmediate(r));
  assert.equal(cStarted, false);
  abort.abort(new Error('stop waiting'));
  await assert.rejects(d, /stop waiting/);
  a();
  a(); // a second release is ignored
  const releaseC = await c;
  assert.equal(cStarted, true);
  let eStarted = false;
  const e = limiter.acquire().then((release) => ((eStarted = true), release));
  await new Promise((r) => setImmediate(r));
  assert.equal(eStarted, false, 'two slots are taken (b and c)');
  b();
  (await e)();
  releaseC();
});

test('reaping: a dead owner\'s VM directory goes, a live owner\'s and another host\'s stay, and an unrelated pid is never signalled', async () => {
  const root = await scratch();
  const live = path.join(root, ownerName(), 'vm-live');
  await mkdir(live, { recursive: true });
  // a dead owner whose pid file names a process that is not its QEMU (this test's own sleep)
  const sleeper = spawn('sleep', ['30']);
  const dead = path.join(root, `${ownerName().split('.')[0]}.999999999-1`, 'vm-dead');
  await mkdir(dead, { recursive: true });
  await writeFile(path.join(dead, 'qemu.pid'), `${sleeper.pid}\n`);
  // another machine's VM (a data directory shared by several hosts): not this host's to reap
  const other = path.join(root, 'elsewhere.999999999-1', 'vm');
  await mkdir(other, { recursive: true });
  try {
    assert.equal(await reapOrphanedVms(root), 0);
    await assert.rejects(stat(path.dirname(dead)));
    await stat(live);
    await stat(other);
    assert.equal(sleeper.exitCode, null, 'the unrelated process was left alone');
  } finally {
    sleeper.kill();
  }
});

test('the guest architecture is what linux.architecture found /bin/sh to be', () => {
  const report = (message: string) => ({ result: 'passed' as const, images: [], stats: { files: 0, bytesRead: 0, durationMs: 0 }, checks: [{ id: 'linux.architecture', status: 'passed' as const, severity: 'error' as const, title: '', message, evidence: [], remediation: '' }] });
  assert.equal(reportArchitecture(report('/bin/sh → /usr/bin/dash is ELF 64-bit x86-64; 152 of 200 sampled /usr/bin files are ELF, all 64-bit x86-64/aarch64')), 'x86_64');
  assert.equal(reportArchitecture(report('/bin/sh → /usr/bin/dash is ELF 64-bit AArch64; 150 of 200 sampled /usr/bin files are ELF, all 64-bit x86-64/aarch64')), 'aarch64');
  assert.equal(reportArchitecture({ ...report(''), checks: [] }), 'x86_64');
});
