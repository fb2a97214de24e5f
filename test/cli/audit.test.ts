/**
 * `vmarket audit list` against a real server: the operator's table and `--json` of every
 * publisher's events, `--publisher` and `--outcome` filters, `--limit` followed across pages, and
 * a publisher's token reading only its own events.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { vmarket } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let contoso: string;
let fabrikam: string;
let env: Record<string, string>;

before(async () => {
  server = await startTestServer({ workers: false });
  contoso = await server.createPublisher('contoso');
  fabrikam = await server.createPublisher('fabrikam');
  for (let i = 0; i < 3; i++) {
    const res = await server.api('POST', '/api/v1/publishers/contoso/tickets', { token: contoso, body: { title: `ticket ${i}`, body: 'b' } });
    assert.equal(res.status, 201);
  }
  const refused = await server.api('POST', '/api/v1/publishers/contoso/tickets', { token: fabrikam, body: { title: 'not mine', body: 'b' } });
  assert.equal(refused.status, 403);
  env = { VMARKET_URL: server.url, VMARKET_OPERATOR_TOKEN: server.operatorToken, VMARKET_CREDENTIALS: path.join(server.root, 'credentials.json') };
});
after(async () => {
  await server?.close();
});

test('the operator\'s table lists every event, newest first, with actor, token id, route, target, outcome, address', async () => {
  const result = await vmarket(['audit', 'list'], { env });
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  assert.match(lines[0], /^AT\s+ACTOR\s+TOKEN\s+METHOD\s+ROUTE\s+TARGET\s+OUTCOME\s+ADDRESS$/);
  // the three tickets, the refused one, and the demo publisher the server made at start
  assert.equal(lines.length, 1 + 5, result.stdout);
  assert.match(lines[5], /system\s+SYSTEM\s+start: demo publisher\s+publisher demo\s+succeeded/);
  assert.match(lines[1], /publisher:fabrikam\s+[0-9a-f]{12}\s+POST\s+\/publishers\/:pub\/tickets\s+publisher contoso\s+failed 403 FORBIDDEN\s+127\.0\.0\.1$/);
  assert.ok(lines.slice(2, 5).every((l) => /publisher:contoso .* POST .* ticket contoso\/tk-\S+\s+succeeded\s+127\.0\.0\.1$/.test(l)), result.stdout);
});

test('--json with filters, and --limit', async () => {
  const json = await vmarket(['audit', 'list', '--json', '--publisher', 'contoso', '--outcome', 'succeeded'], { env });
  assert.equal(json.code, 0, json.stderr);
  const { events } = JSON.parse(json.stdout);
  assert.equal(events.length, 3);
  assert.ok(events.every((e: any) => e.publisherId === 'contoso' && e.outcome === 'succeeded' && e.actor.kind === 'publisher'));

  const limited = await vmarket(['audit', 'list', '--json', '--limit', '2'], { env });
  assert.equal(limited.code, 0, limited.stderr);
  assert.equal(JSON.parse(limited.stdout).events.length, 2);

  const bad = await vmarket(['audit', 'list', '--outcome', 'maybe'], { env });
  assert.equal(bad.code, 2, 'a usage error');
});

test('a publisher\'s token reads its own events only', async () => {
  const mine = await vmarket(['audit', 'list', '--json'], { env: { ...env, VMARKET_OPERATOR_TOKEN: '', VMARKET_TOKEN: fabrikam } });
  assert.equal(mine.code, 0, mine.stderr);
  const events = JSON.parse(mine.stdout).events;
  assert.equal(events.length, 1);
  assert.equal(events[0].actor.publisherId, 'fabrikam');
  const theirs = await vmarket(['audit', 'list', '--publisher', 'contoso'], { env: { ...env, VMARKET_OPERATOR_TOKEN: '', VMARKET_TOKEN: fabrikam } });
  assert.equal(theirs.code, 2, theirs.stdout);
  assert.match(theirs.stderr, /fabrikam/);
});
