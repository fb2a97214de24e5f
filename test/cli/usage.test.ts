/**
 * The command line's contract without a server: help on every command, usage errors exit 2,
 * an unreachable server is one sentence on stderr with exit 2 and no stack trace.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { vmarket } from '../helpers/cli.ts';

const COMMANDS = [
  [],
  ['serve'],
  ['demo'],
  ['worker'],
  ['certify'],
  ['offer'],
  ['offer', 'validate'],
  ['offer', 'push'],
  ['publish'],
  ['status'],
  ['golive'],
  ['cancel'],
  ['tickets'],
  ['tickets', 'list'],
  ['tickets', 'open'],
  ['leads'],
  ['leads', 'list'],
  ['login'],
  ['publishers', 'create'],
  ['review'],
  ['audit'],
  ['audit', 'list'],
  ['deprecate'],
  ['undeprecate'],
  ['stop-sell'],
  ['resume-sell'],
  ['lifecycle'],
  ['republish'],
  ['operator', 'revoke'],
  ['gc'],
];

let tmp: string;
before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vmarket-cli-usage-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});
const env = () => ({ VMARKET_CREDENTIALS: path.join(tmp, 'credentials.json') });

test('--help works on every command and exits 0', async () => {
  const results = await Promise.all(COMMANDS.map((command) => vmarket([...command, '--help'], { env: env() })));
  COMMANDS.forEach((command, i) => {
    const result = results[i];
    assert.equal(result.code, 0, `vmarket ${command.join(' ')} --help exited ${result.code}: ${result.stderr}`);
    assert.match(result.stdout, /^Usage: vmarket/m, `vmarket ${command.join(' ')} --help prints its usage`);
  });
});

test('--version prints the package version', async () => {
  const result = await vmarket(['--version'], { env: env() });
  assert.equal(result.code, 0);
  assert.match(result.stdout.trim(), /^\d+\.\d+\.\d+/);
});

test('an unknown command and a missing argument are usage errors (exit 2)', async () => {
  const unknown = await vmarket(['frobnicate'], { env: env() });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  const missing = await vmarket(['publish'], { env: env() });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing required argument/);
  const badPort = await vmarket(['serve', '--port', 'eighty'], { env: env() });
  assert.equal(badPort.code, 2);
});

test('an unreachable server is one sentence on stderr, exit 2, no stack trace', async () => {
  // a port that was free a moment ago: nothing listens there
  const port = await new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const result = await vmarket(['status', 'some-offer', '--publisher', 'contoso', '--url', url, '--token', 'x'], { env: env() });
  assert.equal(result.code, 2);
  assert.equal(result.stdout, '');
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got: ${result.stderr}`);
  assert.match(lines[0], new RegExp(`cannot reach the vmarket server at ${url}`));
  assert.doesNotMatch(result.stderr, /\n\s+at /);

  const json = await vmarket(['status', 'some-offer', '--publisher', 'contoso', '--url', url, '--json'], { env: env() });
  assert.equal(json.code, 2);
  assert.equal(JSON.parse(json.stdout).error.code, 'UNREACHABLE', 'under --json the error is the one document on stdout');

  const debug = await vmarket(['status', 'some-offer', '--publisher', 'contoso', '--url', url, '--debug'], { env: env() });
  assert.equal(debug.code, 2);
  assert.match(debug.stderr, /\n\s+at /, '--debug adds the stack');
});

test('an unreadable offer file exits 2', async () => {
  const result = await vmarket(['offer', 'push', path.join(tmp, 'missing.yaml'), '--url', 'http://127.0.0.1:9', '--token', 'x'], { env: env() });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /cannot read the offer file .*missing\.yaml: ENOENT/);
});
