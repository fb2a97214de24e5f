/**
 * The publisher's selling decisions (docs/contracts.md §5 "Lifecycle"): deprecate the live offer or
 * one of its plans from a day on (today or later, optionally naming a plan of the same offer to
 * take instead), undo that before the day, stop selling at once and resume. Each change is one
 * transaction (so it is audited with the request). Acquire reads the result (`sellRefusal`).
 */
import type { AppContext, Trx } from '../app/context.ts';
import { catalogKey } from '../catalog/storefront.ts';
import type { OfferLifecycle } from '../contracts/index.ts';
import { VmarketError } from '../errors.ts';
import { localizedFields, type Localized, type Phrase, say } from '../i18n/localized.ts';
import { offerNotFound } from '../offers/phrases.ts';
import type { SlotDocument } from '../pipeline/packages.ts';
import * as t from './phrases.ts';
import { offerCustomers, tellCustomers } from './customers.ts';
import { listRevocations } from './revoke.ts';
import { type LifecycleDecisions, loadDecisions, offerState, ownState, planState, utcDay } from './state.ts';

export interface DeprecateInput {
  /** `YYYY-MM-DD` (UTC), today or later. */
  date: string;
  /** One plan; the whole offer when absent. */
  plan?: string;
  /** With `plan`: the plan of the same offer customers should take instead. */
  alternativePlan?: string;
  reason?: string;
}

function invalid(path: string, message: Localized): VmarketError {
  return new VmarketError('VALIDATION_FAILED', message, { details: [{ path, ...localizedFields({ message }) }] });
}

/** Locks the offer row and answers its live plans; 404 for an unknown offer, 409 when not live. */
async function livePlans(trx: Trx, publisherId: string, offerId: string): Promise<string[] & { operationId?: string }> {
  const row = await trx.selectFrom('offers').select('live').where('publisher_id', '=', publisherId).where('id', '=', offerId).forUpdate().executeTakeFirst();
  if (!row) throw new VmarketError('NOT_FOUND', say(offerNotFound, publisherId, offerId));
  const live = row.live as SlotDocument | null;
  if (!live) throw new VmarketError('CONFLICT', say(t.notLive, catalogKey(publisherId, offerId)));
  return Object.assign((live.offer.plans ?? []).map((p) => p.id), { operationId: live.operationId });
}

function requirePlan(key: string, plans: string[], plan: string | undefined, path = 'plan'): void {
  if (plan !== undefined && !plans.includes(plan)) {
    throw new VmarketError('VALIDATION_FAILED', say(t.noLivePlan, key, JSON.stringify(plan), plans), {
      details: [{ path, ...localizedFields({ message: say(t.notAPlan, key) }) }],
    });
  }
}

async function upsert(trx: Trx, publisherId: string, offerId: string, plan: string | undefined, set: Record<string, unknown>): Promise<void> {
  const values = { ...set, updated_at: new Date() };
  await trx
    .insertInto('offer_lifecycle')
    .values({ publisher_id: publisherId, offer_id: offerId, plan_id: plan ?? '', ...values })
    .onConflict((oc) => oc.columns(['publisher_id', 'offer_id', 'plan_id']).doUpdateSet(values))
    .execute();
}

/** `phrase` about the offer or one plan of it, in every language. */
function about<A extends unknown[]>(phrase: Phrase<[string, ...A]>, key: string, plan: string | undefined, ...args: A): Localized {
  const what = say(t.subject, key, plan);
  return { en: phrase.en(what.en, ...args), de: phrase.de(what.de, ...args) };
}

function own(decisions: LifecycleDecisions, plan: string | undefined) {
  return plan === undefined ? decisions.offer : decisions.plans.get(plan);
}

/** Deprecates the live offer or one plan from `input.date`. 422 for a past day or an unknown (alternative) plan. */
export async function deprecate(ctx: AppContext, publisherId: string, offerId: string, input: DeprecateInput, now = new Date()): Promise<OfferLifecycle> {
  const key = catalogKey(publisherId, offerId);
  const today = utcDay(now);
  const operationId = await ctx.db.transaction(async (trx) => {
    const plans = await livePlans(trx, publisherId, offerId);
    requirePlan(key, plans, input.plan);
    if (input.date < today) throw invalid('date', say(t.pastDate, input.date, today));
    if (input.alternativePlan !== undefined) {
      if (input.plan === undefined) throw invalid('alternativePlan', say(t.alternativeNeedsPlan));
      requirePlan(key, plans, input.alternativePlan, 'alternativePlan');
      if (input.alternativePlan === input.plan) throw invalid('alternativePlan', say(t.alternativeIsItself, input.plan));
      const decisions = await loadDecisions(trx, publisherId, offerId);
      if (!planState(decisions, input.alternativePlan, today).sold) throw invalid('alternativePlan', say(t.alternativeNotSold, input.alternativePlan));
    }
    await upsert(trx, publisherId, offerId, input.plan, {
      deprecated_on: input.date,
      deprecation_reason: input.reason?.trim() || null,
      alternative_plan: input.alternativePlan ?? null,
    });
    return plans.operationId ?? '';
  });
  const what = input.plan === undefined ? key : `the plan ${input.plan} of ${key}`;
  const instead = input.alternativePlan ? ` Its publisher suggests the plan ${input.alternativePlan} instead.` : '';
  const why = input.reason?.trim() ? ` The publisher's reason: ${input.reason.trim()}.` : '';
  await tellCustomers(ctx, {
    type: 'offer.deprecated',
    publisherId,
    offerId,
    operationId,
    customers: await offerCustomers(ctx, publisherId, offerId, input.plan),
    message: (c) =>
      `Dear ${c.name}, ${what}, which you acquired on ${c.at.toISOString().slice(0, 10)}, is deprecated: from ${input.date} it can no longer be acquired.${why}${instead} ` +
      'What you acquired stays yours to download.',
    summary: `${what} is deprecated from ${input.date}.${why}${instead}`,
  });
  return getOfferLifecycle(ctx, publisherId, offerId);
}

/** Clears a deprecation before its day (409 when there is none, or its day came). */
export async function undeprecate(ctx: AppContext, publisherId: string, offerId: string, plan?: string, now = new Date()): Promise<OfferLifecycle> {
  const key = catalogKey(publisherId, offerId);
  await ctx.db.transaction(async (trx) => {
    requirePlan(key, await livePlans(trx, publisherId, offerId), plan);
    const row = own(await loadDecisions(trx, publisherId, offerId), plan);
    if (!row?.deprecated_on) throw new VmarketError('CONFLICT', about(t.notDeprecated, key, plan));
    if (row.deprecated_on <= utcDay(now)) throw new VmarketError('CONFLICT', about(t.deprecationInEffect, key, plan, row.deprecated_on));
    await upsert(trx, publisherId, offerId, plan, { deprecated_on: null, deprecation_reason: null, alternative_plan: null });
  });
  return getOfferLifecycle(ctx, publisherId, offerId);
}

/** Stops selling the offer or one plan at once (409 when already stopped). */
export async function stopSelling(ctx: AppContext, publisherId: string, offerId: string, plan?: string): Promise<OfferLifecycle> {
  return setStopped(ctx, publisherId, offerId, plan, true);
}

/** Sells the offer or plan again (409 when it was not stopped). */
export async function resumeSelling(ctx: AppContext, publisherId: string, offerId: string, plan?: string): Promise<OfferLifecycle> {
  return setStopped(ctx, publisherId, offerId, plan, false);
}

async function setStopped(ctx: AppContext, publisherId: string, offerId: string, plan: string | undefined, stop: boolean): Promise<OfferLifecycle> {
  const key = catalogKey(publisherId, offerId);
  const operationId = await ctx.db.transaction(async (trx) => {
    const plans = await livePlans(trx, publisherId, offerId);
    requirePlan(key, plans, plan);
    const row = own(await loadDecisions(trx, publisherId, offerId), plan);
    if (stop && row?.stopped_at) throw new VmarketError('CONFLICT', about(t.alreadyStopped, key, plan, new Date(row.stopped_at).toISOString()));
    if (!stop && !row?.stopped_at) throw new VmarketError('CONFLICT', about(t.notStopped, key, plan));
    await upsert(trx, publisherId, offerId, plan, { stopped_at: stop ? new Date() : null });
    return plans.operationId ?? '';
  });
  if (stop) {
    const what = plan === undefined ? key : `the plan ${plan} of ${key}`;
    await tellCustomers(ctx, {
      type: 'offer.sale.stopped',
      publisherId,
      offerId,
      operationId,
      customers: await offerCustomers(ctx, publisherId, offerId, plan),
      message: (c) =>
        `Dear ${c.name}, ${what}, which you acquired on ${c.at.toISOString().slice(0, 10)}, is no longer sold: its publisher stopped selling it. ` +
        'What you acquired stays yours to download.',
      summary: `${what} is no longer sold.`,
    });
  }
  return getOfferLifecycle(ctx, publisherId, offerId);
}

/** The offer's decisions and revocations (404 for an unknown offer). */
export async function getOfferLifecycle(ctx: AppContext, publisherId: string, offerId: string): Promise<OfferLifecycle> {
  const exists = await ctx.db.kysely.selectFrom('offers').select('id').where('publisher_id', '=', publisherId).where('id', '=', offerId).executeTakeFirst();
  if (!exists) throw new VmarketError('NOT_FOUND', say(offerNotFound, publisherId, offerId));
  const decisions = await loadDecisions(ctx.db.kysely, publisherId, offerId);
  return {
    offer: offerState(decisions),
    plans: Object.fromEntries([...decisions.plans].map(([id, row]) => [id, ownState(row)])),
    revocations: await listRevocations(ctx, publisherId, offerId),
  };
}

/**
 * Why acquire must refuse the plan now (NO_LONGER_SOLD, naming the day and the alternative),
 * or undefined while it is sold.
 */
export async function sellRefusal(ctx: AppContext, publisherId: string, offerId: string, plan: string, now = new Date()): Promise<VmarketError | undefined> {
  const decisions = await loadDecisions(ctx.db.kysely, publisherId, offerId);
  const state = planState(decisions, plan, utcDay(now));
  if (state.sold) return undefined;
  const key = catalogKey(publisherId, offerId);
  const offerWide = offerState(decisions, utcDay(now));
  const which = offerWide.sold ? plan : undefined;
  const d = state.deprecation;
  const message = state.stoppedAt || !d ? about(t.refusedStopped, key, which) : about(t.refusedDeprecated, key, which, d.on, d.reason, d.alternativePlan);
  return new VmarketError('NO_LONGER_SOLD', message, { details: [{ path: 'plan', ...localizedFields({ message }) }] });
}
