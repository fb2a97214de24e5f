/** The step table of docs/contracts.md §4 and how its expected maxima read. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkStepOverrides, createPipeline } from '../../src/pipeline/pipeline.ts';
import { PIPELINE_STEPS } from '../../src/pipeline/steps/index.ts';
import { estimatedTimeFrame } from '../../src/pipeline/time-frame.ts';
import { compareVersions, publishedVersion } from '../../src/pipeline/offer-snapshot.ts';

const pipeline = createPipeline(PIPELINE_STEPS);

test('the eight steps in order, with English and German names and the seed maxima', () => {
  assert.deepEqual(
    pipeline.steps.map((s) => [s.id, s.name.en, s.name.de, s.expectedMaxSeconds]),
    [
      ['validate', 'Validate prerequisites', 'Überprüfen der Voraussetzungen', 900],
      ['test-drive', 'Test drive validation', 'Validierung der Testversion', 7200],
      ['certify', 'Certification', 'Zertifizierung', 259200],
      ['provision', 'Provisioning', 'Bereitstellung', 345600],
      ['package', 'Packaging and lead registration', 'Paketerstellung und Registrierung von generierten Leads', 3600],
      ['signoff', 'Publisher sign-off', 'Einholen der Genehmigung des Herausgebers', null],
      ['deploy', 'Deployment', 'Bereitstellung', 345600],
      ['live', 'Live', 'Live', 345600],
    ],
  );
  assert.equal(pipeline.next('package')?.id, 'signoff');
  assert.equal(pipeline.next('live'), undefined);
  assert.equal(pipeline.find('certify')?.queue, 'certify');
  for (const step of pipeline.steps) assert.ok(step.description.en && step.description.de && step.description.de !== step.description.en, step.id);
});

test('config.steps overrides an expected maximum', () => {
  assert.equal(pipeline.expectedMaxSeconds({ steps: { deploy: { expectedMaxSeconds: 5 } } }, 'deploy'), 5);
  assert.equal(pipeline.expectedMaxSeconds({ steps: {} }, 'deploy'), 345600);
  assert.equal(pipeline.expectedMaxSeconds({ steps: {} }, 'signoff'), null);
});

test('an override for a step the pipeline does not have is refused, naming the steps there are', () => {
  assert.throws(
    () => checkStepOverrides(pipeline, { steps: { deplyo: { expectedMaxSeconds: 5 } } }),
    (error: any) =>
      error.code === 'CONFIG_INVALID' &&
      error.message === 'steps.deplyo: there is no step "deplyo"; the steps are validate, test-drive, certify, provision, package, signoff, deploy, live.',
  );
  checkStepOverrides(pipeline, { steps: { deploy: { expectedMaxSeconds: 5 } } });
});

test('a pipeline refuses a step listed twice and an id that is no step id', () => {
  const [validate] = PIPELINE_STEPS;
  assert.throws(() => createPipeline([validate, validate]), /listed twice/);
  assert.throws(() => createPipeline([{ ...validate, id: 'Bad Id' }]), /not of the form/);
});

test('time frames read like the seed', () => {
  assert.equal(estimatedTimeFrame(900), '15 minutes');
  assert.equal(estimatedTimeFrame(7200), '2 hours');
  assert.equal(estimatedTimeFrame(259200), '3 days');
  assert.equal(estimatedTimeFrame(3600), '1 hour');
  assert.equal(estimatedTimeFrame(1), '1 second');
  assert.equal(estimatedTimeFrame(null), 'no time limit');
});

test('a plan publishes its highest version', () => {
  assert.ok(compareVersions('1.10.0', '1.9.3') > 0);
  assert.ok(compareVersions('2.0.0-rc.1', '2.0.0') < 0);
  const plan = { id: 'p', regions: ['r'], images: [{ version: '1.2.0', osDisk: 'b' }, { version: '1.10.0', osDisk: 'c' }, { version: '1.0.0', osDisk: 'a' }] };
  assert.equal(publishedVersion(plan).osDisk, 'c');
});
