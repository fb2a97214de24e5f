/**
 * `GET /marketplace` (public): the facts of this marketplace that forms offer as choices — the
 * regions an offer may publish to, the categories it may use, the supported operating systems
 * certification accepts — and the vmarket version. All from the operator's configuration, so the
 * portal's choices are exactly what validation accepts.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { DEFAULT_SUPPORTED_OS } from '../../config/defaults.ts';
import { API, errorResponses, type ZodApp } from '../schemas.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const marketplaceSchema = z
  .object({
    regions: z.array(z.object({ id: z.string().describe('The name offers use in plans[].regions.'), name: z.string().optional().describe('Shown to people.') })),
    categories: z.array(z.string()).describe('The values listing.categories accepts.'),
    supportedOs: z.array(z.object({ id: z.string(), versions: z.array(z.string()) })).describe('Operating systems (os-release ID and versions) certification accepts.'),
    version: z.string().describe('The vmarket version.'),
  })
  .meta({ id: 'Marketplace' });

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
      version: VERSION,
    }),
  );
}
