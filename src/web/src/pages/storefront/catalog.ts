/**
 * What the storefront pages share: the preview subscription (kept for the tab, sent as
 * `X-Subscription-Id` so the catalogue adds the previews of that subscription's audience), the
 * catalogue paths, and the checks on values publishers or customers typed.
 */
import { session } from '../../session.ts';

// the same form the API's z.guid() accepts, so the field refuses exactly what the server would
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isGuid(value: string): boolean {
  return GUID.test(value.trim());
}

/** The headers of a catalogue request: the preview subscription when one is set. */
export function catalogHeaders(subscription: string | null = session.previewSubscription()): Record<string, string> {
  return subscription ? { 'x-subscription-id': subscription } : {};
}

/** `/catalog/offers/{publisher}.{offer}` with the key escaped. */
export function catalogOfferPath(key: string): string {
  return `/catalog/offers/${encodeURIComponent(key)}`;
}

/** The storefront address of an offer. */
export function offerPagePath(key: string): string {
  return `/offers/${encodeURIComponent(key)}`;
}

/**
 * Publisher-supplied links are only followed when they are web addresses: a `javascript:` or
 * `data:` URL in a support or privacy link would otherwise run in the customer's page.
 */
export function webUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}
