/**
 * `GET /marketplace` (public): the facts of this marketplace that forms offer as choices — the
 * regions an offer may publish to, the categories it may use, the supported operating systems
 * certification accepts, the publishing steps with their names and expected maxima — and the
 * vmarket version. All from the operator's configuration, so the portal's choices are exactly
 * what validation accepts.
 */
import { readFileSync } from 'node:fs';
import type { AppContext } from '../../app/context.ts';
import { DEFAULT_SUPPORTED_OS } from '../../config/defaults.ts';
import { marketplaceSchema } from '../../contracts/index.ts';
import { describeStep } from '../../pipeline/status.ts';
import { API, errorResponses, type ZodApp } from '../schemas.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function marketplaceRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    `${API}/marketplace`,
    {
      schema: {
        summary: 'The marketplace\'s regions, categories and supported operating systems (public)',
        tags: ['catalog'],
        response: { 200: marketplaceSchema, ...errorResponses },
      },
    },
    async () => ({
      regions: ctx.config.regions.map((r) => ({ id: r.name, name: r.displayName ?? r.name })),
      categories: ctx.config.categories,
      supportedOs: ctx.config.certification.supportedOs ?? DEFAULT_SUPPORTED_OS,
      // for clients that hold only a step id (tickets, the operator's overview)
      steps: ctx.pipeline.steps.map((s) => ({ ...describeStep(s), expectedMaxSeconds: ctx.pipeline.expectedMaxSeconds(ctx.config, s.id) })),
      version: VERSION,
    }),
  );
}
