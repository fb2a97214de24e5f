/** validate: the offer snapshot against the schema and the operator's rules; every problem at once. */
import { validateOffer } from '../../offers/validate.ts';
import { message } from '../operations.ts';
import { usedVersions } from '../used-versions.ts';
import { fieldIn, join, type Phrase, say } from '../../i18n/localized.ts';
import { MINUTE } from '../time-frame.ts';
import type { PipelineStep, StepContext, StepOutcome } from './context.ts';

const prerequisitesMet: Phrase<[number]> = {
  en: (plans) => `All prerequisites are met (${plans} plan${plans === 1 ? '' : 's'}).`,
  de: (plans) => `Alle Voraussetzungen sind erfüllt (${plans} ${plans === 1 ? 'Plan' : 'Pläne'}).`,
};

async function run(s: StepContext): Promise<StepOutcome> {
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

export const validateStep: PipelineStep = {
  id: 'validate',
  name: { en: 'Validate prerequisites', de: 'Überprüfen der Voraussetzungen' },
  description: {
    en: 'The offer information and settings are checked: regions, categories, image sources, LUNs and versions.',
    de: 'Die Angaben und Einstellungen des Angebots werden geprüft: Regionen, Kategorien, Image-Quellen, LUNs und Versionen.',
  },
  queue: 'pipeline',
  expectedMaxSeconds: 15 * MINUTE,
  run,
};
