/**
 * The publisher's flow with the real CLI against a real server and a real disk image:
 * offer push → publish --wait (stops at sign-off) → golive --wait → status --json (one JSON
 * document) → leads list --csv, plus tickets and the API error path (422 details).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import YAML from 'yaml';
import { baseLinuxTree, buildImage } from '../fixtures/images.ts';
import { startTestServer } from '../helpers/server.ts';
import { vmarket } from '../helpers/cli.ts';
import { offerDocument } from '../helpers/offers.ts';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

let server: TestServer;
let tmp: string;
let env: Record<string, string>;

const offer = (id: string, osDisk: string): Record<string, unknown> =>
  offerDocument({
    id,
    publisher: 'contoso',
    osDisk,
    listing: { title: 'CLI test offer', summary: 'An offer the CLI tests publish.', description: 'Published by test/cli/publish-flow.test.ts.' },
  });

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vmarket-cli-flow-'));
  server = await startTestServer();
  const token = await server.createPublisher('contoso');
  env = { VMARKET_URL: server.url, VMARKET_TOKEN: token, VMARKET_CREDENTIALS: path.join(tmp, 'credentials.json') };
});

after(async () => {
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
});

test('offer push, publish --wait, golive --wait, status --json and leads list --csv', async () => {
  const image = path.join(server.importDirOf('contoso'), 'cli-os.vhd');
  await buildImage({ ...baseLinuxTree(), output: image });
  const offerFile = path.join(tmp, 'offer.yaml');
  await writeFile(offerFile, YAML.stringify(offer('cli-app', image)));

  const pushed = await vmarket(['offer', 'push', offerFile], { env });
  assert.equal(pushed.code, 0, pushed.stderr);
  assert.match(pushed.stdout, /created the draft of contoso\/cli-app/);
  const again = await vmarket(['offer', 'push', offerFile], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /updated the draft of contoso\/cli-app/);

  const published = await vmarket(['publish', 'cli-app', '--wait'], { env });
  assert.equal(published.code, 0, published.stderr);
  assert.match(published.stdout, /certify\s+✔ complete/);
  assert.match(published.stdout, /waits for your sign-off/);
  assert.match(published.stdout, /vmarket golive cli-app/);

  const live = await vmarket(['golive', 'cli-app', '--wait'], { env });
  assert.equal(live.code, 0, live.stderr);
  assert.match(live.stdout, /contoso\/cli-app is live/);

  const status = await vmarket(['status', 'cli-app', '--json'], { env });
  assert.equal(status.code, 0, status.stderr);
  const view = JSON.parse(status.stdout) as { status: string; steps: { id: string; status: string }[] };
  assert.equal(view.status, 'succeeded');
  assert.deepEqual(
    view.steps.map((s) => s.id),
    ['validate', 'test-drive', 'certify', 'provision', 'package', 'signoff', 'deploy', 'live'],
  );
  for (const step of view.steps) assert.ok(['complete', 'skipped'].includes(step.status), `${step.id} is ${step.status}`);

  const table = await vmarket(['status', 'cli-app'], { env });
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^STEP\s+STATUS\s+PROGRESS\s+ELAPSED \/ MAX\s+STUCK\s+LATEST MESSAGE$/m);
  assert.match(table.stdout, /^certify\s+complete\s+\[##########\] 100%\s+\S+ \/ 3d/m);

  // a customer acquires the plan; the lead shows up in the CSV
  const acquired = await server.api('POST', '/api/v1/catalog/offers/contoso.cli-app/acquire', {
    body: { subscriptionId: '00000000-0000-4000-8000-0000000000bb', plan: 'standard', contact: { name: 'Ada, Countess', email: 'ada@example.com' } },
  });
  assert.equal(acquired.status, 200, JSON.stringify(acquired.body));
  const csv = await vmarket(['leads', 'list', 'cli-app', '--csv'], { env });
  assert.equal(csv.code, 0, csv.stderr);
  const rows = csv.stdout.trimEnd().split('\r\n');
  assert.equal(rows[0], 'id,createdAt,offer,plan,subscriptionId,name,email,company,kind,deliveryStatus');
  assert.ok(rows.some((r) => r.includes('"Ada, Countess",ada@example.com')), csv.stdout);

  const golive = await vmarket(['golive', 'cli-app'], { env });
  assert.equal(golive.code, 1, 'nothing waits for sign-off any more: a conflict, exit 1');
  assert.equal(golive.stderr.split('\n').filter(Boolean).length, 1, golive.stderr);
});

test('push of an invalid offer prints every problem the server found, stores nothing and exits 1', async () => {
  const doc = offer('cli-bad', path.join(server.importDirOf('contoso'), 'missing.vhd'));
  (doc.listing as Record<string, unknown>).categories = ['no-such-category'];
  (doc.plans as Record<string, unknown>[])[0].regions = ['atlantis'];
  const file = path.join(tmp, 'bad.json');
  await writeFile(file, JSON.stringify(doc));
  // the server validates the draft when it is pushed (422 with every problem) and stores nothing
  const result = await vmarket(['offer', 'push', file, '--json'], { env });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /listing\.categories\[0\]/);
  assert.match(result.stderr, /plans\[0\]\.regions\[0\]/);
  assert.match(result.stderr, /plans\[0\]\.images\[0\]\.osDisk/);
  assert.equal(JSON.parse(result.stdout).error.code, 'VALIDATION_FAILED');
  const publish = await vmarket(['publish', 'cli-bad'], { env });
  assert.equal(publish.code, 2, 'no draft was stored, so there is nothing to publish');
  assert.match(publish.stderr, /does not exist/);
});

test('tickets open and list', async () => {
  const opened = await vmarket(['tickets', 'open', '--offer', 'cli-app', '--title', 'Question', '--body', 'How long does deploy take?', '--json'], { env });
  assert.equal(opened.code, 0, opened.stderr);
  const ticket = JSON.parse(opened.stdout) as { id: string };
  const listed = await vmarket(['tickets', 'list', '--json'], { env });
  assert.equal(listed.code, 0, listed.stderr);
  assert.ok((JSON.parse(listed.stdout) as { id: string }[]).some((t) => t.id === ticket.id));
  const text = await vmarket(['tickets', 'list'], { env });
  assert.match(text.stdout, /Question/);
});
