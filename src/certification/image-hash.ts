/**
 * SHA-256 of each image file and of its virtual disk, computed in a worker thread
 * (image-hash-worker.ts) so it runs on the second core while the main thread walks and scans the
 * file systems (the reads share the page cache).
 */
import { Worker } from 'node:worker_threads';
import { VmarketError } from '../errors.ts';
import type { DeclaredImage } from './disk/types.ts';

/**
 * One image's hashing: `file` whether the file's own hash is wanted (the pipeline already knows
 * it for staged copies); `virtual` how its virtual disk is hashed: `same` (raw: the file is the
 * disk), `prefix` (a fixed VHD: the file's first `prefixBytes`), `decode` (sparse formats:
 * through the format layer), `none` (a refused or unreadable image has no virtual disk).
 */
export interface HashJob {
  path: string;
  file: boolean;
  virtual: 'same' | 'prefix' | 'decode' | 'none';
  prefixBytes?: number;
  declared?: DeclaredImage;
  /** Bytes this job reads, for progress. */
  bytes: number;
}

export type HashMessage =
  | { type: 'progress'; bytes: number }
  | { type: 'hash'; path: string; sha256?: string; virtualSha256?: string }
  | { type: 'error'; path: string; message: string };

export interface ImageHashes {
  sha256?: string;
  virtualSha256?: string;
}

export interface ImageHashing {
  /** Resolves to path → hashes. */
  result: Promise<Map<string, ImageHashes>>;
  /** Fraction of the reading done, 0..1. */
  readonly fraction: number;
  stop(): Promise<void>;
}

const WORKER = new URL('./image-hash-worker.ts', import.meta.url);

export function hashImages(jobs: HashJob[]): ImageHashing {
  // workers inherit the parent's flags; `--input-type=module` (from `node -e`) is refused for a file entry point
  const inputType = process.execArgv.some((flag) => flag.startsWith('--input-type'));
  const execArgv = inputType ? process.execArgv.filter((flag) => !flag.startsWith('--input-type')) : undefined;
  const worker = new Worker(WORKER, { workerData: { jobs }, ...(execArgv ? { execArgv } : {}) });
  const total = Math.max(1, jobs.reduce((sum, job) => sum + job.bytes, 0));
  const hashes = new Map<string, ImageHashes>();
  const state = { bytes: 0 };
  const wanted = new Set(jobs.map((job) => job.path)).size;
  const result = new Promise<Map<string, ImageHashes>>((resolve, reject) => {
    worker.on('message', (message: HashMessage) => {
      if (message.type === 'progress') state.bytes += message.bytes;
      else if (message.type === 'hash') {
        hashes.set(message.path, { sha256: message.sha256, virtualSha256: message.virtualSha256 });
        if (hashes.size === wanted) resolve(hashes);
      } else reject(new VmarketError('FILE_UNREADABLE', `The image file ${message.path} could not be read to the end: ${message.message}`));
    });
    worker.on('error', (error) => reject(new VmarketError('INTERNAL', `hashing the image files failed: ${error.message}`, { cause: error })));
    worker.on('exit', () => {
      if (hashes.size < wanted) reject(new VmarketError('CANCELED', 'hashing the image files stopped'));
    });
  });
  result.catch(() => undefined);
  return {
    result,
    get fraction() {
      return Math.min(1, state.bytes / total);
    },
    async stop() {
      await worker.terminate();
    },
  };
}
