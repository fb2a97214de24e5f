/**
 * The operator's image URL prefixes (`imports.allowedUrlPrefixes`), compared as parsed URLs,
 * never as raw strings: a raw `startsWith` lets `https://a.example/img/%2e%2e/x` walk out of the
 * prefix and lets a prefix without a trailing slash (`https://a.example`) match
 * `https://a.example.evil.com`. A URL is under a prefix when its origin (scheme, host, port) is
 * the prefix's and its WHATWG-normalised path lies under the prefix's path on a segment boundary.
 */

/**
 * Percent-encoded dot, slash or backslash (also double-encoded, `%252e`): a server may decode them
 * into a path step the check never saw.
 */
const ENCODED_PATH_TRICK = /%(25)*(2e|2f|5c)/i;

/**
 * Parses one configured prefix; answers why it is unusable as a string, or the parsed URL.
 * A prefix is an https URL without credentials, query or fragment, and without encoded dots or
 * slashes in its path.
 */
export function parseUrlPrefix(text: string): URL | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${JSON.stringify(text)} is not a URL`;
  }
  if (url.protocol !== 'https:') return `${JSON.stringify(text)} must be an https URL`;
  if (url.username || url.password) return `${JSON.stringify(text)} must not carry credentials`;
  if (url.search || url.hash || text.includes('?') || text.includes('#')) return `${JSON.stringify(text)} must not have a query or fragment`;
  if (ENCODED_PATH_TRICK.test(url.pathname)) return `${JSON.stringify(text)} must not contain %2e, %2f or %5c`;
  return url;
}

/** True when `url`'s path carries an encoded dot, slash or backslash (refused for prefixed URLs). */
export function hasEncodedPathTrick(url: URL): boolean {
  return ENCODED_PATH_TRICK.test(url.pathname);
}

/**
 * True when `url` (already WHATWG-parsed, so `..` and `%2e%2e` segments are resolved) is under
 * `prefix`: same origin, and its path equals the prefix path or continues it after a `/`.
 */
export function isUnderPrefix(url: URL, prefix: URL): boolean {
  if (url.origin !== prefix.origin || url.protocol !== prefix.protocol) return false;
  if (hasEncodedPathTrick(url)) return false;
  const base = prefix.pathname;
  if (url.pathname === base) return true;
  return url.pathname.startsWith(base.endsWith('/') ? base : `${base}/`);
}

/** True when `url` is under one of `prefixes` (configured strings; an unparsable one allows nothing). */
export function isUnderAnyPrefix(url: URL, prefixes: readonly string[]): boolean {
  return prefixes.some((text) => {
    const prefix = parseUrlPrefix(text);
    return typeof prefix !== 'string' && isUnderPrefix(url, prefix);
  });
}
