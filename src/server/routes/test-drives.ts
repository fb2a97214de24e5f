/**
 * Test drives (docs/contracts.md "Test drives"): a customer starts one on a catalogue offer and
 * reads, ends and opens it with the access token the start answered (`X-Test-Drive-Token`; the
 * console's first WebSocket message); the operator lists the running ones and stops them.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { parseCatalogKey } from '../../catalog/storefront.ts';
import { operatorTestDriveSchema, testDriveSchema, testDriveStartedSchema } from '../../contracts/index.ts';
import { VmarketError } from '../../errors.ts';
import { bridgeConsole } from '../../test-drives/console-bridge.ts';
import type { TestDriveManager } from '../../test-drives/manager.ts';
import { unknownTestDrive } from '../../test-drives/texts.ts';
import { authorizeOperator } from '../auth.ts';
import { API, bearer, errorResponses, shaped, type ZodApp } from '../schemas.ts';

export const TEST_DRIVE_TOKEN_HEADER = 'x-test-drive-token';

const keyParams = z.object({ key: z.string().min(3).max(210).describe('publisher.offer') });
const driveParams = z.object({ drive: z.string().min(1).max(100) });
const tokenHeader = z.looseObject({ [TEST_DRIVE_TOKEN_HEADER]: z.string().min(1).max(200).optional().describe('The access token the start answered.') });

const startBody = z.object({
  subscriptionId: z.guid().describe('The customer\'s subscription id (a GUID); the limits count per subscription.'),
  contact: z.object({
    name: z.string().trim().min(1).max(200),
    email: z.email(),
    company: z.string().trim().max(200).optional(),
  }),
});

function tokenOf(request: FastifyRequest): string {
  const token = request.headers[TEST_DRIVE_TOKEN_HEADER];
  if (typeof token !== 'string' || token.length === 0) throw new VmarketError('NOT_FOUND', unknownTestDrive);
  return token;
}

export function testDriveRoutes(app: ZodApp, ctx: AppContext, manager: TestDriveManager): void {
  app.post(
    `${API}/catalog/offers/:key/test-drives`,
    {
      schema: {
        summary: 'Start a test drive of the offer\'s live version: records a lead (kind test-drive), answers the access token',
        description: 'Limits: testDrives.maxPerCustomer, startsPerCustomerPerDay, maxRunning (429). 409 when the marketplace does not host test drives.',
        tags: ['catalog', 'test-drives'],
        params: keyParams,
        body: startBody,
        response: { 201: testDriveStartedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const parsed = parseCatalogKey(request.params.key);
      if (!parsed) throw new VmarketError('NOT_FOUND', `There is no offer ${request.params.key}; offers are named publisher.offer.`);
      const started = await manager.startTestDrive({ ...parsed, ...request.body });
      reply.code(201);
      return shaped(testDriveStartedSchema, started);
    },
  );

  app.get(
    `${API}/test-drives/:drive`,
    {
      schema: {
        summary: 'The customer\'s test drive: state, credentials, time left',
        tags: ['test-drives'],
        params: driveParams,
        headers: tokenHeader,
        response: { 200: testDriveSchema, ...errorResponses },
      },
    },
    async (request) => shaped(testDriveSchema, await manager.get(request.params.drive, tokenOf(request))),
  );

  app.delete(
    `${API}/test-drives/:drive`,
    {
      schema: {
        summary: 'End the test drive: its VM is destroyed',
        tags: ['test-drives'],
        params: driveParams,
        headers: tokenHeader,
        response: { 200: testDriveSchema, ...errorResponses },
      },
    },
    async (request) => shaped(testDriveSchema, await manager.end(request.params.drive, tokenOf(request))),
  );

  app.get(
    `${API}/test-drives/:drive/private-key`,
    {
      schema: {
        summary: 'The test drive\'s private SSH key (OpenSSH format), handed out once',
        tags: ['test-drives'],
        params: driveParams,
        headers: tokenHeader,
        response: errorResponses,
      },
    },
    async (request, reply) => {
      const key = await manager.privateKey(request.params.drive, tokenOf(request));
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="test-drive-${request.params.drive.slice(0, 8)}.key"`)
        .type('application/x-pem-file')
        // a PEM file, not JSON: the error schemas type `send`, the key bypasses the serializer
        .send(key as never);
    },
  );

  app.get(
    `${API}/test-drives/:drive/console`,
    {
      websocket: true,
      schema: {
        summary: 'WebSocket: the serial console; send the access token as the first message, then keystrokes',
        tags: ['test-drives'],
        params: driveParams,
      },
    },
    (socket, request) => bridgeConsole(manager, (request.params as { drive: string }).drive, socket),
  );

  app.get(
    `${API}/test-drives`,
    {
      schema: {
        summary: 'Operator: test drives starting or running, hot instances included, oldest first',
        tags: ['operator', 'test-drives'],
        security: bearer,
        response: { 200: z.object({ testDrives: z.array(operatorTestDriveSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      await authorizeOperator(ctx, request);
      return { testDrives: await manager.listOpen() };
    },
  );

  app.post(
    `${API}/test-drives/:drive/stop`,
    {
      schema: {
        summary: 'Operator: stop a test drive (its VM is destroyed)',
        tags: ['operator', 'test-drives'],
        security: bearer,
        params: driveParams,
        response: { 200: operatorTestDriveSchema, ...errorResponses },
      },
    },
    async (request) => {
      await authorizeOperator(ctx, request);
      return shaped(operatorTestDriveSchema, await manager.stopByOperator(request.params.drive));
    },
  );
}
