/**
 * SHA-256 of whole image files, computed in a worker thread so it runs on the second core while
 * the main thread walks and scans the file systems (the two reads share the page cache).
 */
import type * as Crypto from 'node:crypto';
import type * as Fs from 'node:fs';
import type * as WorkerThreads from 'node:worker_threads';
import { Worker } from 'node:worker_threads';
import { VmarketError } from '../errors.ts';

const PROGRESS_EVERY = 32 * 1024 * 1024;

/**
 * The worker's body: SHA-256 of each file in turn, posting progress. It runs as plain JavaScript
 * (its own source, which Node's type stripping has already turned into JavaScript, evaluated in
 * the worker) because a worker started from a .ts file loads the TypeScript stripper into its own
 * isolate: measured +17 MB of peak memory for nothing. So it may use only its parameters.
 * Synchronous reads into one reused buffer: the thread has nothing else to do, and a fresh 4 MiB
 * buffer per read (a read stream's chunks) costs page faults, zeroing and garbage on the core the
 * scan shares.
 */
function hashFilesInWorker(load: (id: string) => unknown, progressEvery: number): void {
  const { createHash } = load('node:crypto') as typeof Crypto;
  const { closeSync, openSync, readSync } = load('node:fs') as typeof Fs;
  const { parentPort, workerData } = load('node:worker_threads') as typeof WorkerThreads;
  const { paths } = workerData as { paths: string[] };
  const buffer = Buffer.allocUnsafeSlow(4 * 1024 * 1024);
  for (const path of paths) {
    const hash = createHash('sha256');
    let sinceProgress = 0;
    let fd = -1;
    try {
      fd = openSync(path, 'r');
      for (let position = 0; ;) {
        const bytesRead = readSync(fd, buffer, 0, buffer.length, position);
        if (bytesRead === 0) break;
        hash.update(buffer.subarray(0, bytesRead));
        position += bytesRead;
        sinceProgress += bytesRead;
        if (sinceProgress >= progressEvery) {
          parentPort?.postMessage({ type: 'progress', bytes: sinceProgress });
          sinceProgress = 0;
        }
      }
    } catch (error) {
      parentPort?.postMessage({ type: 'error', path, message: (error as Error).message });
      return;
    } finally {
      if (fd >= 0) closeSync(fd);
    }
    parentPort?.postMessage({ type: 'progress', bytes: sinceProgress });
    parentPort?.postMessage({ type: 'hash', path, sha256: hash.digest('hex') });
  }
}

const WORKER_SOURCE = `(${hashFilesInWorker.toString()})(require, ${PROGRESS_EVERY});`;

export interface ImageHashing {
  /** Resolves to path → sha256 (hex). */
  result: Promise<Map<string, string>>;
  /** Bytes hashed so far. */
  readonly bytes: number;
  stop(): Promise<void>;
}

export function hashImageFiles(paths: string[]): ImageHashing {
  // workers inherit the parent's flags; `--input-type=module` (from `node -e`) would make the body an ES module without `require`
  // (passing execArgv only then: an explicit list is validated, and some inherited flags are refused in it)
  const inputType = process.execArgv.some((flag) => flag.startsWith('--input-type'));
  const execArgv = inputType ? process.execArgv.filter((flag) => !flag.startsWith('--input-type')) : undefined;
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { paths }, ...(execArgv ? { execArgv } : {}) });
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
