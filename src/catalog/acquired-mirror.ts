/**
 * An acquisition's own simplestreams mirror (docs/contracts.md §5 "Simplestreams mirror"): the
 * public mirror lists the catalogue but serves no bytes; a customer who acquired a plan gets a
 * mirror root that lists exactly the version acquired and serves its items, so
 * `sstream-mirror`, glance-simplestreams-sync or any client that takes a mirror URL downloads
 * what the customer is entitled to with no header to configure. The root carries its grant in
 * its path (acquisition, expiry, HMAC), because simplestreams clients resolve item paths
 * relative to the index's URL and would drop a query string. It expires with the download
 * links, and a revocation refuses it like any download (`downloadablePackage`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../app/context.ts';
import type { PackageImage, PlanPackage } from '../contracts/index.ts';
import { VmarketError } from '../errors.ts';
import { type Phrase, say } from '../i18n/localized.ts';
import type { BlobStore } from '../storage/types.ts';
import { FsBlobStore } from '../storage/fs-store.ts';
import { acquiredDocument, downloadablePackage, type AcquisitionRecord } from './acquisitions.ts';
import { downloadFileName } from './downloads.ts';
import { architectures } from './streams-source.ts';
import { parseStreamItemPath, type StreamSlot } from './streams.ts';

/** Where acquisitions' mirror roots live: `/streams/acquired/<acquisition>/<expires>/<signature>/`. */
export const ACQUIRED_MIRROR_ROUTE = '/streams/acquired';

const mirrorInvalid: Phrase = {
  en: () => 'This mirror URL is not valid: it was changed or was not issued by this marketplace. Fetch a fresh one with GET /api/v1/catalog/acquisitions/{id}.',
  de: () => 'Diese Mirror-URL ist ungültig: Sie wurde verändert oder nicht von diesem Marktplatz ausgestellt. Eine neue liefert GET /api/v1/catalog/acquisitions/{id}.',
};
const mirrorExpired: Phrase<[string]> = {
  en: (at) => `This mirror URL expired at ${at}. Fetch a fresh one with GET /api/v1/catalog/acquisitions/{id}.`,
  de: (at) => `Diese Mirror-URL ist am ${at} abgelaufen. Eine neue liefert GET /api/v1/catalog/acquisitions/{id}.`,
};
const notInAcquisition: Phrase<[string]> = {
  en: (path) => `The item ${path} is not part of the version this mirror serves; its index lists the items.`,
  de: (path) => `Das Element ${path} gehört nicht zu der Version, die dieser Mirror ausliefert; sein Index listet die Elemente.`,
};

function mirrorSignature(key: Buffer, acquisitionId: string, expires: number): string {
  // a domain of its own: a download link's signature never opens a mirror, nor the other way round
  return createHmac('sha256', key).update(['mirror-v1', acquisitionId, String(expires)].join('\n'), 'utf8').digest('base64url');
}

/** The mirror root of `acquisitionId` until `expires` (Unix seconds), with a trailing slash. */
export function acquiredMirrorUrl(key: Buffer, publicUrl: string, acquisitionId: string, expires: number): string {
  const parts = [acquisitionId, String(expires), mirrorSignature(key, acquisitionId, expires)].map(encodeURIComponent).join('/');
  return `${publicUrl.replace(/\/+$/, '')}${ACQUIRED_MIRROR_ROUTE}/${parts}/`;
}

/**
 * The acquisition a mirror root grants, when its signature holds and it has not expired.
 *
 * @throws VmarketError FORBIDDEN for a changed or foreign root, or one past its expiry.
 */
export function verifyMirrorGrant(key: Buffer, fields: { acquisition: string; expires: string; signature: string }, now = Date.now()): string {
  if (!/^\d{1,12}$/.test(fields.expires)) throw new VmarketError('FORBIDDEN', say(mirrorInvalid));
  const expires = Number(fields.expires);
  const expected = Buffer.from(mirrorSignature(key, fields.acquisition, expires));
  const given = Buffer.from(fields.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new VmarketError('FORBIDDEN', say(mirrorInvalid));
  if (expires * 1000 <= now) throw new VmarketError('FORBIDDEN', say(mirrorExpired, new Date(expires * 1000).toISOString()));
  return fields.acquisition;
}

/** The one slot an acquisition's mirror lists: the version acquired, with the acquired plan only. */
export async function acquiredStreamSlot(ctx: AppContext, acquisition: AcquisitionRecord): Promise<StreamSlot> {
  const signed = await downloadablePackage(ctx.db, acquisition);
  const doc = (await acquiredDocument(ctx.db, acquisition))!;
  const arch = (await architectures(ctx.db, [acquisition.operation_id])).get(acquisition.operation_id);
  return {
    publisherId: acquisition.publisher_id,
    offerId: acquisition.offer_id,
    doc: {
      ...doc,
      offer: { ...doc.offer, plans: (doc.offer.plans ?? []).filter((p) => p.id === acquisition.plan_id) },
      packages: { [acquisition.plan_id]: signed },
    },
    ...(arch ? { arch } : {}),
  };
}

/** One file an acquisition's mirror serves: where it is stored and under which name. */
export interface AcquiredItem {
  region: string;
  store: BlobStore;
  sha256: string;
  size: number;
  fileName: string;
}

function regionFiles(image: PackageImage): [string, { format: string; sha256: string; size: number }][] {
  if (image.copies) return Object.entries(image.copies).map(([region, c]) => [region, c]);
  return Object.keys(image.locations).map((region) => [region, { format: image.format ?? 'raw', sha256: image.sha256, size: image.size }]);
}

/**
 * The stored file behind item `path` of the acquisition's mirror: a region serving it, a
 * file-system region first (served here, ranges and all) over an S3 one (a redirect).
 *
 * @throws VmarketError NOT_FOUND when the path names no file of the version acquired.
 */
export async function acquiredItem(ctx: AppContext, acquisition: AcquisitionRecord, path: string): Promise<AcquiredItem> {
  const ref = parseStreamItemPath(path);
  const pkg: PlanPackage = (await downloadablePackage(ctx.db, acquisition)).package;
  const ours = ref && ref.publisherId === acquisition.publisher_id && ref.offerId === acquisition.offer_id && ref.planId === acquisition.plan_id;
  const candidates: AcquiredItem[] = [];
  for (const image of ours ? pkg.images : []) {
    for (const [region, file] of regionFiles(image)) {
      const store = ctx.regions.get(region)?.store;
      if (!store || file.sha256 !== ref!.sha256) continue;
      candidates.push({ region, store, sha256: file.sha256, size: file.size, fileName: downloadFileName(pkg, image, file.format) });
    }
  }
  const chosen = candidates.find((c) => c.store instanceof FsBlobStore) ?? candidates[0];
  if (!chosen) throw new VmarketError('NOT_FOUND', say(notInAcquisition, path));
  return chosen;
}
