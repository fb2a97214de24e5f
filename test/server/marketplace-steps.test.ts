/**
 * `GET /marketplace` lists the publishing steps (for clients that hold only a step id: tickets,
 * the operator's overview), in pipeline order, with this marketplace's expected maxima.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { marketplaceSchema } from '../../src/contracts/index.ts';
import { PIPELINE_STEPS } from '../../src/pipeline/steps/index.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('GET /marketplace steps', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ workers: false, config: { steps: { deploy: { expectedMaxSeconds: 120 } } } });
  });
  after(() => server?.close());

  test('every step in order, with names, description and the configured maximum', async () => {
    const res = await server.api('GET', '/api/v1/marketplace');
    assert.equal(res.status, 200);
    const facts = marketplaceSchema.parse(res.body);
    assert.deepEqual(
      facts.steps,
      PIPELINE_STEPS.map((s) => ({
        id: s.id,
        name: s.name.en,
        nameDe: s.name.de,
        description: s.description.en,
        expectedMaxSeconds: s.id === 'deploy' ? 120 : s.expectedMaxSeconds,
      })),
    );
    const german = marketplaceSchema.parse((await server.api('GET', '/api/v1/marketplace', { headers: { 'accept-language': 'de' } })).body);
    assert.deepEqual(
      german.steps.map((s) => s.description),
      PIPELINE_STEPS.map((s) => s.description.de),
      "the descriptions in the caller's language",
    );
  });
});
