/**
 * A real SSH login to the guest through its loopback forward (the ssh2 library: a full SSH
 * client in JavaScript), running one command. The outcome says how far it got, because each
 * stage points at a different fault: nothing listening (sshd did not start), a server that
 * closes before its banner (no host keys), a refused key (cloud-init did not create the user).
 */
import { createHash } from 'node:crypto';
import { Client } from 'ssh2';

export type SshOutcome =
  | { ok: true; code: number | null; stdout: string; stderr: string; banner: string; hostKey: string }
  | { ok: false; stage: 'connect' | 'handshake' | 'auth' | 'command'; reason: string };

export interface SshRunOptions {
  port: number;
  user: string;
  privateKey: string;
  command: string;
  timeoutMs: number;
}

const OUTPUT_LIMIT = 256 * 1024;

export function sshRun(options: SshRunOptions): Promise<SshOutcome> {
  return new Promise((resolve) => {
    const client = new Client();
    let stage: 'connect' | 'handshake' | 'auth' | 'command' = 'connect';
    let banner = '';
    let hostKey = '';
    let settled = false;
    const finish = (outcome: SshOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ ok: false, stage, reason: `no answer within ${Math.round(options.timeoutMs / 1000)} s` }), options.timeoutMs);
    client.on('handshake', () => (stage = 'auth'));
    client.on('ready', () => {
      stage = 'command';
      client.exec(options.command, (error, channel) => {
        if (error) return finish({ ok: false, stage, reason: error.message });
        let stdout = '';
        let stderr = '';
        channel.on('data', (d: Buffer) => {
          if (stdout.length < OUTPUT_LIMIT) stdout += d.toString('utf8');
        });
        channel.stderr.on('data', (d: Buffer) => {
          if (stderr.length < OUTPUT_LIMIT) stderr += d.toString('utf8');
        });
        channel.on('close', (code: number | null) => finish({ ok: true, code: code ?? null, stdout, stderr, banner, hostKey }));
      });
    });
    client.on('error', (error: Error & { level?: string }) => {
      const reason = error.level === 'client-authentication' ? 'the server refused the key' : error.message;
      finish({ ok: false, stage: error.level === 'client-authentication' ? 'auth' : stage, reason });
    });
    client.on('close', () => finish({ ok: false, stage, reason: 'the server closed the connection' }));
    client.connect({
      host: '127.0.0.1',
      port: options.port,
      username: options.user,
      privateKey: options.privateKey,
      readyTimeout: options.timeoutMs,
      // a VM of our own, booted a moment ago: its host key is new by design, and recorded as evidence
      hostVerifier: (key: Buffer) => {
        stage = 'handshake';
        hostKey = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
        return true;
      },
      debug: (line: string) => {
        const m = line.match(/Remote ident: '([^']*)'/);
        if (m) banner = m[1];
      },
    });
  });
}
