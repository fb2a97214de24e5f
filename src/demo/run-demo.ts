/**
 * `vmarket demo`: starts the server like `serve`, then — through the public HTTP API, as the demo
 * publisher — pushes the sample offer (its OS disk the sample image), publishes it, follows the
 * steps, signs off at `signoff`, and waits until it is live. Started again, it reuses what it
 * made: an offer already live with the same draft is only served; a changed one is published
 * again (with the next image version, since versions are unique per plan).
 */
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { ensureSampleImage } from './sample-image.ts';
import { SAMPLE_OFFER_ID, sampleOffer } from './sample-offer.ts';
import type { OfferStatusDocument } from '../contracts/index.ts';
import { ApiClient } from '../cli/client.ts';
import { offerPath, operationIdOf, publisherIdOf } from '../cli/common.ts';
import { followPublication, publicationFailure } from '../cli/follow.ts';
import { offerSchema } from '../offers/schema.ts';
import type { RunningServer } from '../cli/serve-runtime.ts';
import { VmarketError } from '../errors.ts';

/** The demo publisher's id (created by the server in embedded mode). */
export const DEMO_PUBLISHER = 'demo';

export interface DemoOptions {
  server: RunningServer;
  /** Progress lines. */
  onLine: (line: string) => void;
  /** Stops following (Ctrl+C during the demo). */
  signal?: AbortSignal;
  /** Poll interval while following; default 500 ms. */
  intervalMs?: number;
}

export interface DemoResult {
  publisher: string;
  offerId: string;
  /** `published` when this run published the offer, `unchanged` when it was already live. */
  outcome: 'published' | 'unchanged';
  status: OfferStatusDocument;
}

/**
 * The import root the demo adds to the allowed import dirs; the sample image lives in its
 * publisher's subtree, `<root>/<publisher>/`, like any publisher's images (src/security/paths.ts).
 */
export function sampleImageDir(dataDir: string): string {
  return path.join(dataDir, 'sample-images');
}

/** Publishes the sample offer end to end (or confirms it is live) and returns its final status. */
export async function publishSampleOffer(options: DemoOptions): Promise<DemoResult> {
  const { server, onLine } = options;
  if (!server.demoToken) {
    throw new VmarketError('CONFIG_INVALID', 'the server did not create a demo publisher, so the demo cannot publish its sample offer');
  }
  const client = new ApiClient({ url: server.url, token: server.demoToken });
  const me = (await client.get<Record<string, unknown>>('/me')).body;
  const publisher = publisherIdOf(me) ?? DEMO_PUBLISHER;
  const base = offerPath(publisher, SAMPLE_OFFER_ID);

  onLine('Preparing the sample image…');
  const osDisk = await ensureSampleImage(path.join(sampleImageDir(server.config.dataDir), publisher));
  const wanted = sampleOffer({
    publisher,
    osDisk,
    regions: server.config.regions.map((r) => r.name),
    categories: server.config.categories,
  });

  const draft = await getSlot(client, base, 'draft');
  const live = await getSlot(client, base, 'live');
  const current = (await client.get<OfferStatusDocument>(`${base}/status`, { accept: [404] })).body;
  const sameAsDraft = draft !== undefined && isDeepStrictEqual(withVersion(wanted, imageVersion(draft)), draft);

  if (sameAsDraft && current?.status === 'succeeded' && live !== undefined && isDeepStrictEqual(normalized(live), normalized(draft))) {
    onLine(`The sample offer ${publisher}/${SAMPLE_OFFER_ID} is already live and unchanged.`);
    return { publisher, offerId: SAMPLE_OFFER_ID, outcome: 'unchanged', status: current };
  }

  let operationId: string | undefined;
  if (sameAsDraft && (current?.status === 'running' || current?.status === 'waitingForPublisherReview')) {
    onLine(`Following the publication already under way (operation ${current.operationId}).`);
    operationId = current.operationId ?? undefined;
  } else {
    let version = imageVersion(draft) ?? '1.0.0';
    const liveVersion = imageVersion(live);
    if (liveVersion && !sameAsDraft) version = nextPatch(maxVersion(version, liveVersion));
    const document = sameAsDraft ? draft : withVersion(wanted, version);
    if (!sameAsDraft) {
      const put = await client.put<Record<string, unknown>>(base, document);
      onLine(`${put.status === 201 ? 'Created' : 'Updated'} the draft of ${publisher}/${SAMPLE_OFFER_ID} (image version ${version}).`);
    }
    const published = await client.post<Record<string, unknown>>(`${base}/publish`, {});
    operationId = operationIdOf(published.body, published.headers);
    onLine(`Publishing ${publisher}/${SAMPLE_OFFER_ID} (operation ${operationId}):`);
  }

  const follow = { client, publisher, offerId: SAMPLE_OFFER_ID, operationId, onLine, intervalMs: options.intervalMs, signal: options.signal, seen: new Map() };
  let status = await followPublication({ ...follow, until: 'review' });
  if (status.status === 'waitingForPublisherReview') {
    onLine('Signing off as the demo publisher (golive)…');
    await client.post(`${base}/golive`, {});
    status = await followPublication({ ...follow, until: 'end' });
  }
  if (status.status !== 'succeeded') throw publicationFailure(`${publisher}/${SAMPLE_OFFER_ID}`, status);
  return { publisher, offerId: SAMPLE_OFFER_ID, outcome: 'published', status };
}

/**
 * The offer as the pipeline sees it (defaults applied): the live slot holds the validated
 * snapshot, the draft what was pushed, so they are compared in this form.
 */
function normalized(offer: Record<string, unknown>): unknown {
  const parsed = offerSchema.safeParse(offer);
  return parsed.success ? parsed.data : offer;
}

/** The offer document of one slot, or undefined when the offer or the slot does not exist. */
async function getSlot(client: ApiClient, base: string, slot: 'draft' | 'live'): Promise<Record<string, unknown> | undefined> {
  const answer = await client.get<Record<string, unknown>>(`${base}?slot=${slot}`, { accept: [404] });
  if (answer.status === 404 || !answer.body) return undefined;
  const offer = answer.body.offer;
  if (offer && typeof offer === 'object') return offer as Record<string, unknown>;
  return undefined;
}

function imageVersion(offer: Record<string, unknown> | undefined): string | undefined {
  const plans = offer?.plans as { images?: { version?: string }[] }[] | undefined;
  return plans?.[0]?.images?.[0]?.version;
}

function withVersion(offer: Record<string, unknown>, version: string | undefined): Record<string, unknown> {
  const copy = structuredClone(offer) as { plans: { images: { version: string }[] }[] };
  if (version) copy.plans[0].images[0].version = version;
  return copy as unknown as Record<string, unknown>;
}

function parseVersion(v: string): number[] {
  return v.split(/[.+-]/).slice(0, 3).map((n) => Number(n) || 0);
}

function maxVersion(a: string, b: string): string {
  const [x, y] = [parseVersion(a), parseVersion(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i] ? a : b;
  return a;
}

function nextPatch(v: string): string {
  const [major, minor, patch] = parseVersion(v);
  return `${major}.${minor}.${patch + 1}`;
}
