/** validate: the offer snapshot against the schema and the operator's rules; every problem at once. */
import { validateOffer } from '../../offers/validate.ts';
import { message } from '../operations.ts';
import { usedVersions } from '../used-versions.ts';
import type { StepContext, StepModule, StepOutcome } from './context.ts';

export const id = 'validate' as const;

export async function run(s: StepContext): Promise<StepOutcome> {
  const { ctx, operation } = s;
  const used = await usedVersions(ctx.db.kysely, operation.publisher_id, operation.offer_id);
  const result = await validateOffer(operation.snapshot, { config: ctx.config, publisherId: operation.publisher_id, usedVersions: used });
  if (result.problems.length > 0 || !result.offer) {
    return {
      status: 'blocked',
      error: `The offer has ${result.problems.length} problem(s).`,
      messages: result.problems.map((p: { path: string; message: string }) => message('error', `${p.path}: ${p.message}`)),
    };
  }
  const plans = s.offer.plans.length;
  return { status: 'complete', messages: [message('information', `All prerequisites are met (${plans} plan${plans === 1 ? '' : 's'}).`)] };
}

export const validateStep: StepModule = { id, run };
