/** The step table of CONTRACTS §4 and how its expected maxima read. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimatedTimeFrame, expectedMaxSeconds, nextStep, STEPS } from '../../src/pipeline/steps/definitions.ts';
import { compareVersions, publishedVersion } from '../../src/pipeline/offer-snapshot.ts';

test('the eight steps in order, with English and German names and the seed maxima', () => {
  assert.deepEqual(
    STEPS.map((s) => [s.id, s.name, s.nameDe, s.defaultExpectedMaxSeconds]),
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
  assert.equal(nextStep('package')?.id, 'signoff');
  assert.equal(nextStep('live'), undefined);
  assert.equal(STEPS.find((s) => s.id === 'certify')?.queue, 'certify');
});

test('config.steps overrides an expected maximum', () => {
  assert.equal(expectedMaxSeconds({ steps: { deploy: { expectedMaxSeconds: 5 } } }, 'deploy'), 5);
  assert.equal(expectedMaxSeconds({ steps: {} }, 'deploy'), 345600);
  assert.equal(expectedMaxSeconds({ steps: {} }, 'signoff'), null);
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
