/**
 * Prometheus metrics of one server (`GET /metrics`): HTTP requests (count and duration by
 * method, route pattern and status), operations by status and leads by delivery status (read
 * from the database at scrape time, so every server of a scaled-out marketplace reports the
 * same truth), and the process's default metrics. One registry per server, never the global
 * one, so several servers in one process (tests) do not collide.
 */
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AppContext } from '../app/context.ts';
import { LEAD_DELIVERY_STATUSES, OPERATION_STATUSES } from '../contracts/index.ts';
import { countLeadsByStatus } from '../leads/records.ts';
import { countOperationsByStatus } from '../pipeline/operator-views.ts';

export interface ServerMetrics {
  registry: Registry;
}

export function installMetrics(app: FastifyInstance, ctx: AppContext): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'vmarket_' });

  const requests = new Counter({
    name: 'vmarket_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'vmarket_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  new Gauge({
    name: 'vmarket_operations',
    help: 'Publishing operations by status.',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const counts = await countOperationsByStatus(ctx.db);
      for (const status of new Set([...OPERATION_STATUSES, ...counts.keys()])) this.set({ status }, counts.get(status) ?? 0);
    },
  });
  new Gauge({
    name: 'vmarket_leads',
    help: 'Leads by delivery status.',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const counts = await countLeadsByStatus(ctx.db);
      for (const status of new Set([...LEAD_DELIVERY_STATUSES, ...counts.keys()])) this.set({ status }, counts.get(status) ?? 0);
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    // the route pattern, never the raw URL: ids in paths would make unbounded label sets
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    requests.inc(labels);
    durations.observe(labels, reply.elapsedTime / 1000);
  });
  return { registry };
}
