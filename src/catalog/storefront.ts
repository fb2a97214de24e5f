/**
 * What the storefront shows: the public listing of offers from their published slots. The live
 * slot is public; the preview slot is shown only to the subscriptions its `previewAudience`
 * lists (docs/contracts.md §5), and for them it takes the place of the live version, so the audience
 * tries exactly what is about to go live. Nothing private leaves here: no preview audience, no
 * lead destination, no engineering contact, no image sources. The answers' shapes are the
 * contract's (src/contracts/catalog.ts).
 *
 * The publisher's lifecycle decisions (src/lifecycle/) mark the listing: `deprecation` and
 * `sold` on the offer and on each plan. An offer no longer sold as a whole (stopped, or
 * deprecated and its day came) leaves the catalogue list and search; its own page stays, saying
 * so, for the customers who look it up by its link.
 */
import type { Kysely } from 'kysely';
import type { CatalogOffer, CatalogOfferSummary, CatalogPlanSummary, SlotName } from '../contracts/index.ts';
import type { Db } from '../app/context.ts';
import type { Database } from '../db/schema.ts';
import { invalidCursor, type Page } from '../db/pagination.ts';
import { DEFAULT_PAGE_SIZE, type PageQuery } from '../contracts/pagination.ts';
import type { SlotDocument } from '../pipeline/packages.ts';
import type { OfferSnapshot, SnapshotPlan } from '../pipeline/offer-snapshot.ts';
import { publishedVersion } from '../pipeline/offer-snapshot.ts';
import { type LifecycleDecisions, loadAllDecisions, loadDecisions, offerState, planState, utcDay } from '../lifecycle/state.ts';

export type { CatalogOffer, CatalogOfferSummary, CatalogPlan, CatalogPlanSummary, SlotName } from '../contracts/index.ts';

export interface ServedSlot {
  publisherId: string;
  offerId: string;
  slot: SlotName;
  doc: SlotDocument;
}

export interface CatalogQuery {
  /** Words searched (case-insensitive) in title, summary, description and keywords; all must match. */
  q?: string;
  /** Only offers with this category. */
  category?: string;
  /** The caller's subscription (`X-Subscription-Id`): adds the previews whose audience lists it. */
  subscriptionId?: string;
}

/** Splits a catalog key `publisher.offer` (ids never hold a dot). undefined when malformed. */
export function parseCatalogKey(key: string): { publisherId: string; offerId: string } | undefined {
  const dot = key.indexOf('.');
  if (dot <= 0 || dot === key.length - 1) return undefined;
  const publisherId = key.slice(0, dot);
  const offerId = key.slice(dot + 1);
  if (offerId.includes('.')) return undefined;
  return { publisherId, offerId };
}

export function catalogKey(publisherId: string, offerId: string): string {
  return `${publisherId}.${offerId}`;
}

/** True when the preview slot `doc` is visible to `subscriptionId`. */
export function inPreviewAudience(doc: SlotDocument | null | undefined, subscriptionId: string | undefined): boolean {
  if (!doc || !subscriptionId) return false;
  const wanted = subscriptionId.trim().toLowerCase();
  return (doc.offer.previewAudience ?? []).some((s) => String(s).trim().toLowerCase() === wanted);
}

/** The slot served to `subscriptionId`: the preview for its audience, else the live slot. */
function pick(
  row: { publisher_id: string; id: string; live: unknown; preview: unknown },
  subscriptionId: string | undefined,
): ServedSlot | undefined {
  const preview = row.preview as SlotDocument | null;
  if (preview && inPreviewAudience(preview, subscriptionId)) {
    return { publisherId: row.publisher_id, offerId: row.id, slot: 'preview', doc: preview };
  }
  const live = row.live as SlotDocument | null;
  if (live) return { publisherId: row.publisher_id, offerId: row.id, slot: 'live', doc: live };
  return undefined;
}

/**
 * The slot of one offer served to `subscriptionId` (with its signed packages), or undefined
 * when the offer is neither live nor previewed to that subscription.
 */
export async function loadServedSlot(
  db: Kysely<Database>,
  publisherId: string,
  offerId: string,
  subscriptionId?: string,
): Promise<ServedSlot | undefined> {
  const row = await db
    .selectFrom('offers')
    .select(['publisher_id', 'id', 'live', 'preview'])
    .where('publisher_id', '=', publisherId)
    .where('id', '=', offerId)
    .executeTakeFirst();
  return row ? pick(row, subscriptionId) : undefined;
}

/** The public listing of one offer, or undefined (unknown, not live, or a preview for others). */
export async function getCatalogOffer(db: Db, publisherId: string, offerId: string, subscriptionId?: string): Promise<CatalogOffer | undefined> {
  const served = await loadServedSlot(db.kysely, publisherId, offerId, subscriptionId);
  return served ? offerListing(served, await loadDecisions(db.kysely, publisherId, offerId)) : undefined;
}

/** A catalogue cursor: the title and id of the last offer of the previous page, base64url JSON. */
function titleCursor(summary: CatalogOfferSummary): string {
  return Buffer.from(JSON.stringify([summary.title, summary.id]), 'utf8').toString('base64url');
}

function afterTitleCursor(cursor: string): (summary: CatalogOfferSummary) => boolean {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(key) || key.length !== 2 || typeof key[0] !== 'string' || typeof key[1] !== 'string') throw invalidCursor();
  const [title, id] = key as [string, string];
  return (s) => byTitle(s, { title, id }) > 0;
}

function byTitle(a: { title: string; id: string }, b: { title: string; id: string }): number {
  return a.title.localeCompare(b.title) || a.id.localeCompare(b.id);
}

/**
 * One page of the catalogue: every live offer, plus the previews listing `subscriptionId`,
 * filtered by `q` and `category`, ordered by title. The filters run on the offer documents, so the
 * page is cut in memory (the answer is bounded; the read is bounded by the offers-per-publisher
 * limit). Slots are read without their packages (only the offer part).
 */
export async function listCatalogOffers(db: Db, query: CatalogQuery = {}, page: PageQuery = { limit: DEFAULT_PAGE_SIZE }): Promise<Page<CatalogOfferSummary>> {
  const after = page.cursor === undefined ? () => true : afterTitleCursor(page.cursor);
  const rows = await db.kysely
    .selectFrom('offers')
    .select((eb) => [
      'publisher_id',
      'id',
      eb.ref('live', '->').key('offer').as('live_offer'),
      eb.ref('live', '->>').key('publishedAt').as('live_published_at'),
      eb.ref('preview', '->').key('offer').as('preview_offer'),
      eb.ref('preview', '->>').key('publishedAt').as('preview_published_at'),
    ])
    .where((eb) => eb.or([eb('live', 'is not', null), eb('preview', 'is not', null)]))
    .execute();
  const decisionsOf = await loadAllDecisions(db.kysely);
  const today = utcDay();
  const words = (query.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const category = query.category?.trim().toLowerCase();
  const out: CatalogOfferSummary[] = [];
  for (const row of rows) {
    const served = pick(
      {
        publisher_id: row.publisher_id,
        id: row.id,
        live: row.live_offer ? { offer: row.live_offer, publishedAt: row.live_published_at } : null,
        preview: row.preview_offer ? { offer: row.preview_offer, publishedAt: row.preview_published_at } : null,
      },
      query.subscriptionId,
    );
    if (!served) continue;
    const summary = offerSummary(served, decisionsOf(row.publisher_id, row.id), today);
    if (!summary.sold) continue;
    if (category && !summary.categories.some((c) => c.toLowerCase() === category)) continue;
    if (words.length > 0) {
      const listing = listingOf(served.doc.offer);
      const haystack = [summary.title, summary.summary, str(listing.description), ...summary.keywords].join('\n').toLowerCase();
      if (!words.every((w) => haystack.includes(w))) continue;
    }
    if (after(summary)) out.push(summary);
  }
  const sorted = out.sort(byTitle);
  const shown = sorted.slice(0, page.limit);
  return { rows: shown, nextCursor: sorted.length > page.limit ? titleCursor(shown.at(-1)!) : null };
}

function listingOf(offer: OfferSnapshot): Record<string, unknown> {
  return (offer.listing ?? {}) as Record<string, unknown>;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

const UNDECIDED: LifecycleDecisions = { offer: undefined, plans: new Map() };

function planSummary(plan: SnapshotPlan & Record<string, unknown>, decisions: LifecycleDecisions, today: string): CatalogPlanSummary {
  const { deprecation, sold } = planState(decisions, plan.id, today);
  return { id: plan.id, title: str(plan.title), summary: str(plan.summary), pricing: { ...(plan.pricing ?? {}) }, deprecation, sold };
}

export function offerSummary(served: ServedSlot, decisions: LifecycleDecisions = UNDECIDED, today: string = utcDay()): CatalogOfferSummary {
  const offer = served.doc.offer;
  const listing = listingOf(offer);
  const { deprecation, sold } = offerState(decisions, today);
  return {
    id: catalogKey(served.publisherId, served.offerId),
    publisher: served.publisherId,
    offerId: served.offerId,
    title: str(listing.title),
    summary: str(listing.summary),
    categories: strings(listing.categories),
    keywords: strings(listing.keywords),
    preview: served.slot === 'preview',
    publishedAt: str(served.doc.publishedAt),
    deprecation,
    sold,
    plans: (offer.plans ?? []).map((p) => planSummary(p as SnapshotPlan & Record<string, unknown>, decisions, today)),
  };
}

export function offerListing(served: ServedSlot, decisions: LifecycleDecisions = UNDECIDED): CatalogOffer {
  const today = utcDay();
  const offer = served.doc.offer;
  const listing = listingOf(offer);
  const support = (listing.support ?? {}) as Record<string, unknown>;
  const testDrive = offer.testDrive?.enabled
    ? {
        enabled: true,
        ...(offer.testDrive.durationHours !== undefined ? { durationHours: offer.testDrive.durationHours } : {}),
        ...(offer.testDrive.userManualUrl ? { userManualUrl: offer.testDrive.userManualUrl } : {}),
      }
    : null;
  const { plans: _plans, ...summary } = offerSummary(served, decisions, today);
  return {
    ...summary,
    description: str(listing.description),
    privacyUrl: str(listing.privacyUrl) || null,
    termsOfUse: str(listing.termsOfUse) || null,
    support: Object.fromEntries(['name', 'email', 'phone', 'url'].filter((k) => typeof support[k] === 'string').map((k) => [k, support[k] as string])),
    testDrive,
    plans: (offer.plans ?? []).map((raw) => {
      const plan = raw as SnapshotPlan & Record<string, unknown>;
      return {
        ...planSummary(plan, decisions, today),
        description: str(plan.description),
        os: { ...(plan.os ?? {}) },
        regions: [...plan.regions],
        recommendedSizes: [...(plan.recommendedSizes ?? [])],
        openPorts: (plan.openPorts ?? []).map((p) => ({ protocol: p.protocol, port: p.port })),
        version: plan.images?.length ? publishedVersion(plan).version : '',
      };
    }),
  };
}
