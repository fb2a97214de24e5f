/** validate: the offer snapshot against the schema and the operator's rules; every problem at once. */
import { validateOffer } from '../../offers/validate.ts';
import { message } from '../operations.ts';
import { usedVersions } from '../used-versions.ts';
import { fieldIn, join, type Phrase, say } from '../../i18n/localized.ts';
import type { StepContext, StepModule, StepOutcome } from './context.ts';

export const id = 'validate' as const;

const prerequisitesMet: Phrase<[number]> = {
  en: (plans) => `All prerequisites are met (${plans} plan${plans === 1 ? '' : 's'}).`,
  de: (plans) => `Alle Voraussetzungen sind erfüllt (${plans} ${plans === 1 ? 'Plan' : 'Pläne'}).`,
};

export async function run(s: StepContext): Promise<StepOutcome> {
  const { ctx, operation } = s;
  const used = await usedVersions(ctx.db.kysely, operation.publisher_id, operation.offer_id);
  const result = await validateOffer(operation.snapshot, { config: ctx.config, publisherId: operation.publisher_id, usedVersions: used });
  if (result.problems.length > 0 || !result.offer) {
    return {
      status: 'blocked',
      error: `The offer has ${result.problems.length} problem(s).`,
      // each problem in every language it was written in (see offers/validate.ts)
      messages: result.problems.map((p) => message('error', join([p.path, ': ', fieldIn(p, 'message')]))),
    };
  }
  const plans = s.offer.plans.length;
  return { status: 'complete', messages: [message('information', say(prerequisitesMet, plans))] };
}

export const validateStep: StepModule = { id, run };
