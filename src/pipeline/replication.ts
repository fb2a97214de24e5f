/**
 * Copies into regions for the test-drive, provision and deploy steps through the storage layer's
 * `replicate` (all regions in parallel, each with its bandwidth limit, retries with back-off,
 * verification of every copy, abort removing partial copies). Content addressed: a region that
 * already holds the object is skipped. Each region's result becomes a step message, and a region
 * done is reported at once so the caller can checkpoint it before the others finish.
 */
import type { AppContext } from '../app/context.ts';
import { VmarketError } from '../errors.ts';
import type { Locale } from '../i18n/locale.ts';
import { type Phrase, say } from '../i18n/localized.ts';
import { replicate, type ReplicationTarget } from '../storage/replicate.ts';
import type { BlobStore } from '../storage/types.ts';
import { withSourceName } from './image-files.ts';
import type { StepContext } from './steps/context.ts';

/** "1.5 GiB", "12 MiB", "0 B" (German "1,5 GiB"). */
export function formatBytes(n: number, locale: Locale = 'en'): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const number = `${unit === 0 ? value : value.toFixed(value >= 10 ? 0 : 1)}`;
  return `${locale === 'de' ? number.replace('.', ',') : number} ${units[unit]}`;
}

const regionNotConfigured: Phrase<[string]> = {
  en: (name) => `The region ${name} is not configured on this server.`,
  de: (name) => `Die Region ${name} ist auf diesem Server nicht eingerichtet.`,
};
const alreadyHeld: Phrase<[string, string]> = {
  en: (region, short) => `${region}: already holds ${short}, nothing copied.`,
  de: (region, short) => `${region}: enthält ${short} bereits, nichts kopiert.`,
};
const copiedVerified: Phrase<[string, number, string, string | undefined]> = {
  en: (region, bytes, short, via) => `${region}: copied ${formatBytes(bytes)} (sha256 ${short}${via ? `, ${via}` : ''}), verified.`,
  de: (region, bytes, short, via) => `${region}: ${formatBytes(bytes, 'de')} kopiert (sha256 ${short}${via ? `, ${via}` : ''}), geprüft.`,
};
const copyRetrying: Phrase<[string, number, string | undefined]> = {
  en: (region, attempt, why) => `${region}: copy attempt ${attempt} failed (${why ?? 'unknown error'}); retrying.`,
  de: (region, attempt, why) => `${region}: Kopierversuch ${attempt} fehlgeschlagen (${why ?? 'unbekannter Fehler'}); neuer Versuch folgt.`,
};
const copyFailed: Phrase<[string[]]> = {
  en: (failed) => `Copying to ${failed.length} region(s) failed: ${failed.join('; ')}`,
  de: (failed) => `Das Kopieren in ${failed.length} ${failed.length === 1 ? 'Region' : 'Regionen'} ist fehlgeschlagen: ${failed.join('; ')}`,
};

export function regionTarget(ctx: AppContext, name: string): ReplicationTarget {
  const region = ctx.regions.get(name);
  if (!region) throw new VmarketError('CONFIG_INVALID', say(regionNotConfigured, name));
  return { region: name, store: region.store, bytesPerSecond: region.config.bandwidthBytesPerSecond ?? 0 };
}

export function regionStore(ctx: AppContext, name: string): BlobStore {
  return regionTarget(ctx, name).store;
}

export interface ReplicateToRegionsOptions {
  /** The primary store (default) or a local file holding the bytes. */
  source?: BlobStore | string;
  /** What messages call a local `source` (a staged file's path is the server's; publishers read them). */
  sourceName?: string;
  /** Bytes done so far per region, for progress. */
  onBytes?: (region: string, bytesDone: number) => void;
  /** Called once per region as soon as it holds the object (copied or already present). */
  onRegionDone?: (region: string, bytesCopied: number) => void;
}

/**
 * Makes every region in `regions` hold `sha256`. Returns the bytes copied per region. Throws
 * CANCELED on abort and STORAGE_FAILED (naming each failed region) after the retries ran out.
 */
export async function replicateToRegions(
  s: StepContext,
  sha256: string,
  size: number,
  regions: string[],
  options: ReplicateToRegionsOptions = {},
): Promise<Map<string, number>> {
  const copied = new Map<string, number>();
  if (regions.length === 0) return copied;
  const lastRetryMessage = new Map<string, number>();
  const finished = new Set<string>();
  const writes: Promise<void>[] = [];
  const short = `${sha256.slice(0, 12)}…`;
  const local = typeof options.source === 'string' ? options.source : undefined;
  const named = (text: string | undefined) => (text !== undefined && local && options.sourceName ? withSourceName(text, [[local, options.sourceName]]) : text);
  // Told the moment a region holds the object, not after the slowest region: the caller
  // checkpoints it, and the message is the record of what was copied where.
  const regionDone = (region: string, bytesCopied: number, via?: string) => {
    if (finished.has(region)) return;
    finished.add(region);
    copied.set(region, bytesCopied);
    options.onBytes?.(region, size);
    options.onRegionDone?.(region, bytesCopied);
    writes.push(
      s
        .message(
          'information',
          bytesCopied === 0 ? say(alreadyHeld, region, short) : say(copiedVerified, region, bytesCopied, short, via),
        )
        .catch(() => {}),
    );
  };
  const results = await replicate({
    source: options.source ?? s.ctx.primary,
    sha256,
    size,
    targets: regions.map((r) => regionTarget(s.ctx, r)),
    signal: s.signal,
    onProgress: (region, p) => {
      if (p.status === 'copying' || p.status === 'verifying') options.onBytes?.(region, p.status === 'verifying' ? size : p.bytesDone);
      else if (p.status === 'done') regionDone(region, size);
      else if (p.status === 'skipped') regionDone(region, 0);
      else if (p.status === 'retrying' && lastRetryMessage.get(region) !== p.attempt) {
        lastRetryMessage.set(region, p.attempt);
        writes.push(s.message('warning', say(copyRetrying, region, p.attempt, named(p.message))).catch(() => {}));
      }
    },
  });
  const failed: string[] = [];
  for (const r of results) {
    if (r.error) failed.push(`${r.region}: ${named(r.error.message)}`);
    else regionDone(r.region, r.bytesCopied, r.via);
    if (!r.error) copied.set(r.region, r.bytesCopied);
  }
  await Promise.all(writes);
  if (failed.length > 0) {
    throw new VmarketError('STORAGE_FAILED', say(copyFailed, failed));
  }
  return copied;
}
