/**
 * A step is one file plus one entry in the pipeline's list (docs/architecture.md, "Add a step").
 * A test pipeline adds two steps — `scan` after `certify` and `inspect` after `signoff`, the two
 * places where the old code hard-coded what came next — and:
 *   - an operation published before the steps existed (its server restarted on the new pipeline
 *     while it waited for sign-off) goes through `inspect` after go-live, and shows `scan`, which
 *     it had already passed, as skipped;
 *   - a new operation with manual certification review goes certify → approval → scan → … →
 *     sign-off → inspect → deploy → live, each extra step exactly once, in order.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import { verbatim } from '../../src/i18n/localized.ts';
import { message } from '../../src/pipeline/operations.ts';
import type { PipelineStep } from '../../src/pipeline/steps/context.ts';
import { PIPELINE_STEPS } from '../../src/pipeline/steps/index.ts';
import { reviewCertification } from '../../src/pipeline/service.ts';
import { baseLinuxTree, buildImage } from '../fixtures/images.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { offerDocument, step, waitForStatus } from '../helpers/offers.ts';

const OFFER = 'extra-steps';
const BASE = `/api/v1/publishers/contoso/offers/${OFFER}`;
/** Each run of an extra step: `stepId operationId`. */
const runs: string[] = [];

function extraStep(id: string, en: string, de: string, check: (artifacts: Record<string, any>) => string): PipelineStep {
  return {
    id,
    name: { en, de },
    description: { en: `${en}, added by a test.`, de: `${de}, von einem Test hinzugefügt.` },
    queue: 'pipeline',
    expectedMaxSeconds: 600,
    async run(s) {
      runs.push(`${id} ${s.operation.id}`);
      return { status: 'complete', artifacts: { ran: true }, messages: [message('information', verbatim(`${id}: ${check(s.artifacts)}`))] };
    },
  };
}

// `scan` reads what certification recorded; `inspect` what packaging built: each sees the steps before it.
const scan = extraStep('scan', 'Extra scan', 'Zusatzprüfung', (a) => `${Object.keys(a.certify?.images ?? {}).length} certified image(s)`);
const inspect = extraStep('inspect', 'Inspection', 'Inspektion', (a) => (a.package === undefined ? 'no package' : 'packaged'));

/** The product's pipeline with `scan` after certify and `inspect` after signoff. */
const extended = PIPELINE_STEPS.flatMap((s) => (s.id === 'certify' ? [s, scan] : s.id === 'signoff' ? [s, inspect] : [s]));

let server: TestServer | undefined;
after(async () => {
  await server?.close();
});

test('an operation started before the new steps existed, and a new one, run through them in order', async () => {
  // 1. The product's pipeline: publish and wait for sign-off, then stop the server, keeping its data.
  const first = await startTestServer();
  server = first;
  const token = await first.createPublisher('contoso');
  const image = path.join(first.importDirOf('contoso'), 'extra.vhd');
  await buildImage({ ...baseLinuxTree(), output: image });
  const put = await first.api('PUT', BASE, { token, body: offerDocument({ id: OFFER, publisher: 'contoso', osDisk: image }) });
  assert.equal(put.status, 201, JSON.stringify(put.body));
  assert.equal((await first.api('POST', `${BASE}/publish`, { token })).status, 202);
  const waiting = await waitForStatus(first.api, token, 'contoso', OFFER, (d) => d.status === 'waitingForPublisherReview');
  assert.equal(waiting.steps.length, 8);
  const oldOperation = waiting.operationId;
  await first.close({ keep: true });

  // 2. The same data under the extended pipeline (and manual certification review).
  server = await startTestServer({
    root: first.root,
    steps: extended,
    config: { certification: { manualReview: true, yaraRules: [], hashLists: [], clamav: { mode: 'off', databaseDir: '/var/lib/clamav' } } },
  });
  const restarted = (await server.api('GET', `${BASE}/status`, { token })).body;
  assert.deepEqual(
    restarted.steps.map((s: any) => [s.id, s.status]),
    [
      ['validate', 'complete'],
      ['test-drive', 'skipped'],
      ['certify', 'complete'],
      ['scan', 'skipped'],
      ['provision', 'complete'],
      ['package', 'complete'],
      ['signoff', 'waitingForPublisherReview'],
      ['inspect', 'notStarted'],
      ['deploy', 'notStarted'],
      ['live', 'notStarted'],
    ],
    'the old operation shows the new steps in place',
  );
  assert.match(step(restarted, 'scan').messages[0].text, /added to the pipeline after this publication had passed it/);
  assert.equal(step(restarted, 'inspect').name, 'Inspection');
  assert.equal(step(restarted, 'inspect').nameDe, 'Inspektion');
  assert.equal(step(restarted, 'inspect').expectedMaxSeconds, 600);

  assert.equal((await server.api('POST', `${BASE}/golive`, { token })).status, 202);
  const live = await waitForStatus(server.api, token, 'contoso', OFFER, (d) => d.status === 'succeeded');
  assert.equal(live.operationId, oldOperation);
  assert.deepEqual(runs, [`inspect ${oldOperation}`], 'inspect ran once for the old operation; scan did not run');
  assert.equal(step(live, 'inspect').status, 'complete');
  assert.deepEqual(step(live, 'inspect').messages.map((m: any) => m.text), ['inspect: packaged']);
  assert.ok(step(live, 'inspect').startedAt >= step(live, 'signoff').completedAt, 'inspect after sign-off');
  assert.ok(step(live, 'deploy').startedAt >= step(live, 'inspect').completedAt, 'deploy after inspect');
  const german = (await server.api('GET', `${BASE}/status`, { token, headers: { 'accept-language': 'de' } })).body;
  assert.equal(step(german, 'inspect').description, 'Inspektion, von einem Test hinzugefügt.');

  // 3. A new operation goes through both new steps: approval continues with `scan`, sign-off with `inspect`.
  const v2 = offerDocument({ id: OFFER, publisher: 'contoso', osDisk: image, version: '2.0.0' });
  assert.equal((await server.api('PUT', BASE, { token, body: v2 })).status, 200);
  const published = await server.api('POST', `${BASE}/publish`, { token });
  assert.equal(published.status, 202, JSON.stringify(published.body));
  const review = await waitForStatus(server.api, token, 'contoso', OFFER, (d) => step(d, 'certify').status === 'waitingForApproval');
  assert.equal(review.steps.length, 10);
  assert.equal(step(review, 'scan').status, 'notStarted');
  await reviewCertification(server.ctx, 'contoso', OFFER, { decision: 'approve', actor: 'operator' });
  await waitForStatus(server.api, token, 'contoso', OFFER, (d) => d.status === 'waitingForPublisherReview');
  assert.equal((await server.api('POST', `${BASE}/golive`, { token })).status, 202);
  const done = await waitForStatus(server.api, token, 'contoso', OFFER, (d) => d.status === 'succeeded');
  const newOperation = done.operationId;
  assert.notEqual(newOperation, oldOperation);
  assert.deepEqual(runs.slice(1), [`scan ${newOperation}`, `inspect ${newOperation}`]);
  assert.deepEqual(
    done.steps.map((s: any) => [s.id, s.status]),
    [
      ['validate', 'complete'],
      ['test-drive', 'skipped'],
      ['certify', 'complete'],
      ['scan', 'complete'],
      ['provision', 'complete'],
      ['package', 'complete'],
      ['signoff', 'complete'],
      ['inspect', 'complete'],
      ['deploy', 'complete'],
      ['live', 'complete'],
    ],
  );
  assert.deepEqual(step(done, 'scan').messages.map((m: any) => m.text), ['scan: 1 certified image(s)']);
  const order = ['certify', 'scan', 'provision'].map((id) => step(done, id));
  assert.ok(order[1].startedAt >= order[0].completedAt && order[2].startedAt >= order[1].completedAt, 'certify → scan → provision');
});
