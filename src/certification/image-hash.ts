/**
 * SHA-256 of whole image files, computed in a worker thread so it runs on the second core while
 * the main thread walks and scans the file systems (the two reads share the page cache).
 */
import { Worker } from 'node:worker_threads';
import { VmarketError } from '../errors.ts';

export interface ImageHashing {
  /** Resolves to path → sha256 (hex). */
  result: Promise<Map<string, string>>;
  /** Bytes hashed so far. */
  readonly bytes: number;
  stop(): Promise<void>;
}

export function hashImageFiles(paths: string[]): ImageHashing {
  // workers inherit the parent's flags; `--input-type` (from `node -e`) would stop a file worker from starting
  // (passing execArgv only then: an explicit list is validated, and some inherited flags are refused in it)
  const inputType = process.execArgv.some((flag) => flag.startsWith('--input-type'));
  const execArgv = inputType ? process.execArgv.filter((flag) => !flag.startsWith('--input-type')) : undefined;
  const worker = new Worker(new URL('./image-hash-worker.ts', import.meta.url), { workerData: { paths }, ...(execArgv ? { execArgv } : {}) });
  const hashes = new Map<string, string>();
  const state = { bytes: 0 };
  const result = new Promise<Map<string, string>>((resolve, reject) => {
    worker.on('message', (message: { type: string; bytes?: number; path?: string; sha256?: string; message?: string }) => {
      if (message.type === 'progress') state.bytes += message.bytes ?? 0;
      else if (message.type === 'hash' && message.path && message.sha256) {
        hashes.set(message.path, message.sha256);
        if (hashes.size === new Set(paths).size) resolve(hashes);
      } else if (message.type === 'error') reject(new VmarketError('FILE_UNREADABLE', `The image file ${message.path} could not be read to the end: ${message.message}`));
    });
    worker.on('error', (error) => reject(new VmarketError('INTERNAL', `hashing the image files failed: ${error.message}`, { cause: error })));
    worker.on('exit', () => {
      if (hashes.size < new Set(paths).size) reject(new VmarketError('CANCELED', 'hashing the image files stopped'));
    });
  });
  result.catch(() => undefined);
  return {
    result,
    get bytes() {
      return state.bytes;
    },
    async stop() {
      await worker.terminate();
    },
  };
}
