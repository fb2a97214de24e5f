/**
 * Signed download links of file-system regions (docs/contracts.md §5 "Downloads"): a URL on the
 * marketplace's own server that carries what it grants (region, object, file name, acquisition)
 * and until when, with an HMAC over exactly those. The HMAC key is derived from the marketplace's
 * secret key (src/security/secret-box.ts), so every process of a scaled-out marketplace signs
 * and checks alike, and no link survives a change of the secret key. Nothing is stored per link.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { VmarketError } from '../errors.ts';
import { type Phrase, say } from '../i18n/localized.ts';
import type { SecretKey } from '../security/secret-box.ts';

/** The route serving signed links (its path parameters are region, sha256, file name). */
export const DOWNLOAD_ROUTE = '/api/v1/downloads';

/** What one link grants. */
export interface DownloadGrant {
  region: string;
  /** The stored object: the SHA-256 of its bytes. */
  sha256: string;
  /** The file name the download is answered with (Content-Disposition). */
  fileName: string;
  acquisitionId: string;
  /** Unix seconds after which the link is refused. */
  expires: number;
}

// what a customer reads when a link is refused (in German too)
const linkInvalid: Phrase = {
  en: () => 'This download link is not valid: it was changed or was not issued by this marketplace. Fetch fresh links with GET /api/v1/catalog/acquisitions/{id}.',
  de: () => 'Dieser Download-Link ist ungültig: Er wurde verändert oder nicht von diesem Marktplatz ausgestellt. Neue Links liefert GET /api/v1/catalog/acquisitions/{id}.',
};
const linkExpired: Phrase<[string]> = {
  en: (at) => `This download link expired at ${at}. Fetch fresh links with GET /api/v1/catalog/acquisitions/{id} (or run vmarket pull again).`,
  de: (at) => `Dieser Download-Link ist am ${at} abgelaufen. Neue Links liefert GET /api/v1/catalog/acquisitions/{id} (oder erneut vmarket pull).`,
};

/** The HMAC key of download links: derived from the secret key for this one use. */
export function downloadLinkKey(secret: SecretKey): Buffer {
  return createHmac('sha256', secret.bytes).update('vmarket download links v1').digest();
}

/** The signed fields, one per line: a field cannot spill into the next. */
function signature(key: Buffer, grant: DownloadGrant): string {
  const text = ['v1', grant.region, grant.sha256, grant.fileName, grant.acquisitionId, String(grant.expires)].join('\n');
  return createHmac('sha256', key).update(text, 'utf8').digest('base64url');
}

/** The absolute URL of `grant` under `publicUrl`. */
export function signedDownloadUrl(key: Buffer, publicUrl: string, grant: DownloadGrant): string {
  const path = [grant.region, grant.sha256, grant.fileName].map(encodeURIComponent).join('/');
  const query = new URLSearchParams({ acquisition: grant.acquisitionId, expires: String(grant.expires), signature: signature(key, grant) });
  return `${publicUrl.replace(/\/+$/, '')}${DOWNLOAD_ROUTE}/${path}?${query}`;
}

/**
 * The grant a request carries, when its signature holds and it has not expired.
 *
 * @throws VmarketError FORBIDDEN for a changed or foreign link (any field or the signature), or
 *   one past its expiry: one sentence each, neither says which field was wrong.
 */
export function verifyDownloadGrant(
  key: Buffer,
  fields: { region: string; sha256: string; fileName: string; acquisition?: string; expires?: string; signature?: string },
  now = Date.now(),
): DownloadGrant {
  const expires = Number(fields.expires);
  if (!fields.acquisition || !fields.signature || !/^\d{1,12}$/.test(fields.expires ?? '')) throw new VmarketError('FORBIDDEN', say(linkInvalid));
  const grant: DownloadGrant = { region: fields.region, sha256: fields.sha256, fileName: fields.fileName, acquisitionId: fields.acquisition, expires };
  const expected = Buffer.from(signature(key, grant));
  const given = Buffer.from(fields.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new VmarketError('FORBIDDEN', say(linkInvalid));
  if (expires * 1000 <= now) throw new VmarketError('FORBIDDEN', say(linkExpired, new Date(expires * 1000).toISOString()));
  return grant;
}

/** `url` with a download link's signature left out: what the request log may keep (a link is a credential until it expires). */
export function redactedUrl(url: string): string {
  // an acquisition's mirror root carries its signature as the third segment (acquired-mirror.ts)
  return url.replace(/([?&]signature=)[^&]*/gi, '$1[redacted]').replace(/(\/streams\/acquired\/[^/?]+\/[^/?]+\/)[^/?]+/g, '$1[redacted]');
}
