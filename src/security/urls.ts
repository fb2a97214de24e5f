/**
 * Outbound HTTP(S) that user input can aim (image URLs, lead destinations, webhooks): the URL must
 * be https (unless a caller says otherwise), may have to lie under an operator prefix, and every
 * address its host resolves to must be public unless the operator allows private networks. The
 * request then connects to exactly the address that was checked (a custom `lookup`), so a DNS
 * answer that changes between check and connect (DNS rebinding) cannot reach an internal host.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { createWriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tls from 'node:tls';
import { VmarketError } from '../errors.ts';
import { type Phrase, say } from '../i18n/localized.ts';
import { isUnderAnyPrefix } from './url-prefix.ts';

// what a publisher reads at a URL field (lead endpoint, image source), in German too
const notAUrl: Phrase<[string]> = { en: (u) => `${u} is not a valid URL.`, de: (u) => `${u} ist keine gültige URL.` };
const wrongScheme: Phrase<[string, boolean]> = {
  en: (u, https) => `The URL ${u} must use ${https ? 'https' : 'http or https'}.`,
  de: (u, https) => `Die URL ${u} muss ${https ? 'https' : 'http oder https'} verwenden.`,
};
const carriesCredentials: Phrase<[string]> = {
  en: (u) => `The URL ${u} must not carry credentials.`,
  de: (u) => `Die URL ${u} darf keine Zugangsdaten enthalten.`,
};
const notUnderPrefix: Phrase<[string]> = {
  en: (u) => `The URL ${u} is not under an allowed URL prefix.`,
  de: (u) => `Die URL ${u} liegt unter keinem erlaubten URL-Präfix.`,
};
const doesNotResolve: Phrase<[string, string]> = {
  en: (host, u) => `The host ${host} of ${u} does not resolve.`,
  de: (host, u) => `Der Host ${host} von ${u} lässt sich nicht auflösen.`,
};
// The resolved address is not named, and without private networks a host that does not resolve
// reads the same as one that resolves to a private address: otherwise a publisher could map
// internal host names to internal addresses, or learn which internal names exist, through lead
// URLs (the detail stays on the error's cause for the log).
const nonPublicAddress: Phrase<[string]> = {
  en: (u) => `The URL ${u} does not resolve to a public address; this marketplace does not reach non-public addresses.`,
  de: (u) => `Die URL ${u} verweist auf keine öffentliche Adresse; dieser Marktplatz spricht keine nicht öffentlichen Adressen an.`,
};
const tooLarge: Phrase<[string, number]> = {
  en: (u, max) => `The download of ${u} is larger than the marketplace's limit of ${max} bytes (imports.maxDownloadBytes).`,
  de: (u, max) => `Der Download von ${u} ist größer als die Grenze des Marktplatzes von ${max} Bytes (imports.maxDownloadBytes).`,
};
const tooSlow: Phrase<[string, number]> = {
  en: (u, seconds) => `The download of ${u} did not finish within ${seconds} seconds (imports.downloadTimeoutSeconds).`,
  de: (u, seconds) => `Der Download von ${u} wurde nicht innerhalb von ${seconds} Sekunden fertig (imports.downloadTimeoutSeconds).`,
};

export interface OutboundUrlOptions {
  /**
   * When given, the URL must lie under one of these prefixes (same origin, path under the prefix
   * path on a segment boundary, src/security/url-prefix.ts). Default: any URL.
   */
  allowedPrefixes?: readonly string[];
  /** Allow loopback, private, link-local and other non-public addresses. */
  allowPrivateNetworks: boolean;
  /** Refuse anything but https. Default true. */
  requireHttps?: boolean;
}

/** A URL that passed `checkOutboundUrl`, with the addresses its host resolved to then. */
export interface CheckedUrl {
  url: URL;
  addresses: { address: string; family: 4 | 6 }[];
}

/** IPv4 ranges that are not the public internet (RFC 6890 special-purpose and friends). */
const IPV4_BLOCKED: [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata lives here)
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

/** IPv6 ranges that are not the public internet (embedded IPv4 forms are checked separately). */
const IPV6_BLOCKED: [string, number][] = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['2001::', 23], // IETF protocol assignments (Teredo, ORCHID...)
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

const blocked = new net.BlockList();
for (const [prefix, bits] of IPV4_BLOCKED) blocked.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of IPV6_BLOCKED) blocked.addSubnet(prefix, bits, 'ipv6');

/** The 16 bytes of an IPv6 address (accepts `::`, and a dotted IPv4 tail). */
function ipv6Bytes(address: string): number[] {
  let text = address.toLowerCase().split('%')[0];
  const tail: number[] = [];
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    tail.push(...dotted[1].split('.').map(Number));
    text = text.slice(0, -dotted[1].length).replace(/:$/, ':0:0');
    tail.length = 4;
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = rest === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const bytes = groups.slice(0, 8).flatMap((g) => {
    const n = parseInt(g || '0', 16);
    return [n >> 8, n & 0xff];
  });
  if (dotted) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any. */
function embeddedIpv4(address: string): string | undefined {
  const b = ipv6Bytes(address);
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const v4 = (at: number) => b.slice(at, at + 4).join('.');
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return v4(12); // ::ffff:a.b.c.d
  if (zeros(0, 12) && !zeros(12, 16)) return v4(12); // ::a.b.c.d (deprecated compatible)
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return v4(12); // 64:ff9b::/96 NAT64
  if (b[0] === 0x20 && b[1] === 0x02) return v4(2); // 2002::/16 6to4
  return undefined;
}

/** True when `address` (an IP literal) is loopback, private, link-local, multicast or reserved. */
export function isNonPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const inner = embeddedIpv4(address);
    if (inner !== undefined && blocked.check(inner, 'ipv4')) return true;
    return blocked.check(address.split('%')[0], 'ipv6');
  }
  return true; // not an IP address at all: never trust it
}

/**
 * Checks a URL before any request is made to it, resolving its host.
 *
 * @throws VmarketError URL_NOT_ALLOWED when the URL is malformed, not https (with
 *   `requireHttps`, default true), outside `allowedPrefixes`, or resolves to a non-public
 *   address without `allowPrivateNetworks`; UNREACHABLE when the host does not resolve.
 */
export async function checkOutboundUrl(url: string, options: OutboundUrlOptions): Promise<CheckedUrl> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new VmarketError('URL_NOT_ALLOWED', say(notAUrl, url));
  }
  const requireHttps = options.requireHttps ?? true;
  const schemes = requireHttps ? ['https:'] : ['https:', 'http:'];
  if (!schemes.includes(parsed.protocol)) {
    throw new VmarketError('URL_NOT_ALLOWED', say(wrongScheme, redact(parsed), requireHttps));
  }
  if (parsed.username || parsed.password) {
    throw new VmarketError('URL_NOT_ALLOWED', say(carriesCredentials, redact(parsed)));
  }
  if (options.allowedPrefixes && !isUnderAnyPrefix(parsed, options.allowedPrefixes)) {
    throw new VmarketError('URL_NOT_ALLOWED', say(notUnderPrefix, redact(parsed)));
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: { address: string; family: 4 | 6 }[];
  try {
    const found = await dnsLookup(host, { all: true, verbatim: true });
    addresses = found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
  } catch (error) {
    throw new VmarketError('UNREACHABLE', unresolved(host, parsed, options), { cause: error });
  }
  if (addresses.length === 0) throw new VmarketError('UNREACHABLE', unresolved(host, parsed, options), { cause: new Error(`${host} has no addresses`) });
  if (!options.allowPrivateNetworks) {
    const bad = addresses.find((a) => isNonPublicAddress(a.address));
    if (bad) {
      throw new VmarketError('URL_NOT_ALLOWED', say(nonPublicAddress, redact(parsed)), { cause: new Error(`${host} resolves to ${bad.address}`) });
    }
  }
  return { url: parsed, addresses };
}

/** The refusal of a host that does not resolve: named only where private networks are allowed anyway. */
function unresolved(host: string, url: URL, options: OutboundUrlOptions) {
  return options.allowPrivateNetworks ? say(doesNotResolve, host, redact(url)) : say(nonPublicAddress, redact(url));
}

/** The URL without query and credentials, safe to show in messages and logs. */
export function redact(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Reads the operator's extra CA certificates (PEM files, `config.trustedCaFiles`). */
export async function loadTrustedCas(files: readonly string[]): Promise<string[]> {
  return Promise.all(
    files.map((file) =>
      readFile(file, 'utf8').catch((error: unknown) => {
        throw new VmarketError('CONFIG_INVALID', `The trusted CA file ${file} cannot be read.`, { cause: error });
      }),
    ),
  );
}

/** A lookup that answers every name with the addresses checked before (no second DNS query). */
function pinnedLookup(addresses: CheckedUrl['addresses']): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, addresses.map((a) => ({ address: a.address, family: a.family })));
    else callback(null, addresses[0].address, addresses[0].family);
  }) as LookupFunction;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Extra trusted CA certificates (PEM), added to Node's default roots. Default none. */
  ca?: readonly string[];
  /** Idle socket timeout in milliseconds. Default 30000. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Opens a request to a checked URL, connecting to the checked addresses only. Resolves with the
 * response (not yet read); does not follow redirects.
 */
export function requestChecked(checked: CheckedUrl, options: RequestOptions = {}): Promise<http.IncomingMessage> {
  const { url } = checked;
  const isHttps = url.protocol === 'https:';
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const requestOptions: https.RequestOptions = {
      method: options.method ?? 'GET',
      headers: { ...(options.headers ?? {}) },
      lookup: pinnedLookup(checked.addresses),
      signal: options.signal,
      agent: false,
    };
    if (isHttps && options.ca && options.ca.length > 0) requestOptions.ca = [...tls.rootCertificates, ...options.ca];
    if (options.body !== undefined) {
      (requestOptions.headers as Record<string, string | number>)['content-length'] = Buffer.byteLength(options.body);
    }
    const req = (isHttps ? https : http).request(url, requestOptions, resolve);
    req.setTimeout(timeoutMs, () => {
      req.destroy(new VmarketError('UNREACHABLE', `${redact(url)} did not answer within ${timeoutMs} ms.`));
    });
    req.on('error', (error) => {
      if (error instanceof VmarketError) reject(error);
      else if (error.name === 'AbortError') reject(new VmarketError('CANCELED', `The request to ${redact(url)} was canceled.`, { cause: error }));
      else reject(new VmarketError('UNREACHABLE', `${redact(url)} could not be reached: ${error.message}`, { cause: error }));
    });
    req.end(options.body);
  });
}

/** A fully read response. */
export interface FetchedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface SafeFetchOptions extends OutboundUrlOptions {
  /** Largest response body kept, in bytes; the rest is discarded. Default 1 MiB. */
  maxBodyBytes?: number;
}

/**
 * Checks `url` with `checkOutboundUrl` and makes one request to the checked address, reading
 * at most `maxBodyBytes` of the answer. Any status is returned; callers decide what succeeds.
 */
export async function safeFetch(url: string, init: RequestOptions = {}, options: SafeFetchOptions): Promise<FetchedResponse> {
  const checked = await checkOutboundUrl(url, options);
  const res = await requestChecked(checked, init);
  const max = options.maxBodyBytes ?? 1024 * 1024;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      if (size < max) chunks.push(chunk.subarray(0, max - size));
      size += chunk.length;
    }
  } catch (error) {
    throw new VmarketError('UNREACHABLE', `The answer of ${redact(checked.url)} broke off.`, { cause: error });
  }
  return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
}

/** What `downloadToFile` needs of the server configuration. */
export interface DownloadConfig {
  trustedCaFiles: readonly string[];
  imports: {
    allowedUrlPrefixes: readonly string[];
    allowPrivateNetworks: boolean;
    maxDownloadBytes: number;
    downloadTimeoutSeconds: number;
    downloadStallSeconds: number;
  };
}

/**
 * Downloads an image source URL into `file` (streamed, created or truncated). Every hop — the
 * publisher's URL and each of up to 5 redirects — must be https, under
 * `config.imports.allowedUrlPrefixes` and on a public address (unless
 * `imports.allowPrivateNetworks`), so a redirect cannot leave the operator's mirror. The download
 * is capped at `imports.maxDownloadBytes` (a larger Content-Length is refused before reading),
 * `imports.downloadTimeoutSeconds` in total and `imports.downloadStallSeconds` without data.
 * On any failure `file` is removed. Extra CAs come from `config.trustedCaFiles`.
 *
 * @throws VmarketError URL_NOT_ALLOWED, DOWNLOAD_TOO_LARGE, UNREACHABLE (network errors, non-2xx
 *   status, time limits), CANCELED.
 */
export async function downloadToFile(url: string, file: string, options: { config: DownloadConfig; signal?: AbortSignal }): Promise<{ bytes: number }> {
  const { imports } = options.config;
  const deadline = AbortSignal.timeout(imports.downloadTimeoutSeconds * 1000);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  try {
    return await downloadHops(url, file, options.config, signal);
  } catch (error) {
    await rm(file, { force: true });
    if (deadline.aborted && !options.signal?.aborted) {
      throw new VmarketError('UNREACHABLE', say(tooSlow, redactText(url), imports.downloadTimeoutSeconds), { cause: error });
    }
    throw error;
  }
}

async function downloadHops(url: string, file: string, config: DownloadConfig, signal: AbortSignal): Promise<{ bytes: number }> {
  const { imports } = config;
  const ca = await loadTrustedCas(config.trustedCaFiles);
  let current = url;
  for (let hop = 0; hop <= 5; hop++) {
    const checked = await checkOutboundUrl(current, { allowPrivateNetworks: imports.allowPrivateNetworks, allowedPrefixes: imports.allowedUrlPrefixes });
    const res = await requestChecked(checked, { ca, signal, timeoutMs: imports.downloadStallSeconds * 1000 });
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.destroy(); // the body of a redirect or an error is not read (it could be endless)
      current = new URL(res.headers.location, checked.url).toString();
      continue;
    }
    if (status < 200 || status >= 300) {
      res.destroy(); // the body of a redirect or an error is not read (it could be endless)
      throw new VmarketError('UNREACHABLE', `Downloading ${redact(checked.url)} failed with HTTP status ${status}.`);
    }
    const announced = Number(res.headers['content-length']);
    if (Number.isFinite(announced) && announced > imports.maxDownloadBytes) {
      res.destroy();
      throw new VmarketError('DOWNLOAD_TOO_LARGE', say(tooLarge, redact(checked.url), imports.maxDownloadBytes));
    }
    let bytes = 0;
    const counted = Readable.from(
      (async function* () {
        for await (const chunk of res as AsyncIterable<Buffer>) {
          bytes += chunk.length;
          if (bytes > imports.maxDownloadBytes) throw new VmarketError('DOWNLOAD_TOO_LARGE', say(tooLarge, redact(checked.url), imports.maxDownloadBytes));
          yield chunk;
        }
      })(),
    );
    try {
      await pipeline(counted, createWriteStream(file), { signal });
    } catch (error) {
      res.destroy();
      if (error instanceof VmarketError) throw error;
      if (signal.aborted) throw new VmarketError('CANCELED', `The download of ${redact(checked.url)} was canceled.`, { cause: error });
      throw new VmarketError('UNREACHABLE', `The download of ${redact(checked.url)} broke off.`, { cause: error });
    }
    return { bytes };
  }
  throw new VmarketError('UNREACHABLE', `Downloading ${redactText(url)} was redirected more than 5 times.`);
}

/** `redact` for a URL given as text (what the publisher wrote), without query and credentials. */
function redactText(url: string): string {
  try {
    return redact(new URL(url));
  } catch {
    return url;
  }
}
