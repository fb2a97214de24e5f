/**
 * signoff: the preview is visible to the preview audience; the operation waits for the
 * publisher's go-live (or cancel), with no time limit. No job waits: `goLive` completes this
 * step and enqueues `deploy` in the same transaction as the state change.
 */
import { message } from '../operations.ts';
import { type Phrase, say } from '../../i18n/localized.ts';
import type { PipelineStep, StepContext, StepOutcome } from './context.ts';

const previewReady: Phrase<[number, string]> = {
  en: (audience, offer) =>
    `The preview is ready for ${audience} preview subscription${audience === 1 ? '' : 's'}; check it and go live (vmarket golive ${offer}) or cancel.`,
  de: (audience, offer) =>
    `Die Vorschau ist für ${audience} Vorschau-${audience === 1 ? 'Abonnement' : 'Abonnements'} bereit; prüfen Sie sie und schalten Sie live (vmarket golive ${offer}) oder brechen Sie ab.`,
};

async function run(s: StepContext): Promise<StepOutcome> {
  const audience = s.offer.previewAudience?.length ?? 0;
  return {
    status: 'waitingForPublisherReview',
    messages: [
      message('information', say(previewReady, audience, s.operation.offer_id)),
    ],
  };
}

export const signoffStep: PipelineStep = {
  id: 'signoff',
  name: { en: 'Publisher sign-off', de: 'Einholen der Genehmigung des Herausgebers' },
  description: {
    en: 'The preview is visible to the preview audience; the publisher checks it and goes live (or cancels).',
    de: 'Die Vorschau ist für die Vorschau-Zielgruppe sichtbar; der Herausgeber prüft sie und schaltet live (oder bricht ab).',
  },
  queue: 'pipeline',
  expectedMaxSeconds: null,
  run,
};
