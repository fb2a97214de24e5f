/**
 * Worker thread body of `hashImageFiles`: SHA-256 of each file in turn, posting progress.
 * Synchronous reads into one reused buffer: this thread has nothing else to do, and a fresh
 * 4 MiB buffer per read (a read stream's chunks) costs page faults, zeroing and garbage that
 * showed up as tens of MB of peak memory and extra CPU time on the core the scan shares.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const { paths } = workerData as { paths: string[] };
const PROGRESS_EVERY = 32 * 1024 * 1024;
const buffer = Buffer.allocUnsafeSlow(4 * 1024 * 1024);

for (const path of paths) {
  const hash = createHash('sha256');
  let sinceProgress = 0;
  let fd = -1;
  let failed = false;
  try {
    fd = openSync(path, 'r');
    for (let position = 0; ; ) {
      const bytesRead = readSync(fd, buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
      sinceProgress += bytesRead;
      if (sinceProgress >= PROGRESS_EVERY) {
        parentPort?.postMessage({ type: 'progress', bytes: sinceProgress });
        sinceProgress = 0;
      }
    }
  } catch (error) {
    parentPort?.postMessage({ type: 'error', path, message: (error as Error).message });
    failed = true;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
  if (failed) process.exit(0);
  parentPort?.postMessage({ type: 'progress', bytes: sinceProgress });
  parentPort?.postMessage({ type: 'hash', path, sha256: hash.digest('hex') });
}
