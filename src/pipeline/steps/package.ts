/**
 * package: builds each plan's package (image locations in the preview region, sizes, SHA-256,
 * deployment template, version), signs it with the marketplace's Ed25519 key, writes the preview
 * slot, and registers the lead destination (a registration test lead the destination must
 * accept; `table` and `none` need nothing). A destination that refuses blocks the step.
 */
import { isVmarketError } from '../../errors.ts';
import { registerLeadDestination } from '../../leads/index.ts';
import { setPreviewSlot } from '../../offers/repository.ts';
import { certifiedDisks } from '../image-files.ts';
import { message } from '../operations.ts';
import { buildPackage, signPackages, slotDocument } from '../packages.ts';
import type { StepContext, StepModule, StepOutcome } from './context.ts';

export const id = 'package' as const;

interface Checkpoint {
  leadRegistered?: boolean;
}

export async function run(s: StepContext): Promise<StepOutcome> {
  const { ctx, operation, offer } = s;
  const disks = certifiedDisks(offer, s.artifacts);
  const packages = offer.plans.map((plan) => buildPackage(ctx, offer, plan, disks, [plan.regions[0]]));
  const signed = await signPackages(ctx, packages);
  const messages = [message('information', `Built and signed ${packages.length} package(s): ${packages.map((p) => `${p.plan} ${p.version}`).join(', ')}.`)];

  const destination = offer.leads?.destination ?? 'none';
  const cp = s.checkpoint.get<Checkpoint>();
  if (!cp.leadRegistered && destination !== 'none' && destination !== 'table') {
    await s.throwIfCanceled();
    try {
      await registerLeadDestination(ctx, { publisherId: operation.publisher_id, offerId: operation.offer_id, leads: offer.leads as never });
    } catch (error) {
      if (isVmarketError(error) && error.code === 'CANCELED') throw error;
      const text = error instanceof Error ? error.message : String(error);
      return {
        status: 'blocked',
        error: `The lead destination (${destination}) did not accept the registration lead.`,
        messages: [
          ...messages,
          message('error', `The lead destination (${destination}) did not accept the registration test lead: ${text} Fix the destination (or its secret) and publish again.`),
        ],
      };
    }
    await s.checkpoint.set({ leadRegistered: true });
    messages.push(message('information', `The lead destination (${destination}) accepted the registration test lead.`));
  } else if (destination === 'table' || destination === 'none') {
    messages.push(message('information', destination === 'table' ? 'Leads are kept in the marketplace (table).' : 'No lead destination configured.'));
  }

  const doc = slotDocument(operation, offer, signed);
  return {
    status: 'complete',
    artifacts: { plans: Object.keys(signed) },
    messages,
    apply: async (trx) => {
      await setPreviewSlot(trx, operation.publisher_id, operation.offer_id, doc as never, operation.id);
    },
  };
}

export const packageStep: StepModule = { id, run };
