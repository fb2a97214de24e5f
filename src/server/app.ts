/**
 * The HTTP server of vmarket (not listening: `startVmarket` calls `listen`): the API of
 * docs/contracts.md §5 under `/api/v1` with zod schemas that validate requests, shape answers and
 * generate `/api/v1/openapi.json`; the body limit, the rate limit, the contract's error shape
 * for every failure; health, readiness and metrics; the web app or its stand-in at `/`.
 */
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../app/context.ts';
import type { ParsedConfig } from '../config/schema.ts';
import { VmarketError } from '../errors.ts';
import { installAudit } from './audit.ts';
import { installErrorHandling, installJsonParser } from './errors.ts';
import { installLanguage } from './language.ts';
import { installMetrics } from './metrics.ts';
import { auditRoutes } from './routes/audit.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { downloadRoutes } from './routes/downloads.ts';
import { redactedUrl } from '../catalog/download-links.ts';
import { healthRoutes } from './routes/health.ts';
import { leadRoutes } from './routes/leads.ts';
import { lifecycleRoutes } from './routes/lifecycle.ts';
import { marketplaceRoutes } from './routes/marketplace.ts';
import { offerRoutes } from './routes/offers.ts';
import { operationRoutes } from './routes/operations.ts';
import { operatorRoutes } from './routes/operator.ts';
import { publisherRoutes } from './routes/publishers.ts';
import { statusEventRoutes } from './routes/status-events.ts';
import { streamsRoutes } from './routes/streams.ts';
import { testDriveRoutes, TEST_DRIVE_TOKEN_HEADER } from './routes/test-drives.ts';
import { ticketRoutes } from './routes/tickets.ts';
import { createTestDriveManager, type TestDriveManager } from '../test-drives/index.ts';
import { API, type ZodApp } from './schemas.ts';
import { zodValidatorCompiler } from './validation.ts';
import { installWeb } from './web.ts';

/** Log paths that could hold a secret; pino replaces them before anything is written. */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'operatorToken',
  'password',
  '*.password',
  `req.headers["${TEST_DRIVE_TOKEN_HEADER}"]`,
  'accessToken',
  '*.accessToken',
  'privateKey',
];

export interface BuildServerOptions {
  /** The built web app to serve at `/` (default `src/web/dist`, used when it exists). */
  webDistDir?: string;
  /**
   * The test-drive hosting (src/test-drives/); default one of this server's own, started here and
   * closed with the server (every VM stopped).
   */
  testDrives?: TestDriveManager;
}

/**
 * Fastify's timeouts plus Node's own that it does not set: the headers timeout and how often
 * Node looks for requests past their time (by default every 30 s, which would let a slow client
 * hold a connection far longer than `requestTimeoutMs`).
 */
function httpTimeouts(http: ParsedConfig['http']) {
  const request = http.requestTimeoutMs;
  return {
    requestTimeout: request,
    connectionTimeout: http.connectionTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    http: {
      requestTimeout: request,
      headersTimeout: request > 0 ? Math.min(60_000, request) : 60_000,
      connectionsCheckingInterval: request > 0 ? Math.max(250, Math.min(30_000, Math.floor(request / 4))) : 30_000,
    },
  };
}

/** A hop count as the function Fastify applies it with (its types take no number). */
function trustedProxies(trust: ParsedConfig['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

export async function buildServer(ctx: AppContext, options: BuildServerOptions = {}): Promise<FastifyInstance> {
  const logger = ctx.logger.child(
    { component: 'http' },
    {
      redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
      // Fastify's request serializer, less download links' signatures (ours wins over Fastify's)
      serializers: {
        req: (req: FastifyRequest) => ({ method: req.method, url: redactedUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort }),
      },
    },
  );
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: ctx.config.bodyLimitBytes,
    // never echo internals: our error handler answers every error, and a closing server
    // answers 503 to new requests instead of leaving them hanging
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ...httpTimeouts(ctx.config.http),
    // false unless configured: a client cannot pick its own address with X-Forwarded-For
    trustProxy: trustedProxies(ctx.config.trustProxy),
  }).withTypeProvider<ZodTypeProvider>() as unknown as ZodApp;

  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  installJsonParser(app);
  installLanguage(app);

  await app.register(fastifyRateLimit, {
    global: true,
    max: ctx.config.rateLimitPerMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) =>
      new VmarketError('RATE_LIMITED', `Too many requests: at most ${context.max} a minute from one client; retry in ${context.after}.`),
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'vmarket API',
        description: 'Publishing VM images to a self-hosted marketplace (docs/contracts.md §5). Errors: {"error":{"code","message","details"}}.',
        version: '1',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  // before the routes, so every route is audited (src/server/audit.ts)
  installAudit(app, ctx);
  const metrics = installMetrics(app, ctx);
  // the test drives' serial consoles; closing the server closes their sockets
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  const testDrives = options.testDrives ?? createTestDriveManager(ctx);
  if (!options.testDrives) {
    await testDrives.start();
    app.addHook('onClose', async () => testDrives.close());
  }

  publisherRoutes(app, ctx);
  offerRoutes(app, ctx);
  statusEventRoutes(app, ctx);
  operationRoutes(app, ctx);
  ticketRoutes(app, ctx);
  leadRoutes(app, ctx);
  catalogRoutes(app, ctx);
  streamsRoutes(app, ctx);
  downloadRoutes(app, ctx);
  testDriveRoutes(app, ctx, testDrives);
  marketplaceRoutes(app, ctx);
  operatorRoutes(app, ctx);
  auditRoutes(app, ctx);
  lifecycleRoutes(app, ctx);
  healthRoutes(app, ctx, metrics);

  app.get(`${API}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());

  await installWeb(app, ctx, options.webDistDir);
  return app;
}
