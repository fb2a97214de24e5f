/**
 * A resumable, verified download to `FILE.part` (`vmarket pull`): bytes already in the `.part`
 * file are hashed, the rest is asked for with `Range` (and `If-Range` with the ETag when the
 * server's ETag is known: a file-system region's is `"<sha256>"`), appended as it streams, and
 * the whole is hashed. Only a file whose size and SHA-256 are the signed package's is renamed to
 * FILE; any other is removed with one clear error (exit 1).
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { VmarketError } from '../../errors.ts';

export interface DownloadTarget {
  url: string;
  /** The SHA-256 and size the signed package names for this file. */
  sha256: string;
  size: number;
  /** `If-Range` value when resuming; absent for servers whose ETag is not known in advance (S3). */
  ifRange?: string;
}

export interface DownloadResult {
  file: string;
  bytes: number;
  /** Bytes that were already in the `.part` file and not downloaded again. */
  resumedFrom: number;
}

async function hashExisting(file: string, hash: Hash): Promise<number> {
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return bytes;
}

/** Downloads `target` to `file` (through `file.part`); `onProgress` hears bytes done of the total. */
export async function downloadVerified(target: DownloadTarget, file: string, onProgress?: (done: number, total: number) => void): Promise<DownloadResult> {
  const part = `${file}.part`;
  const hash = createHash('sha256');
  let have = (await stat(part).catch(() => null))?.size ?? 0;
  // a .part longer than the file cannot be a piece of it
  if (have > target.size) {
    await rm(part, { force: true });
    have = 0;
  }
  if (have > 0) await hashExisting(part, hash);
  const resumedFrom = have;
  if (have < target.size) {
    const headers: Record<string, string> = {};
    if (have > 0) {
      headers.range = `bytes=${have}-`;
      if (target.ifRange) headers['if-range'] = target.ifRange;
    }
    let response: Response;
    try {
      response = await fetch(target.url, { headers });
    } catch (error) {
      throw new VmarketError('UNREACHABLE', `The download could not be started: ${(error as Error).message}.`, { cause: error });
    }
    if (response.status === 403 || response.status === 404) {
      throw new VmarketError(response.status === 403 ? 'FORBIDDEN' : 'NOT_FOUND', `The download was refused (HTTP ${response.status}): ${await errorText(response)}`);
    }
    if (response.status !== 200 && response.status !== 206) {
      throw new VmarketError('UNREACHABLE', `The download answered HTTP ${response.status}: ${await errorText(response)}`);
    }
    if (response.status === 200 && have > 0) {
      // the server sent the whole file (it changed, or ignores ranges): start over
      hash.destroy?.();
      return downloadFresh(target, file, response, onProgress);
    }
    const handle = await open(part, have > 0 ? 'a' : 'w');
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        await handle.write(chunk);
        have += chunk.length;
        onProgress?.(have, target.size);
      }
    } finally {
      await handle.close();
    }
  }
  return finish(part, file, target, hash.digest('hex'), have, resumedFrom);
}

/** Writes a whole-file answer to `file.part` from byte 0. */
async function downloadFresh(target: DownloadTarget, file: string, response: Response, onProgress?: (done: number, total: number) => void): Promise<DownloadResult> {
  const part = `${file}.part`;
  const hash = createHash('sha256');
  let have = 0;
  const handle = await open(part, 'w');
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      await handle.write(chunk);
      have += chunk.length;
      onProgress?.(have, target.size);
    }
  } finally {
    await handle.close();
  }
  return finish(part, file, target, hash.digest('hex'), have, 0);
}

async function finish(part: string, file: string, target: DownloadTarget, digest: string, bytes: number, resumedFrom: number): Promise<DownloadResult> {
  if (bytes !== target.size || digest !== target.sha256) {
    await rm(part, { force: true });
    throw new VmarketError(
      'HASH_MISMATCH',
      bytes !== target.size
        ? `The downloaded file has ${bytes} bytes, the signed package says ${target.size}: it was removed; run vmarket pull again.`
        : `The downloaded file's SHA-256 is ${digest}, the signed package says ${target.sha256}: the bytes are not the certified image; the file was removed.`,
    );
  }
  await rename(part, file);
  return { file, bytes, resumedFrom };
}

async function errorText(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const message = (JSON.parse(text) as { error?: { message?: string } }).error?.message;
    if (message) return message;
  } catch {
    // not our JSON error body (S3 answers XML)
  }
  return text.slice(0, 200) || response.statusText;
}
