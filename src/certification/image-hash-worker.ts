/** Worker thread body of `hashImageFiles`: SHA-256 of each file in turn, posting progress. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const { paths } = workerData as { paths: string[] };
const PROGRESS_EVERY = 32 * 1024 * 1024;

for (const path of paths) {
  const hash = createHash('sha256');
  let sinceProgress = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      sinceProgress += chunk.length;
      if (sinceProgress >= PROGRESS_EVERY) {
        parentPort?.postMessage({ type: 'progress', bytes: sinceProgress });
        sinceProgress = 0;
      }
    }
  } catch (error) {
    parentPort?.postMessage({ type: 'error', path, message: (error as Error).message });
    process.exit(0);
  }
  parentPort?.postMessage({ type: 'progress', bytes: sinceProgress });
  parentPort?.postMessage({ type: 'hash', path, sha256: hash.digest('hex') });
}
