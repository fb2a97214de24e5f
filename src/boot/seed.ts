/**
 * The NoCloud seed a VM boots with: cloud-init's meta-data (instance id, host name) and a
 * cloud-config creating the login user with the runner's SSH key (and password, for a test
 * drive that asked for one). The files are written into the VM's directory and served to the
 * guest, one connection at a time, by seed-responder.mjs through QEMU's guestfwd: no port on the
 * host is opened for the guest.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import type { GuestLogin } from './types.ts';

const RESPONDER = path.join(import.meta.dirname, 'seed-responder.mjs');

export interface Seed {
  dir: string;
  /** The guestfwd command (a shell command line QEMU runs per connection). */
  command: string;
}

export function userData(login: GuestLogin): string {
  const user: Record<string, unknown> = {
    name: login.user,
    gecos: 'vmarket',
    shell: '/bin/bash',
    ssh_authorized_keys: [login.publicKey],
    lock_passwd: login.password === undefined,
  };
  if (login.password !== undefined) user.plain_text_passwd = login.password;
  if (login.sudo) user.sudo = 'ALL=(ALL) NOPASSWD:ALL';
  const config = { users: [user], ssh_pwauth: login.password !== undefined };
  return `#cloud-config\n${stringify(config)}`;
}

/** Shell single quotes; the directory names the runner makes hold no quote, this keeps it that way. */
function shellQuote(value: string): string {
  if (/['\n\0]/.test(value)) throw new Error(`unsafe path for the seed command: ${JSON.stringify(value)}`);
  return `'${value}'`;
}

export async function writeSeed(vmDir: string, instanceId: string, hostname: string, login: GuestLogin): Promise<Seed> {
  const dir = path.join(vmDir, 'seed');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(path.join(dir, 'meta-data'), stringify({ 'instance-id': instanceId, 'local-hostname': hostname }));
  await writeFile(path.join(dir, 'user-data'), userData(login), { mode: 0o600 });
  await writeFile(path.join(dir, 'vendor-data'), '');
  return { dir, command: `${shellQuote(process.execPath)} ${shellQuote(RESPONDER)} ${shellQuote(dir)}` };
}

/** The seed files the guest asked for, in order. */
export async function seedRequests(seed: Seed): Promise<string[]> {
  const log = await readFile(path.join(seed.dir, 'requests.log'), 'utf8').catch(() => '');
  return log
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      try {
        return String((JSON.parse(line) as { name?: unknown }).name ?? '');
      } catch {
        return '';
      }
    });
}
