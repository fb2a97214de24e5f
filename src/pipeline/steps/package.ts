/**
 * package: builds each plan's package (image locations in the preview region, sizes, SHA-256,
 * deployment template, version), signs it with the marketplace's Ed25519 key, writes the preview
 * slot, and registers the lead destination (a registration test lead the destination must
 * accept; `table` and `none` need nothing). A destination that refuses blocks the step.
 */
import { errorText, isVmarketError } from '../../errors.ts';
import { leadSigningSecret, registerLeadDestination, type LeadDestination } from '../../leads/index.ts';
import { setPreviewSlot } from '../../offers/repository.ts';
import { certifiedDisks } from '../image-files.ts';
import { message } from '../operations.ts';
import { buildPackage, signPackages, slotDocument } from '../packages.ts';
import { type Localized, type Phrase, say } from '../../i18n/localized.ts';
import { HOUR } from '../time-frame.ts';
import type { PipelineStep, StepContext, StepOutcome } from './context.ts';

const built: Phrase<[string[]]> = {
  en: (packages) => `Built and signed ${packages.length} package(s): ${packages.join(', ')}.`,
  de: (packages) => `${packages.length} ${packages.length === 1 ? 'Paket' : 'Pakete'} erstellt und signiert: ${packages.join(', ')}.`,
};
const registrationRefused: Phrase<[string, Localized]> = {
  en: (destination, why) =>
    `The lead destination (${destination}) did not accept the registration test lead: ${why.en} Fix the destination (or its secret) and publish again.`,
  de: (destination, why) =>
    `Das Ziel für Leads (${destination}) hat den Test-Lead der Registrierung nicht angenommen: ${why.de} Korrigieren Sie das Ziel (oder sein Geheimnis) und veröffentlichen Sie erneut.`,
};
const registrationAccepted: Phrase<[string]> = {
  en: (destination) => `The lead destination (${destination}) accepted the registration test lead.`,
  de: (destination) => `Das Ziel für Leads (${destination}) hat den Test-Lead der Registrierung angenommen.`,
};
const keptInTable: Localized = { en: 'Leads are kept in the marketplace (table).', de: 'Leads werden im Marktplatz gespeichert (table).' };
const noDestination: Localized = { en: 'No lead destination configured.', de: 'Kein Ziel für Leads eingerichtet.' };

interface Checkpoint {
  leadRegistered?: boolean;
  /** The registration test lead the destination accepted (recorded with the step's completion). */
  registration?: { id: string; deliveredAt: Date | string };
}

async function run(s: StepContext): Promise<StepOutcome> {
  const { ctx, operation, offer } = s;
  const disks = certifiedDisks(offer, s.artifacts);
  const packages = offer.plans.map((plan) => buildPackage(ctx, offer, plan, disks, [plan.regions[0]], s.artifacts));
  const signed = await signPackages(ctx, packages);
  const messages = [message('information', say(built, packages.map((p) => `${p.plan} ${p.version}`)))];

  const destination = offer.leads?.destination ?? 'none';
  const cp = s.checkpoint.get<Checkpoint>();
  let registration = cp.registration;
  if (!cp.leadRegistered && destination !== 'none' && destination !== 'table') {
    await s.throwIfCanceled();
    try {
      const result = await registerLeadDestination(offer.leads as LeadDestination, {
        config: ctx.config,
        env: ctx.env,
        signingSecret: () => leadSigningSecret(ctx, operation.publisher_id, operation.offer_id),
        signal: s.signal,
        offer: `${operation.publisher_id}.${operation.offer_id}`,
      });
      registration = { id: result.lead.id, deliveredAt: new Date() };
    } catch (error) {
      if (isVmarketError(error) && error.code === 'CANCELED') throw error;
      return {
        status: 'blocked',
        error: `The lead destination (${destination}) did not accept the registration lead.`,
        messages: [
          ...messages,
          message('error', say(registrationRefused, destination, errorText(error))),
        ],
      };
    }
    await s.checkpoint.set({ leadRegistered: true, registration });
    messages.push(message('information', say(registrationAccepted, destination)));
  } else if (destination === 'table' || destination === 'none') {
    messages.push(message('information', destination === 'table' ? keptInTable : noDestination));
  }

  const doc = slotDocument(operation, offer, signed);
  return {
    status: 'complete',
    artifacts: { plans: Object.keys(signed) },
    messages,
    apply: async (trx) => {
      if (registration) {
        // Kept with the offer's leads so the publisher sees the registration in the lead list.
        await trx
          .insertInto('leads')
          .values({
            id: registration.id,
            publisher_id: operation.publisher_id,
            offer_id: operation.offer_id,
            plan_id: 'registration-test',
            subscription_id: '00000000-0000-0000-0000-000000000000',
            contact: JSON.stringify({ name: 'vmarket registration test', email: 'registration-test@vmarket.invalid' }),
            kind: 'registration-test',
            delivery_status: 'delivered',
            delivery_attempts: 1,
            delivered_at: new Date(registration.deliveredAt),
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      }
      await setPreviewSlot(trx, operation.publisher_id, operation.offer_id, doc as never, operation.id);
    },
  };
}

export const packageStep: PipelineStep = {
  id: 'package',
  name: { en: 'Packaging and lead registration', de: 'Paketerstellung und Registrierung von generierten Leads' },
  description: {
    en: "Each plan's package (image locations, sizes, SHA-256, deployment template) is built and signed, and the lead destination is registered.",
    de: 'Das Paket jedes Plans (Image-Orte, Größen, SHA-256, Bereitstellungsvorlage) wird erstellt und signiert, und das Ziel für Leads wird registriert.',
  },
  queue: 'pipeline',
  expectedMaxSeconds: 1 * HOUR,
  run,
};
