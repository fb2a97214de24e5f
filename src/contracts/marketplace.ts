/** `GET /marketplace`: the facts of this marketplace (docs/contracts.md §5). */
import { z } from 'zod';
import { stepIdSchema } from './steps.ts';

/** One publishing step as the marketplace runs it: what a client needs when it has only a step id. */
export const stepFactSchema = z.object({
  id: stepIdSchema,
  name: z.string().describe('In English.'),
  nameDe: z.string().describe('In German.'),
  description: z.string(),
  expectedMaxSeconds: z.number().nullable().describe('This marketplace\'s expected maximum; null: no time limit.'),
});
export type StepFact = z.infer<typeof stepFactSchema>;

export const marketplaceSchema = z
  .object({
    regions: z.array(z.object({ id: z.string().describe('The name offers use in plans[].regions.'), name: z.string().optional().describe('Shown to people.') })),
    categories: z.array(z.string()).describe('The values listing.categories accepts.'),
    supportedOs: z.array(z.object({ id: z.string(), versions: z.array(z.string()) })).describe('Operating systems (os-release ID and versions) certification accepts.'),
    steps: z.array(stepFactSchema).describe('The publishing steps in pipeline order.'),
    version: z.string().describe('The vmarket version.'),
  })
  .meta({ id: 'Marketplace' });
export type MarketplaceFacts = z.infer<typeof marketplaceSchema>;
