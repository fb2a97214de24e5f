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
 * One pass over the file: `file` gets every byte, `prefix` the first `prefixBytes`. Synchronous
 * reads into one reused buffer: the thread has nothing else to do, and a fresh buffer per read
 * costs page faults, zeroing and garbage on the core the scan shares.
 */
function hashFile(path: string, buffer: Buffer, file: Hash | null, prefix: Hash | null, prefixBytes: number): void {
  const fd = openSync(path, 'r');
  try {
    for (let position = 0; ; ) {
      const bytesRead = readSync(fd, buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      file?.update(buffer.subarray(0, bytesRead));
      if (prefix && position < prefixBytes) prefix.update(buffer.subarray(0, Math.min(bytesRead, prefixBytes - position)));
      position += bytesRead;
      advanced(bytesRead);
    }
  } finally {
    closeSync(fd);
  }
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
        const hash = createHash('sha256');
        hashFile(job.path, buffer, hash, null, 0);
        sha256 = virtualSha256 = hash.digest('hex');
      } else {
        const file = job.file ? createHash('sha256') : null;
        const virtual = job.virtual === 'none' ? null : createHash('sha256');
        if (job.virtual === 'decode') {
          if (file) hashFile(job.path, buffer, file, null, 0);
          await hashVirtualDisk(job, virtual!);
        } else if (file || virtual) {
          // 'prefix': the virtual disk is the file's first prefixBytes (a fixed VHD without its footer)
          hashFile(job.path, buffer, file, virtual, job.prefixBytes ?? 0);
        }
        sha256 = file?.digest('hex');
        virtualSha256 = virtual?.digest('hex');
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
