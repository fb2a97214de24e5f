/**
 * The body of the image-hashing worker thread (image-hash.ts): per image, the SHA-256 of the file
 * as supplied and of its virtual disk, posting progress. Raw and fixed-VHD images need one pass
 * over the file for both (the virtual disk is the file, or the file without its footer); sparse
 * formats read the virtual disk through the format layer, on this thread, while the main thread
 * walks and scans the file systems.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openFileReader } from './disk/file-reader.ts';
import { openImageFormat } from './disk/formats/index.ts';
import type { HashJob, HashMessage } from './image-hash.ts';

const CHUNK = 4 * 1024 * 1024;
const PROGRESS_EVERY = 32 * 1024 * 1024;

let sinceProgress = 0;
function post(message: HashMessage): void {
  parentPort?.postMessage(message);
}
function advanced(bytes: number): void {
  sinceProgress += bytes;
  if (sinceProgress >= PROGRESS_EVERY) {
    post({ type: 'progress', bytes: sinceProgress });
    sinceProgress = 0;
  }
}

/**
 * One pass over the file into `hash`, which answers the file's SHA-256; with `prefixBytes`, also
 * the SHA-256 of the file's first prefixBytes: a copy of the hash state taken at that point
 * (SHA-256 absorbs bytes in order, so a fixed VHD's disk and whole file cost one hash). Without
 * `whole` the pass stops at the prefix. Synchronous reads into one reused buffer: the thread has
 * nothing else to do, and a fresh buffer per read costs page faults, zeroing and garbage on the
 * core the scan shares.
 */
function hashFile(path: string, buffer: Buffer, options: { whole: boolean; prefixBytes?: number }): { file: string; prefix?: string } {
  const hash = createHash('sha256');
  const end = options.whole ? Number.MAX_SAFE_INTEGER : options.prefixBytes ?? 0;
  let prefix: string | undefined;
  const fd = openSync(path, 'r');
  try {
    for (let position = 0; position < end; ) {
      const bytesRead = readSync(fd, buffer, 0, Math.min(buffer.length, end - position), position);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      const cut = options.prefixBytes !== undefined && position < options.prefixBytes && position + bytesRead >= options.prefixBytes ? options.prefixBytes - position : -1;
      if (cut >= 0) {
        hash.update(chunk.subarray(0, cut));
        prefix = hash.copy().digest('hex');
        hash.update(chunk.subarray(cut));
      } else hash.update(chunk);
      position += bytesRead;
      advanced(bytesRead);
    }
  } finally {
    closeSync(fd);
  }
  if (options.prefixBytes === 0) prefix = createHash('sha256').digest('hex');
  return { file: hash.digest('hex'), ...(prefix !== undefined ? { prefix } : {}) };
}

async function hashVirtualDisk(job: HashJob, hash: Hash): Promise<void> {
  const file = await openFileReader(job.path);
  try {
    const { disk } = await openImageFormat(file.reader, job.declared);
    if (!disk) throw new Error('the virtual disk cannot be read');
    for (let at = 0; at < disk.size; at += CHUNK) {
      const bytes = await disk.read(at, Math.min(CHUNK, disk.size - at));
      hash.update(bytes);
      advanced(bytes.length);
    }
  } finally {
    await file.close();
  }
}

async function main(): Promise<void> {
  const { jobs } = workerData as { jobs: HashJob[] };
  const buffer = Buffer.allocUnsafeSlow(CHUNK);
  for (const job of jobs) {
    try {
      let sha256: string | undefined;
      let virtualSha256: string | undefined;
      if (job.virtual === 'same') {
        // the file is the virtual disk: one hash is both
        sha256 = virtualSha256 = hashFile(job.path, buffer, { whole: true }).file;
      } else if (job.virtual === 'prefix') {
        // a fixed VHD: its disk is the file's first prefixBytes
        const hashes = hashFile(job.path, buffer, { whole: job.file, prefixBytes: job.prefixBytes ?? 0 });
        sha256 = job.file ? hashes.file : undefined;
        virtualSha256 = hashes.prefix;
      } else {
        if (job.file) sha256 = hashFile(job.path, buffer, { whole: true }).file;
        if (job.virtual === 'decode') {
          const virtual = createHash('sha256');
          await hashVirtualDisk(job, virtual);
          virtualSha256 = virtual.digest('hex');
        }
      }
      post({ type: 'hash', path: job.path, ...(job.file ? { sha256 } : {}), ...(virtualSha256 ? { virtualSha256 } : {}) });
    } catch (error) {
      post({ type: 'error', path: job.path, message: (error as Error).message });
      return;
    }
  }
  post({ type: 'progress', bytes: sinceProgress });
}

void main();
