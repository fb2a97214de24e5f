/**
 * A customer acquires a plan (docs/contracts.md §5): the answer is the plan's signed package from the
 * slot served to the customer's subscription (live, or the preview for its audience), and the
 * customer's contact becomes a lead, and the acquisition (the version acquired) is recorded with
 * an access token that reads it back with fresh download links (src/catalog/acquisitions.ts).
 * The lead row, its delivery job and the acquisition commit in ONE transaction, so a lead is never stored without being delivered nor delivered without being
 * stored; delivery itself runs in the lead worker (src/leads/worker.ts) with retries.
 */
import type { AppContext } from '../app/context.ts';
import { VmarketError } from '../errors.ts';
import { localizedFields, type Phrase, say } from '../i18n/localized.ts';
import { prepareLead } from '../leads/record.ts';
import type { LeadContact } from '../leads/types.ts';
import type { DownloadLink } from '../contracts/index.ts';
import type { SignedPackage } from '../pipeline/packages.ts';
import { sellRefusal } from '../lifecycle/sell.ts';
import { prepareAcquisition } from './acquisitions.ts';
import { downloadLinks } from './downloads.ts';
import { catalogKey, loadServedSlot } from './storefront.ts';

export interface AcquireInput {
  publisherId: string;
  offerId: string;
  subscriptionId: string;
  plan: string;
  contact: LeadContact;
}

export interface AcquireResult extends SignedPackage {
  /** The lead recorded for this acquisition. */
  leadId: string;
  /** Which slot the package came from: `preview` only for the offer's preview audience. */
  slot: 'live' | 'preview';
  /** The acquisition: its token (shown only here) reads it back with fresh links. */
  acquisition: { id: string; token: string; expiresAt: string; mirrorUrl: string };
  /** Each image in each region of the package, with a link valid until `acquisition.expiresAt`. */
  downloads: DownloadLink[];
}

/**
 * Records the lead and answers the plan's signed package.
 *
 * @throws VmarketError NOT_FOUND when the offer is not served to this subscription (unknown,
 *   not live, or a preview for another audience: the same answer, so a preview's existence
 *   does not leak) or has no such plan; NO_LONGER_SOLD when the publisher stopped selling it or
 *   deprecated it and the day came (src/lifecycle/sell.ts).
 */
// what a customer reads on the offer page's form, in German too
const notInCatalogue: Phrase<[string]> = {
  en: (key) => `The offer ${key} is not in the catalogue.`,
  de: (key) => `Das Angebot ${key} ist nicht im Katalog.`,
};
const noSuchPlan: Phrase<[string, string, string[]]> = {
  en: (key, plan, plans) => `The offer ${key} has no plan ${plan}${plans.length ? ` (its plans: ${plans.join(', ')})` : ''}.`,
  de: (key, plan, plans) => `Das Angebot ${key} hat keinen Plan ${plan}${plans.length ? ` (seine Pläne: ${plans.join(', ')})` : ''}.`,
};
const notAPlanOf: Phrase<[string]> = { en: (key) => `not a plan of ${key}`, de: (key) => `kein Plan von ${key}` };

export async function acquirePlan(ctx: AppContext, input: AcquireInput): Promise<AcquireResult> {
  const key = catalogKey(input.publisherId, input.offerId);
  const served = await loadServedSlot(ctx.db.kysely, input.publisherId, input.offerId, input.subscriptionId);
  if (!served) throw new VmarketError('NOT_FOUND', say(notInCatalogue, key));
  const signed = served.doc.packages?.[input.plan];
  if (!signed) {
    const plans = Object.keys(served.doc.packages ?? {});
    throw new VmarketError('NOT_FOUND', say(noSuchPlan, key, JSON.stringify(input.plan), plans), {
      details: [{ path: 'plan', ...localizedFields({ message: say(notAPlanOf, key) }) }],
    });
  }
  // the publisher stopped selling it, or deprecated it and the day came: one error, naming the alternative
  const refused = await sellRefusal(ctx, input.publisherId, input.offerId, input.plan);
  if (refused) throw refused;
  const destination = String(served.doc.offer.leads?.destination ?? 'none');
  const lead = await prepareLead(ctx, {
    publisherId: input.publisherId,
    offerId: input.offerId,
    plan: input.plan,
    subscriptionId: input.subscriptionId,
    contact: input.contact,
    kind: 'lead',
    destination,
    slot: served.slot,
  });
  const leadId = lead.id;
  const acquisition = prepareAcquisition({
    leadId,
    publisherId: input.publisherId,
    offerId: input.offerId,
    plan: input.plan,
    subscriptionId: input.subscriptionId,
    operationId: served.doc.operationId,
    slot: served.slot,
  });
  const row = await ctx.db.transaction(async (trx) => {
    await lead.insert(trx);
    return acquisition.insert(trx);
  });
  lead.wake();
  ctx.logger.info({ leadId, acquisitionId: acquisition.id, offer: key, plan: input.plan, slot: served.slot, destination }, 'plan acquired');
  const { expiresAt, links, mirrorUrl } = await downloadLinks(ctx, row, signed.package);
  return {
    package: signed.package,
    signature: signed.signature,
    keyId: signed.keyId,
    leadId,
    slot: served.slot,
    acquisition: { id: acquisition.id, token: acquisition.token, expiresAt, mirrorUrl },
    downloads: links,
  };
}
