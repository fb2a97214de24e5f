/**
 * The content-addressed blob store contract. Objects are keyed by the SHA-256 (hex) of their
 * bytes; a store holding a key holds exactly those bytes. Two real backends implement it:
 * the file system (`fs-store.ts`) and S3 (`s3-store.ts`).
 */

export interface TransferProgress {
  bytesDone: number;
  bytesTotal: number;
  /**
   * What the bytes count: `copying` (moved into the store, the default when absent) or
   * `verifying` (the stored copy re-read and hashed after the copy).
   */
  phase?: 'copying' | 'verifying';
}

/** Bytes `start`..`end` of an object, both inclusive (HTTP's `Range: bytes=start-end`). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface PutOptions {
  /** Called as bytes move (at most a few times a second). */
  onProgress?: (progress: TransferProgress) => void;
  /** Stops the transfer at the next chunk; partial data is removed; rejects with CANCELED. */
  signal?: AbortSignal;
  /** Bandwidth limit for this transfer; 0 or undefined = unlimited. */
  bytesPerSecond?: number;
}

/** What a `putFile`/`copyFrom` did. */
export interface CopyResult {
  /** Bytes written into the store: 0 when the object was already present. */
  bytesCopied: number;
  /**
   * How the bytes moved, when they did: `clone` (a local file copy on one machine: a reflink, or
   * a chunked copy keeping zero chunks as holes),
   * `server` (the S3 server copied between its buckets), `stream` (through this process).
   */
  via?: 'clone' | 'server' | 'stream';
}

/** One object a store holds, as `list` finds it. */
export interface StoredObject {
  sha256: string;
  size: number;
  /** When the object was written (fs: mtime; S3: LastModified): its age for garbage collection. */
  modifiedAt: Date;
}

export interface BlobStore {
  /** A short description for messages, e.g. `fs:/data/regions/westeurope` or `s3://bucket`. */
  readonly description: string;
  /** True when the object is present and complete (size matches when given). */
  has(sha256: string, size?: number): Promise<boolean>;
  /** Size in bytes, or null when absent. */
  size(sha256: string): Promise<number | null>;
  /**
   * Stores a local file under its SHA-256, verifying the bytes written hash to `sha256`
   * (HASH_MISMATCH otherwise, nothing left behind). Present objects are not copied again.
   * Returns the number of bytes actually copied (0 when already present).
   */
  putFile(localPath: string, sha256: string, options?: PutOptions): Promise<CopyResult>;
  /**
   * Copies an object from another store, using a server-side or reflink copy when both are of
   * one backend and endpoint, streaming otherwise; verified like `putFile`.
   */
  copyFrom(source: BlobStore, sha256: string, options?: PutOptions): Promise<CopyResult>;
  /**
   * A readable stream of the object's bytes; with `range`, only bytes `start`..`end` (both
   * inclusive, within the object: the caller checked them against its size), for ranged downloads.
   */
  read(sha256: string, range?: ByteRange): Promise<NodeJS.ReadableStream>;
  /** Re-reads the stored object and checks its hash. */
  verify(sha256: string): Promise<boolean>;
  /** Removes the object (no error when absent). */
  delete(sha256: string): Promise<void>;
  /** The object's location for customers: `file://…` or `s3://bucket/key` (docs/contracts.md §7). */
  uri(sha256: string): string;
  /**
   * Every complete object the store holds under its content keys (temp files and unfinished
   * uploads are not objects), in no particular order. Garbage collection (src/lifecycle/gc.ts)
   * reads it; a store without it is not collected.
   */
  list?(): AsyncIterable<StoredObject>;
  /** Releases connections (S3 sockets); the store must not be used afterwards. Optional. */
  close?(): Promise<void>;
}
