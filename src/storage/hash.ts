/**
 * SHA-256 of files and streams. `hashFile` is on the hot path (certification, provisioning,
 * verification of every copy): it reads with large positioned reads, double-buffered so the
 * next read runs in the thread pool while the current chunk is hashed on the main thread.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { VmarketError } from '../errors.ts';
import { throwIfAborted } from '../util/abort.ts';
import type { TransferProgress } from './types.ts';

const HASH_CHUNK = 4 * 1024 * 1024;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface HashResult {
  /** Lower-case hex. */
  sha256: string;
  size: number;
}

/** Throws BAD_REQUEST unless `sha256` is 64 lower-case hex digits (keys become paths). */
export function assertSha256(sha256: string): void {
  if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) {
    throw new VmarketError('BAD_REQUEST', 'A SHA-256 must be 64 lower-case hexadecimal digits.', {
      details: [{ path: 'sha256', message: `not a SHA-256: ${String(sha256).slice(0, 80)}` }],
    });
  }
}

/** HASH_MISMATCH for bytes read from `where` that were expected to hash to `expected`. */
export function hashMismatchError(expected: string, expectedSize: number, actual: string, actualSize: number, where: string): VmarketError {
  return new VmarketError('HASH_MISMATCH', `The bytes from ${where} do not hash to the expected SHA-256.`, {
    details: [{ path: 'sha256', message: `expected ${expected} (${expectedSize} bytes), got ${actual} (${actualSize} bytes)` }],
  });
}

/**
 * Hashes a whole file.
 * @param onProgress called after every 4 MiB chunk with bytes hashed so far.
 * @param signal stops between chunks with CANCELED.
 * Throws FILE_UNREADABLE when the file cannot be opened or read.
 */
export async function hashFile(
  path: string,
  onProgress?: (progress: TransferProgress) => void,
  signal?: AbortSignal,
): Promise<HashResult> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new VmarketError('FILE_UNREADABLE', `Cannot open ${path} for hashing.`, { cause: error });
  }
  try {
    const bytesTotal = (await handle.stat()).size;
    const hash = createHash('sha256');
    const buffers = [Buffer.allocUnsafe(HASH_CHUNK), Buffer.allocUnsafe(HASH_CHUNK)];
    let position = 0;
    let which = 0;
    let pending = handle.read(buffers[which], 0, HASH_CHUNK, position);
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      const current = buffers[which];
      position += bytesRead;
      which ^= 1;
      // Start the next read before hashing this chunk: the read runs in the thread pool.
      pending = handle.read(buffers[which], 0, HASH_CHUNK, position);
      hash.update(bytesRead === HASH_CHUNK ? current : current.subarray(0, bytesRead));
      onProgress?.({ bytesDone: position, bytesTotal: Math.max(bytesTotal, position) });
      if (signal?.aborted) {
        await pending.catch(() => undefined);
        throwIfAborted(signal, 'Hashing');
      }
    }
    return { sha256: hash.digest('hex'), size: position };
  } catch (error) {
    if (error instanceof VmarketError) throw error;
    throw new VmarketError('FILE_UNREADABLE', `Cannot read ${path} for hashing.`, { cause: error });
  } finally {
    await handle.close();
  }
}

/** Hashes a readable stream to its end. */
export async function hashStream(stream: AsyncIterable<Uint8Array> | NodeJS.ReadableStream, signal?: AbortSignal): Promise<HashResult> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Uint8Array>) {
    throwIfAborted(signal, 'Hashing');
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}
