/**
 * live: checks every region holds every image it will list, re-signs each plan's package with
 * every region location, and in ONE transaction (the runner's) switches the live slot to this
 * version (the previous one moves to offer_live_history and keeps serving until the commit),
 * withdraws the preview, and completes the operation.
 */
import { VmarketError } from '../../errors.ts';
import { setLiveSlot } from '../../offers/repository.ts';
import { certifiedDisks } from '../image-files.ts';
import { regionCopy } from '../delivery.ts';
import { message } from '../operations.ts';
import { buildPackage, signPackages, slotDocument } from '../packages.ts';
import { offerLinks } from '../status.ts';
import { regionStore } from '../replication.ts';
import { type Phrase, say } from '../../i18n/localized.ts';
import { DAY } from '../time-frame.ts';
import type { PipelineStep, StepContext, StepOutcome } from './context.ts';

const imageMissing: Phrase<[string, string, string]> = {
  en: (region, short, plan) => `The region ${region} does not hold image ${short}… of plan ${plan}.`,
  de: (region, short, plan) => `Die Region ${region} enthält das Image ${short}… von Plan ${plan} nicht.`,
};
const isLive: Phrase<[string | undefined]> = {
  en: (link) => `Live: ${link}`,
  de: (link) => `Live geschaltet: ${link}`,
};

async function run(s: StepContext): Promise<StepOutcome> {
  const { ctx, operation, offer } = s;
  const disks = certifiedDisks(offer, s.artifacts);
  for (const plan of offer.plans) {
    for (const region of plan.regions) {
      for (const d of disks.filter((x) => x.planId === plan.id)) {
        // the file the region's format serves: the certified one, or its conversion
        const copy = regionCopy(ctx, s.artifacts, d, region);
        if (!(await regionStore(ctx, region).has(copy.sha256, copy.size))) {
          throw new VmarketError('STORAGE_FAILED', say(imageMissing, region, copy.sha256.slice(0, 12), plan.id));
        }
      }
    }
  }
  await s.throwIfCanceled();
  const packages = offer.plans.map((plan) => buildPackage(ctx, offer, plan, disks, plan.regions, s.artifacts));
  const signed = await signPackages(ctx, packages);
  const doc = slotDocument(operation, offer, signed);
  return {
    status: 'complete',
    messages: [message('information', say(isLive, offerLinks(ctx, operation.publisher_id, operation.offer_id)[0]))],
    apply: async (trx) => {
      await setLiveSlot(trx, operation.publisher_id, operation.offer_id, doc as never, operation.id);
      await trx
        .updateTable('offers')
        .set({ preview: null, preview_operation_id: null })
        .where('publisher_id', '=', operation.publisher_id)
        .where('id', '=', operation.offer_id)
        .where('preview_operation_id', '=', operation.id)
        .execute();
    },
  };
}

export const liveStep: PipelineStep = {
  id: 'live',
  name: { en: 'Live', de: 'Live' },
  description: {
    en: 'The live catalogue switches to this version in one transaction and the offer is publicly available.',
    de: 'Der Live-Katalog wechselt in einer Transaktion zu dieser Version, und das Angebot ist öffentlich verfügbar.',
  },
  queue: 'pipeline',
  expectedMaxSeconds: 4 * DAY,
  run,
};
