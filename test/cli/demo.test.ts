/**
 * `vmarket demo` (what `npm start` runs): the sample offer goes live through every step with the
 * shipped sample image, the storefront lists it, and a second start on the same data reuses the
 * publisher, its token and the live offer instead of publishing again.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BIN, cliEnv, NODE, ROOT } from '../helpers/cli.ts';

interface DemoRun {
  stdout: string;
  stderr: string;
  code: number | null;
  storefront: string;
  token: string;
}

/** Runs `vmarket demo` until it says the sample offer is live, checks the storefront, stops it. */
async function runDemo(configFile: string, env: Record<string, string>): Promise<DemoRun> {
  const child = spawn(NODE, [BIN, 'demo', '--config', configFile], { cwd: ROOT, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`demo not live after 180 s:\n${stdout}\n${stderr}`)), 180_000);
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (/The sample offer is live[\s\S]*Press Ctrl\+C/.test(stdout)) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`demo exited with ${code}:\n${stdout}\n${stderr}`));
      });
    });
    const storefront = /storefront\s+(http:\/\/\S+)/.exec(stdout)![1];
    const token = /demo publisher token\s+(\S+)/.exec(stdout)![1];
    const catalog = (await (await fetch(new URL('api/v1/catalog/offers', storefront))).json()) as { offers: { id: string }[] };
    assert.deepEqual(catalog.offers.map((o) => o.id), ['demo.sample-ubuntu'], 'the storefront lists the live sample offer');
    child.kill('SIGTERM');
    return { stdout, stderr, code: await exited, storefront, token };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

test('demo publishes the sample offer to live, and a second start reuses it', async (t) => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'vmarket-demo-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const configFile = path.join(tmp, 'vmarket.yaml');
  await writeFile(configFile, `dataDir: ${JSON.stringify(path.join(tmp, 'data'))}\nlisten: { host: 127.0.0.1, port: 0 }\n`);
  const env = { VMARKET_CREDENTIALS: path.join(tmp, 'credentials.json') };

  const first = await runDemo(configFile, env);
  for (const step of ['validate', 'certify', 'provision', 'package', 'signoff', 'deploy', 'live']) {
    assert.match(first.stdout, new RegExp(`${step}\\s+✔ complete`), `${step} completed:\n${first.stdout}`);
  }
  assert.match(first.stdout, /Certification passed/);
  assert.equal(first.stdout.match(/validate\s+✔ complete/g)?.length, 1, 'each step is reported once, also across sign-off');
  assert.equal(first.code, 0, first.stderr);

  const second = await runDemo(configFile, env);
  assert.match(second.stdout, /already live and unchanged/);
  assert.doesNotMatch(second.stdout, /Publishing demo\/sample-ubuntu/);
  assert.equal(second.token, first.token, 'the demo publisher keeps its token');
  assert.equal(second.code, 0, second.stderr);
});
