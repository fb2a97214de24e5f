/**
 * `GET /marketplace` lists the publishing steps (for clients that hold only a step id: tickets,
 * the operator's overview), in pipeline order, with this marketplace's expected maxima.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { marketplaceSchema } from '../../src/contracts/index.ts';
import { STEPS } from '../../src/pipeline/steps/definitions.ts';
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
      STEPS.map((s) => ({
        id: s.id,
        name: s.name,
        nameDe: s.nameDe,
        description: s.description,
        expectedMaxSeconds: s.id === 'deploy' ? 120 : s.defaultExpectedMaxSeconds,
      })),
    );
  });
});
