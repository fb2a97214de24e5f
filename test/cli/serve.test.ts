/**
 * `vmarket serve` as a user runs it: it prints the storefront, portal and API URLs and the demo
 * publisher's token, answers on those URLs, writes the credentials file the other commands read,
 * and exits cleanly (code 0) on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BIN, cliEnv, NODE, ROOT, vmarket } from '../helpers/cli.ts';

test('serve prints its URLs and the demo token, serves them, and stops on SIGTERM', async (t) => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'vmarket-cli-serve-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const configFile = path.join(tmp, 'vmarket.yaml');
  await writeFile(configFile, `dataDir: ${JSON.stringify(path.join(tmp, 'data'))}\nlisten: { host: 127.0.0.1, port: 0 }\n`);
  const credentials = path.join(tmp, 'credentials.json');
  const env = { VMARKET_CREDENTIALS: credentials };

  const child = spawn(NODE, [BIN, 'serve', '--config', configFile], { cwd: ROOT, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.includes('Press Ctrl+C')) resolve();
    });
    void exited.then(({ code }) => reject(new Error(`serve exited with ${code} before it was ready:\n${stderr}`)));
  });

  const storefront = /storefront\s+(http:\/\/\S+)/.exec(stdout)?.[1];
  const portal = /portal\s+(http:\/\/\S+)/.exec(stdout)?.[1];
  const api = /API\s+(http:\/\/\S+)/.exec(stdout)?.[1];
  const token = /demo publisher token\s+(\S+)/.exec(stdout)?.[1];
  assert.ok(storefront && portal && api && token, `URLs and token printed:\n${stdout}`);
  assert.match(storefront, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.equal(portal, `${storefront}portal`);
  assert.equal(api, `${storefront}api/v1`);

  const health = await fetch(new URL('/healthz', storefront));
  assert.equal(health.status, 200);
  const me = await fetch(`${api}/me`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(me.status, 200, 'the printed token is a working publisher token');

  // the credentials file lets the CLI find this server and token with no flags
  const stored = JSON.parse(await readFile(credentials, 'utf8')) as { url: string; token: string };
  assert.equal(stored.token, token);
  const tickets = await vmarket(['tickets', 'list', '--json'], { env });
  assert.equal(tickets.code, 0, tickets.stderr);
  assert.ok(Array.isArray(JSON.parse(tickets.stdout)));

  child.kill('SIGTERM');
  const { code, signal } = await exited;
  assert.equal(signal, null, 'it exits by itself rather than being killed');
  assert.equal(code, 0, stderr);
});
