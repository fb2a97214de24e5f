/**
 * What the publisher decided about selling an offer and its plans (`offer_lifecycle`), read
 * for the storefront and for acquire. A plan's state is its own decision over the offer's: a
 * plan is sold only while neither it nor the offer was stopped, and is deprecated by its own
 * deprecation, else by the offer's. A deprecation takes effect ON its day (UTC): from then on
 * the plan is no longer sold.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Trx } from '../app/context.ts';
import type { Deprecation, SellState } from '../contracts/index.ts';
import type { Database, OfferLifecycleTable } from '../db/schema.ts';

export type LifecycleRow = Selectable<OfferLifecycleTable>;

/** The decisions of one offer: the offer's own (`plan_id` '') and each plan's. */
export interface LifecycleDecisions {
  offer: LifecycleRow | undefined;
  plans: Map<string, LifecycleRow>;
}

const NONE: LifecycleDecisions = { offer: undefined, plans: new Map() };

/** Today as `YYYY-MM-DD` in UTC. */
export function utcDay(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

function decisionsOf(rows: LifecycleRow[]): LifecycleDecisions {
  const out: LifecycleDecisions = { offer: undefined, plans: new Map() };
  for (const row of rows) {
    if (row.plan_id === '') out.offer = row;
    else out.plans.set(row.plan_id, row);
  }
  return out;
}

export async function loadDecisions(db: Kysely<Database> | Trx, publisherId: string, offerId: string): Promise<LifecycleDecisions> {
  const rows = await db.selectFrom('offer_lifecycle').selectAll().where('publisher_id', '=', publisherId).where('offer_id', '=', offerId).execute();
  return decisionsOf(rows);
}

/** Every offer's decisions, keyed `publisher.offer` (for the catalogue list: one read, not one per offer). */
export async function loadAllDecisions(db: Kysely<Database>): Promise<(publisherId: string, offerId: string) => LifecycleDecisions> {
  const rows = await db.selectFrom('offer_lifecycle').selectAll().execute();
  const byOffer = new Map<string, LifecycleRow[]>();
  for (const row of rows) {
    const key = `${row.publisher_id}.${row.offer_id}`;
    byOffer.set(key, [...(byOffer.get(key) ?? []), row]);
  }
  return (publisherId, offerId) => {
    const mine = byOffer.get(`${publisherId}.${offerId}`);
    return mine ? decisionsOf(mine) : NONE;
  };
}

function deprecationOf(row: LifecycleRow | undefined): Deprecation | null {
  if (!row?.deprecated_on) return null;
  return { on: row.deprecated_on, reason: row.deprecation_reason, alternativePlan: row.alternative_plan };
}

/** The offer's own state. */
export function offerState(decisions: LifecycleDecisions, today: string = utcDay()): SellState {
  const deprecation = deprecationOf(decisions.offer);
  const stoppedAt = decisions.offer?.stopped_at ?? null;
  return { deprecation, sold: !stoppedAt && !(deprecation && deprecation.on <= today), stoppedAt: stoppedAt ? new Date(stoppedAt).toISOString() : null };
}

/** A plan's state: its own decisions over the offer's. */
export function planState(decisions: LifecycleDecisions, planId: string, today: string = utcDay()): SellState {
  const own = decisions.plans.get(planId);
  const offer = offerState(decisions, today);
  const deprecation = deprecationOf(own) ?? offer.deprecation;
  const stoppedAt = own?.stopped_at ? new Date(own.stopped_at).toISOString() : offer.stoppedAt;
  return { deprecation, sold: !stoppedAt && !(deprecation && deprecation.on <= today), stoppedAt };
}

/** A plan's own state only (for the publisher's lifecycle view). */
export function ownState(row: LifecycleRow, today: string = utcDay()): SellState {
  return offerState({ offer: row, plans: new Map() }, today);
}
