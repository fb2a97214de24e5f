/**
 * The file-system BlobStore. Objects live at `<root>/sha256/<first two hex>/<full hex>`. Every
 * write goes to a temp file in the object's directory and is renamed into place only after its
 * hash verifies, so a crash never leaves a partial object under its final name; temp files older
 * than a day (left by a crash) are removed when the store is opened.
 *
 * Local-to-local copies are reflinks where the file system supports them, else chunked copies
 * that keep all-zero chunks as holes; either way the destination is re-hashed before its rename.
 * Copies with a bandwidth limit, and copies from other backends, stream in chunks through a
 * token bucket and hash the bytes as they are written.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { VmarketError } from '../errors.ts';
import { canceledError, isAbortError, throwIfAborted } from '../util/abort.ts';
import { assertSha256, hashFile, hashMismatchError } from './hash.ts';
import { phaseReporter, progressReporter } from './progress.ts';
import type { ProgressReporter } from './progress.ts';
import { bucketFor, chunkSizeFor } from './throttle.ts';
import type { TokenBucket } from './throttle.ts';
import type { BlobStore, ByteRange, CopyResult, PutOptions, StoredObject } from './types.ts';

const TEMP_PREFIX = '.tmp-';
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

export class FsBlobStore implements BlobStore {
  /** Absolute root directory of the store. */
  readonly root: string;
  readonly description: string;
  private opened: Promise<void> | undefined;

  /** @param root the store's directory (created on first use; relative paths resolve against the cwd). */
  constructor(root: string) {
    this.root = resolve(root);
    this.description = `fs:${this.root}`;
  }

  /**
   * Creates the root and removes stale temp files (older than a day). Every operation calls it
   * once implicitly; call it yourself to surface a bad root early.
   */
  open(): Promise<void> {
    this.opened ??= this.initialize().catch((error) => {
      this.opened = undefined;
      throw storageFailed(`Cannot open the blob store at ${this.root}.`, error);
    });
    return this.opened;
  }

  /** The absolute path the object `sha256` is (or would be) stored at. */
  objectPath(sha256: string): string {
    assertSha256(sha256);
    return join(this.root, 'sha256', sha256.slice(0, 2), sha256);
  }

  async has(sha256: string, size?: number): Promise<boolean> {
    const actual = await this.size(sha256);
    return actual !== null && (size === undefined || actual === size);
  }

  async size(sha256: string): Promise<number | null> {
    const path = this.objectPath(sha256);
    try {
      const info = await stat(path);
      return info.isFile() ? info.size : null;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw storageFailed(`Cannot read ${path}.`, error);
    }
  }

  async putFile(localPath: string, sha256: string, options: PutOptions = {}): Promise<CopyResult> {
    assertSha256(sha256);
    throwIfAborted(options.signal);
    await this.open();
    let sourceSize: number;
    try {
      sourceSize = (await stat(localPath)).size;
    } catch (error) {
      throw new VmarketError('FILE_UNREADABLE', `Cannot read ${localPath}.`, { cause: error });
    }
    if (await this.has(sha256, sourceSize)) return { bytesCopied: 0 };
    if (options.bytesPerSecond && options.bytesPerSecond > 0) {
      const chunk = chunkSizeFor(options.bytesPerSecond);
      const source = createReadStream(localPath, { highWaterMark: chunk });
      return this.writeVerified(sha256, sourceSize, source, options);
    }
    return this.cloneVerified(localPath, sha256, sourceSize, options);
  }

  async copyFrom(source: BlobStore, sha256: string, options: PutOptions = {}): Promise<CopyResult> {
    assertSha256(sha256);
    throwIfAborted(options.signal);
    const size = await source.size(sha256);
    if (size === null) throw notFound(source, sha256);
    if (source instanceof FsBlobStore) return this.putFile(source.objectPath(sha256), sha256, options);
    await this.open();
    if (await this.has(sha256, size)) return { bytesCopied: 0 };
    return this.writeVerified(sha256, size, await source.read(sha256), options);
  }

  async read(sha256: string, range?: ByteRange): Promise<NodeJS.ReadableStream> {
    const path = this.objectPath(sha256);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (isNotFound(error)) throw notFound(this, sha256);
      throw storageFailed(`Cannot read ${path}.`, error);
    }
    return handle.createReadStream({ highWaterMark: 1024 * 1024, autoClose: true, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  async verify(sha256: string): Promise<boolean> {
    const path = this.objectPath(sha256);
    if ((await this.size(sha256)) === null) return false;
    return (await hashFile(path)).sha256 === sha256;
  }

  async delete(sha256: string): Promise<void> {
    const path = this.objectPath(sha256);
    try {
      await rm(path, { force: true });
    } catch (error) {
      throw storageFailed(`Cannot delete ${path}.`, error);
    }
  }

  async *list(): AsyncIterable<StoredObject> {
    await this.open();
    const objects = join(this.root, 'sha256');
    for (const dir of await readdir(objects, { withFileTypes: true })) {
      if (!dir.isDirectory() || !/^[0-9a-f]{2}$/.test(dir.name)) continue;
      for (const name of await readdir(join(objects, dir.name))) {
        // temp files (a write under way) are not objects; neither is anything else a person left there
        if (!/^[0-9a-f]{64}$/.test(name) || !name.startsWith(dir.name)) continue;
        const info = await stat(join(objects, dir.name, name)).catch(() => null);
        if (info?.isFile()) yield { sha256: name, size: info.size, modifiedAt: info.mtime };
      }
    }
  }

  uri(sha256: string): string {
    return pathToFileURL(this.objectPath(sha256)).href;
  }

  private async initialize(): Promise<void> {
    const objects = join(this.root, 'sha256');
    await mkdir(objects, { recursive: true });
    const cutoff = Date.now() - STALE_TEMP_MS;
    for (const dir of await readdir(objects, { withFileTypes: true })) {
      if (!dir.isDirectory()) continue;
      const dirPath = join(objects, dir.name);
      for (const name of await readdir(dirPath)) {
        if (!name.startsWith(TEMP_PREFIX)) continue;
        const tempPath = join(dirPath, name);
        const info = await stat(tempPath).catch(() => null);
        if (info && info.mtimeMs < cutoff) await rm(tempPath, { force: true });
      }
    }
  }

  /** A fresh temp path next to the object's final path (same directory, so rename is atomic). */
  private async tempPathFor(sha256: string): Promise<{ dir: string; temp: string; final: string }> {
    const final = this.objectPath(sha256);
    const dir = join(this.root, 'sha256', sha256.slice(0, 2));
    await mkdir(dir, { recursive: true });
    return { dir, final, temp: join(dir, `${TEMP_PREFIX}${sha256.slice(0, 16)}-${randomBytes(6).toString('hex')}`) };
  }

  /** Reflink or hole-keeping copy to a temp file, re-hash it, then rename into place. */
  private async cloneVerified(
    localPath: string,
    sha256: string,
    size: number,
    options: PutOptions,
  ): Promise<CopyResult> {
    const { dir, temp, final } = await this.tempPathFor(sha256);
    const progress = progressReporter(size, options.onProgress);
    try {
      const via = await copyLocalFile(localPath, temp, progress, options.signal);
      throwIfAborted(options.signal);
      progress.add(size - progress.bytesDone);
      progress.flush();
      const verifying = phaseReporter(size, options.onProgress, 'verifying');
      const written = await hashFile(temp, (p) => verifying.add(p.bytesDone - verifying.bytesDone), options.signal).catch(
        (error: unknown) => {
          // Our own copy is unreadable: a storage failure (retryable), not a bad source.
          throw error instanceof VmarketError && error.code === 'FILE_UNREADABLE' ? storageFailed(error.message, error) : error;
        },
      );
      verifying.flush();
      checkHash(written.sha256, written.size, sha256, size, localPath);
      await fsyncPath(temp);
      await rename(temp, final);
      await fsyncPath(dir);
      return { bytesCopied: size, via };
    } catch (error) {
      await rm(temp, { force: true });
      throw asStoreError(error, `Cannot copy ${localPath} into ${this.description}.`);
    }
  }

  /** Streams `source` into a temp file (throttled, hashed on the way), then renames into place. */
  private async writeVerified(
    sha256: string,
    size: number,
    source: NodeJS.ReadableStream,
    options: PutOptions,
  ): Promise<CopyResult> {
    const { dir, temp, final } = await this.tempPathFor(sha256);
    const progress = progressReporter(size, options.onProgress);
    const bucket = bucketFor(options.bytesPerSecond);
    let handle: FileHandle | undefined;
    try {
      handle = await open(temp, 'wx');
      const written = await streamInto(handle, source, bucket, progress, options.signal);
      checkHash(written.sha256, written.size, sha256, size, 'the source');
      await handle.sync();
      await handle.close();
      handle = undefined;
      await rename(temp, final);
      await fsyncPath(dir);
      progress.flush();
      return { bytesCopied: written.size, via: 'stream' };
    } catch (error) {
      destroyStream(source);
      await handle?.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw asStoreError(error, `Cannot write ${sha256} into ${this.description}.`);
    }
  }
}

const COPY_CHUNK = 4 * 1024 * 1024;
const ZEROS = Buffer.alloc(COPY_CHUNK);

/**
 * Copies a local file: a reflink where the file system has them (XFS, btrfs: no bytes move),
 * else a chunked copy that leaves all-zero chunks as holes. Fixed VHDs are mostly zeros (a
 * 30 GiB disk holding 3 GiB of data), and writing those zeros — then making them durable — was
 * most of a copy's cost; a hole reads back as the same zeros, so the hash check is unchanged.
 */
async function copyLocalFile(from: string, to: string, progress: ProgressReporter, signal: AbortSignal | undefined): Promise<'clone'> {
  try {
    await copyFile(from, to, constants.COPYFILE_FICLONE_FORCE | constants.COPYFILE_EXCL);
    return 'clone';
  } catch (error) {
    // No reflinks here (ext4: EOPNOTSUPP; another file system: EXDEV): copy instead. A missing
    // or unreadable source fails below with its own error.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw error;
    await rm(to, { force: true });
  }
  let source: FileHandle | undefined;
  let target: FileHandle | undefined;
  try {
    source = await open(from, 'r');
    target = await open(to, 'wx');
    const buffer = Buffer.allocUnsafe(COPY_CHUNK);
    let position = 0;
    for (;;) {
      throwIfAborted(signal);
      const { bytesRead } = await source.read(buffer, 0, COPY_CHUNK, position);
      if (bytesRead === 0) break;
      const data = buffer.subarray(0, bytesRead);
      if (!data.equals(ZEROS.subarray(0, bytesRead))) await writeAllAt(target, data, position);
      position += bytesRead;
      progress.add(bytesRead);
    }
    // sets the size when the file ends in a hole
    await target.truncate(position);
    return 'clone';
  } catch (error) {
    if (source === undefined) throw new VmarketError('FILE_UNREADABLE', `Cannot read ${from}.`, { cause: error });
    throw error;
  } finally {
    await source?.close().catch(() => undefined);
    await target?.close().catch(() => undefined);
  }
}

async function writeAllAt(handle: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset, position + offset);
    offset += bytesWritten;
  }
}

/** Copies every chunk of `source` to `handle`, pacing with `bucket` and hashing as it goes. */
async function streamInto(
  handle: FileHandle,
  source: NodeJS.ReadableStream,
  bucket: TokenBucket | undefined,
  progress: ProgressReporter,
  signal: AbortSignal | undefined,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const data of source as AsyncIterable<Buffer>) {
    throwIfAborted(signal);
    if (bucket) await bucket.take(data.length, signal);
    await writeAll(handle, data);
    hash.update(data);
    size += data.length;
    progress.add(data.length);
  }
  throwIfAborted(signal);
  return { sha256: hash.digest('hex'), size };
}

async function writeAll(handle: FileHandle, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

function checkHash(actual: string, actualSize: number, expected: string, expectedSize: number, from: string): void {
  if (actual !== expected || actualSize !== expectedSize) throw hashMismatchError(expected, expectedSize, actual, actualSize, from);
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function destroyStream(stream: NodeJS.ReadableStream): void {
  const destroy = (stream as { destroy?: () => void }).destroy;
  if (typeof destroy === 'function') destroy.call(stream);
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function notFound(store: BlobStore, sha256: string): VmarketError {
  return new VmarketError('NOT_FOUND', `Object ${sha256} is not in ${store.description}.`);
}

function storageFailed(message: string, cause: unknown): VmarketError {
  return new VmarketError('STORAGE_FAILED', message, { cause });
}

/** Keeps VmarketErrors, maps aborts to CANCELED and anything else to STORAGE_FAILED. */
function asStoreError(error: unknown, message: string): VmarketError {
  if (error instanceof VmarketError) return error;
  if (isAbortError(error)) return canceledError();
  return storageFailed(message, error);
}
