/**
 * Replication of one content-addressed object into many regions (deploy, test drive): all
 * regions in parallel, each with its own bandwidth limit, progress and retries. A region that
 * already holds the object is not copied again; every copy is verified by the store that
 * receives it (see fs-store.ts and s3-store.ts); an abort removes partial copies and rejects
 * with CANCELED, keeping completed copies (remove those with `removeObject` if you must).
 */
import { toVmarketError } from '../errors.ts';
import type { VmarketError } from '../errors.ts';
import { canceledError, isAbortError, throwIfAborted } from '../util/abort.ts';
import { backoffDelay, sleep } from '../util/timing.ts';
import { assertSha256 } from './hash.ts';
import type { BlobStore, CopyResult, PutOptions, TransferProgress } from './types.ts';

export type ReplicationStatus = 'pending' | 'copying' | 'verifying' | 'retrying' | 'done' | 'skipped' | 'failed' | 'canceled';

export interface ReplicationProgress {
  bytesDone: number;
  bytesTotal: number;
  status: ReplicationStatus;
  /** 1-based try number (0 while pending). */
  attempt: number;
  /** Why a try failed (`retrying`, `failed`). */
  message?: string;
}

export interface ReplicationTarget {
  region: string;
  store: BlobStore;
  /** Bandwidth limit for the copy into this region; 0 or undefined = unlimited. */
  bytesPerSecond?: number;
}

export interface ReplicateOptions {
  /** The store holding the object, or a local file with its bytes. */
  source: BlobStore | string;
  sha256: string;
  size: number;
  targets: ReplicationTarget[];
  /**
   * Per-region progress, a few times a second per region plus every status change. It must
   * not throw (what it throws is ignored, so a failing progress write never fails a copy).
   */
  onProgress?: (region: string, progress: ReplicationProgress) => void;
  /** Aborts every region: partial copies are removed, the promise rejects with CANCELED. */
  signal?: AbortSignal;
  /** Further tries after a failed one, per region. Default 5. */
  retries?: number;
  /**
   * Delay before retry n (1-based): a function of n, or the first delay in ms, doubled per
   * retry up to 30 s, with jitter (each delay is between half and all of that). Default 500.
   */
  backoffMs?: number | ((retry: number) => number);
}

export interface RegionResult {
  region: string;
  /** Bytes written into the region (0 when skipped or failed). */
  bytesCopied: number;
  /** The region already held the object. */
  skipped: boolean;
  /** Tries made (1 when the first one succeeded or found the object present). */
  attempts: number;
  /** How the bytes moved (see CopyResult.via). */
  via?: CopyResult['via'];
  /** Set when the region failed after all its tries. */
  error?: VmarketError;
}

/** Codes that no retry can fix. */
const PERMANENT: ReadonlySet<string> = new Set(['CANCELED', 'BAD_REQUEST', 'NOT_FOUND', 'FILE_UNREADABLE', 'PATH_NOT_ALLOWED', 'CONFIG_INVALID']);

/**
 * Copies the object `sha256` of `size` bytes into every target region in parallel.
 * Resolves with one result per target (in target order) once every region is done or has
 * failed; a failed region does not stop the others. Rejects only with CANCELED (after every
 * region has removed its partial copy) or BAD_REQUEST for a malformed `sha256`.
 */
export async function replicate(options: ReplicateOptions): Promise<RegionResult[]> {
  assertSha256(options.sha256);
  throwIfAborted(options.signal, 'Replication');
  for (const target of options.targets) report(options, target.region, { bytesDone: 0, bytesTotal: options.size, status: 'pending', attempt: 0 });
  const settled = await Promise.allSettled(options.targets.map((target) => replicateToRegion(options, target)));
  if (options.signal?.aborted || settled.some((s) => s.status === 'rejected' && isAbortError(s.reason))) {
    throw canceledError('Replication');
  }
  return settled.map((s, index) =>
    s.status === 'fulfilled'
      ? s.value
      : { region: options.targets[index].region, bytesCopied: 0, skipped: false, attempts: 1, error: toVmarketError(s.reason, 'STORAGE_FAILED') },
  );
}

async function replicateToRegion(options: ReplicateOptions, target: ReplicationTarget): Promise<RegionResult> {
  const { sha256, size, signal } = options;
  const region = target.region;
  const retries = options.retries ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      throwIfAborted(signal, 'Replication');
      if (await target.store.has(sha256, size)) {
        report(options, region, { bytesDone: size, bytesTotal: size, status: 'skipped', attempt });
        return { region, bytesCopied: 0, skipped: true, attempts: attempt };
      }
      report(options, region, { bytesDone: 0, bytesTotal: size, status: 'copying', attempt });
      const putOptions: PutOptions = {
        signal,
        bytesPerSecond: target.bytesPerSecond,
        onProgress: (progress: TransferProgress) =>
          report(options, region, {
            bytesDone: progress.bytesDone,
            bytesTotal: progress.bytesTotal,
            status: progress.phase === 'verifying' ? 'verifying' : 'copying',
            attempt,
          }),
      };
      const result =
        typeof options.source === 'string'
          ? await target.store.putFile(options.source, sha256, putOptions)
          : await target.store.copyFrom(options.source, sha256, putOptions);
      const skipped = result.bytesCopied === 0;
      report(options, region, { bytesDone: size, bytesTotal: size, status: skipped ? 'skipped' : 'done', attempt });
      return { region, bytesCopied: result.bytesCopied, skipped, attempts: attempt, ...(result.via ? { via: result.via } : {}) };
    } catch (thrown) {
      if (signal?.aborted || isAbortError(thrown)) {
        report(options, region, { bytesDone: 0, bytesTotal: size, status: 'canceled', attempt });
        throw canceledError('Replication');
      }
      const error = toVmarketError(thrown, 'STORAGE_FAILED');
      if (PERMANENT.has(error.code) || attempt > retries) {
        report(options, region, { bytesDone: 0, bytesTotal: size, status: 'failed', attempt, message: error.message });
        return { region, bytesCopied: 0, skipped: false, attempts: attempt, error };
      }
      report(options, region, { bytesDone: 0, bytesTotal: size, status: 'retrying', attempt, message: error.message });
      const delay = typeof options.backoffMs === 'function' ? options.backoffMs(attempt) : backoffDelay(attempt, options.backoffMs ?? 500);
      try {
        await sleep(delay, signal);
      } catch {
        report(options, region, { bytesDone: 0, bytesTotal: size, status: 'canceled', attempt });
        throw canceledError('Replication');
      }
    }
  }
}

function report(options: ReplicateOptions, region: string, progress: ReplicationProgress): void {
  try {
    options.onProgress?.(region, progress);
  } catch {
    // Documented: a throwing progress callback must not fail the copy.
  }
}

export interface RemovalResult {
  region: string;
  /** The region held the object and no longer does. */
  removed: boolean;
  error?: VmarketError;
}

/**
 * Deletes the object from every target region in parallel (cleanup after a canceled
 * publication, when the caller decides completed copies must go). Never rejects: a region
 * that could not be cleaned reports its error.
 */
export async function removeObject(targets: Pick<ReplicationTarget, 'region' | 'store'>[], sha256: string): Promise<RemovalResult[]> {
  assertSha256(sha256);
  return Promise.all(
    targets.map(async ({ region, store }): Promise<RemovalResult> => {
      try {
        const present = (await store.size(sha256)) !== null;
        if (present) await store.delete(sha256);
        return { region, removed: present };
      } catch (error) {
        return { region, removed: false, error: toVmarketError(error, 'STORAGE_FAILED') };
      }
    }),
  );
}
