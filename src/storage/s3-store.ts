/**
 * The S3 BlobStore (AWS S3 or any S3-compatible server). Objects live at
 * `<prefix>sha256/<first two hex>/<full hex>` with their SHA-256 in the object metadata
 * (`x-amz-meta-sha256`).
 *
 * Writes never leave a wrong object under its final key: uploads stream through a hash, and a
 * body whose hash differs from the key fails before the upload completes (the multipart upload
 * is aborted). Every copy is then verified by reading it back and hashing it; a copy that fails
 * that check is deleted. Copies between buckets of one endpoint are done by the server
 * (`CopyObject`, or `UploadPartCopy` in parts from `multipartCopyThresholdBytes`); when the
 * server refuses (S3 errors NotImplemented or AccessDenied) the bytes are streamed instead.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import type { CompletedPart, S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { VmarketError } from '../errors.ts';
import { canceledError, isAbortError, throwIfAborted } from '../util/abort.ts';
import { FsBlobStore } from './fs-store.ts';
import { assertSha256, hashMismatchError } from './hash.ts';
import { phaseReporter, progressReporter } from './progress.ts';
import { bucketFor, chunkSizeFor } from './throttle.ts';
import type { BlobStore, ByteRange, CopyResult, PutOptions, StoredObject } from './types.ts';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
/** CopyObject copies at most 5 GiB in one request. */
const COPY_OBJECT_LIMIT = 5 * GIB;
const COPY_PART_SIZE = 512 * MIB;
const UPLOAD_QUEUE = 4;
const MAX_PARTS = 10_000;

export interface S3BlobStoreOptions {
  /** Endpoint URL of an S3-compatible server; default: AWS S3 for `region`. */
  endpoint?: string;
  bucket: string;
  /** Default `us-east-1`. */
  region?: string;
  /** Path-style addressing (`endpoint/bucket/key`), needed by most S3-compatible servers. Default false. */
  forcePathStyle?: boolean;
  /** Key prefix inside the bucket; a `/` is appended when missing. Default none. */
  prefix?: string;
  /** Default: the AWS SDK's default chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * Objects at least this large are copied server-side with UploadPartCopy in 512 MiB parts
   * instead of one CopyObject. Default and maximum: 5 GiB (CopyObject's limit).
   */
  multipartCopyThresholdBytes?: number;
  /** Smallest upload part. Default 16 MiB (grown for objects that would need over 10,000 parts). */
  partSizeBytes?: number;
}

export class S3BlobStore implements BlobStore {
  readonly description: string;
  readonly bucket: string;
  /** The normalized prefix: empty or ending in `/`. */
  readonly prefix: string;
  /** Identifies the endpoint: stores with equal keys can copy server-side. */
  readonly endpointKey: string;
  private readonly client: S3Client;
  private readonly multipartCopyThreshold: number;
  private readonly partSize: number;
  private bucketReady: Promise<void> | undefined;

  constructor(options: S3BlobStoreOptions) {
    const region = options.region ?? 'us-east-1';
    this.bucket = options.bucket;
    this.prefix = options.prefix ? options.prefix.replace(/\/*$/, '/') : '';
    this.endpointKey = options.endpoint ? new URL(options.endpoint).origin : `aws:${region}`;
    this.description = `s3://${this.bucket}/${this.prefix}` + (options.endpoint ? ` at ${this.endpointKey}` : '');
    this.multipartCopyThreshold = Math.min(options.multipartCopyThresholdBytes ?? COPY_OBJECT_LIMIT, COPY_OBJECT_LIMIT);
    this.partSize = Math.max(5 * MIB, options.partSizeBytes ?? 16 * MIB);
    const config: S3ClientConfig = {
      region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle ?? false,
      credentials: options.credentials,
      // Whole-object SHA-256 verification is ours (read-back); the SDK's default CRC trailers
      // (aws-chunked uploads) are not understood by many S3-compatible servers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    this.client = new S3Client(config);
  }

  /** The object key of `sha256` inside the bucket. */
  key(sha256: string): string {
    assertSha256(sha256);
    return `${this.prefix}sha256/${sha256.slice(0, 2)}/${sha256}`;
  }

  /** Present with our `sha256` metadata (objects written by other tools do not count) and, when given, this size. */
  async has(sha256: string, size?: number): Promise<boolean> {
    const head = await this.head(sha256);
    return head !== null && head.sha256 === sha256 && (size === undefined || head.size === size);
  }

  async size(sha256: string): Promise<number | null> {
    return (await this.head(sha256))?.size ?? null;
  }

  async putFile(localPath: string, sha256: string, options: PutOptions = {}): Promise<CopyResult> {
    assertSha256(sha256);
    throwIfAborted(options.signal);
    let size: number;
    try {
      size = (await stat(localPath)).size;
    } catch (error) {
      throw new VmarketError('FILE_UNREADABLE', `Cannot read ${localPath}.`, { cause: error });
    }
    if (await this.has(sha256, size)) return { bytesCopied: 0 };
    const source = createReadStream(localPath, { highWaterMark: chunkSizeFor(options.bytesPerSecond) });
    return this.uploadVerified(sha256, size, source, options);
  }

  async copyFrom(source: BlobStore, sha256: string, options: PutOptions = {}): Promise<CopyResult> {
    assertSha256(sha256);
    throwIfAborted(options.signal);
    const size = await source.size(sha256);
    if (size === null) throw new VmarketError('NOT_FOUND', `Object ${sha256} is not in ${source.description}.`);
    if (await this.has(sha256, size)) return { bytesCopied: 0 };
    if (source instanceof S3BlobStore && source.endpointKey === this.endpointKey) {
      const copied = await this.serverSideCopy(source, sha256, size, options);
      if (copied) return copied;
    }
    if (source instanceof FsBlobStore) return this.putFile(source.objectPath(sha256), sha256, options);
    return this.uploadVerified(sha256, size, await source.read(sha256), options);
  }

  async read(sha256: string, range?: ByteRange): Promise<NodeJS.ReadableStream> {
    const key = this.key(sha256);
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      return response.Body as Readable;
    } catch (error) {
      if (isMissing(error)) throw new VmarketError('NOT_FOUND', `Object ${sha256} is not in ${this.description}.`);
      throw this.failed(`Cannot read ${this.uri(sha256)}.`, error);
    }
  }

  async verify(sha256: string): Promise<boolean> {
    return (await this.readBackHash(sha256)) === sha256;
  }

  async delete(sha256: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(sha256) }));
    } catch (error) {
      if (!isMissing(error)) throw this.failed(`Cannot delete ${this.uri(sha256)}.`, error);
    }
  }

  /** ListObjectsV2 under `<prefix>sha256/`, a page (up to 1000 keys) at a time. */
  async *list(): AsyncIterable<StoredObject> {
    const prefix = `${this.prefix}sha256/`;
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      } catch (error) {
        if (isMissing(error)) return; // no bucket yet: nothing stored
        throw this.failed(`Cannot list ${this.description}.`, error);
      }
      for (const entry of page.Contents ?? []) {
        const match = /^([0-9a-f]{2})\/([0-9a-f]{64})$/.exec(entry.Key?.slice(prefix.length) ?? '');
        if (!match || !match[2].startsWith(match[1])) continue;
        yield { sha256: match[2], size: entry.Size ?? 0, modifiedAt: entry.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  uri(sha256: string): string {
    return `s3://${this.bucket}/${this.key(sha256)}`;
  }

  /**
   * A presigned GET URL of the object, valid `expiresInSeconds` (SigV4 allows at most 7 days),
   * that answers with `Content-Disposition: attachment; filename=…` when `fileName` is given.
   * Signing is local: nothing is sent to the bucket. Customers reach the bucket at the
   * endpoint this store is configured with.
   */
  async presignedGetUrl(sha256: string, expiresInSeconds: number, fileName?: string): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: this.key(sha256),
      ...(fileName ? { ResponseContentDisposition: `attachment; filename="${fileName}"` } : {}),
    });
    return getSignedUrl(this.client, command, { expiresIn: expiresInSeconds });
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  /** Creates the bucket when it does not exist (once per store; retried after a failure). */
  ensureBucket(): Promise<void> {
    this.bucketReady ??= this.createBucketIfMissing().catch((error) => {
      this.bucketReady = undefined;
      throw this.failed(`Cannot open bucket ${this.bucket}.`, error);
    });
    return this.bucketReady;
  }

  private async createBucketIfMissing(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      if ((error as Error).name !== 'BucketAlreadyOwnedByYou') throw error;
    }
  }

  private async head(sha256: string): Promise<{ size: number; sha256: string | undefined } | null> {
    const key = this.key(sha256);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: head.ContentLength ?? 0, sha256: head.Metadata?.sha256 };
    } catch (error) {
      if (isMissing(error)) return null;
      throw this.failed(`Cannot look up ${this.uri(sha256)}.`, error);
    }
  }

  /**
   * Streams `source` into the object, throttled and hashed on the way; a wrong hash fails the
   * upload before it completes. Then verifies by read-back.
   */
  private async uploadVerified(
    sha256: string,
    size: number,
    source: NodeJS.ReadableStream,
    options: PutOptions,
  ): Promise<CopyResult> {
    await this.ensureBucket();
    const { signal } = options;
    const bucket = bucketFor(options.bytesPerSecond);
    const progress = progressReporter(size, options.onProgress);
    // The error our body raised (CANCELED, HASH_MISMATCH): the SDK may report another one (e.g.
    // a failed AbortMultipartUpload) or wrap it, and ours is the one the caller must see.
    let ownError: VmarketError | undefined;
    async function* checked(): AsyncGenerator<Buffer> {
      const hash = createHash('sha256');
      let seen = 0;
      try {
        for await (const data of source as AsyncIterable<Buffer>) {
          throwIfAborted(signal);
          if (bucket) await bucket.take(data.length, signal);
          hash.update(data);
          seen += data.length;
          progress.add(data.length);
          yield data;
        }
        throwIfAborted(signal);
      } catch (error) {
        ownError = error instanceof VmarketError ? error : undefined;
        throw error;
      }
      const actual = hash.digest('hex');
      if (actual !== sha256 || seen !== size) {
        ownError = hashMismatchError(sha256, size, actual, seen, 'the source');
        throw ownError;
      }
    }
    const body = Readable.from(checked());
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.key(sha256), Body: body, Metadata: { sha256 } },
      partSize: Math.max(this.partSize, Math.ceil(size / (MAX_PARTS - 1) / MIB) * MIB),
      queueSize: UPLOAD_QUEUE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      body.destroy();
      (source as Readable).destroy?.();
      if (signal?.aborted) throw canceledError();
      throw ownError ?? this.asError(error, `Cannot upload ${sha256} to ${this.description}.`);
    }
    progress.flush();
    await this.verifyOrDelete(sha256, size, options);
    return { bytesCopied: size, via: 'stream' };
  }

  /**
   * Server-side copy from another bucket of this endpoint. Returns null when the server
   * refuses the operation, so the caller streams instead.
   */
  private async serverSideCopy(
    source: S3BlobStore,
    sha256: string,
    size: number,
    options: PutOptions,
  ): Promise<CopyResult | null> {
    await this.ensureBucket();
    const progress = progressReporter(size, options.onProgress);
    const copySource = `${source.bucket}/${source.key(sha256).split('/').map(encodeURIComponent).join('/')}`;
    try {
      if (size < this.multipartCopyThreshold) {
        await this.client.send(
          new CopyObjectCommand({
            Bucket: this.bucket,
            Key: this.key(sha256),
            CopySource: copySource,
            MetadataDirective: 'REPLACE',
            Metadata: { sha256 },
          }),
          { abortSignal: options.signal },
        );
      } else {
        await this.multipartCopy(copySource, sha256, size, progress.add, options.signal);
      }
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'NotImplemented' || name === 'AccessDenied') return null;
      // An aborted CopyObject may still complete on the server: remove what we may have made.
      if (options.signal?.aborted) {
        await this.delete(sha256).catch(() => undefined);
        throw canceledError();
      }
      throw this.asError(error, `Cannot copy ${sha256} from ${source.description} to ${this.description}.`);
    }
    progress.add(size - progress.bytesDone);
    progress.flush();
    await this.verifyOrDelete(sha256, size, options);
    return { bytesCopied: size, via: 'server' };
  }

  private async multipartCopy(
    copySource: string,
    sha256: string,
    size: number,
    onPartDone: (bytes: number) => void,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const key = this.key(sha256);
    const created = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, Metadata: { sha256 } }),
      { abortSignal: signal },
    );
    const uploadId = created.UploadId;
    try {
      const ranges: { partNumber: number; start: number; end: number }[] = [];
      for (let start = 0, partNumber = 1; start < size; start += COPY_PART_SIZE, partNumber++) {
        ranges.push({ partNumber, start, end: Math.min(size, start + COPY_PART_SIZE) - 1 });
      }
      const parts: CompletedPart[] = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < ranges.length) {
          const range = ranges[next++];
          throwIfAborted(signal);
          const result = await this.client.send(
            new UploadPartCopyCommand({
              Bucket: this.bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: range.partNumber,
              CopySource: copySource,
              CopySourceRange: `bytes=${range.start}-${range.end}`,
            }),
            { abortSignal: signal },
          );
          parts.push({ PartNumber: range.partNumber, ETag: result.CopyPartResult?.ETag });
          onPartDone(range.end - range.start + 1);
        }
      };
      await Promise.all(Array.from({ length: Math.min(UPLOAD_QUEUE, ranges.length) }, worker));
      parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
      );
    } catch (error) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }))
        .catch(() => undefined);
      throw error;
    }
  }

  /** Reads the stored object back and hashes it; deletes it and throws when it is wrong. */
  private async verifyOrDelete(sha256: string, size: number, options: PutOptions): Promise<void> {
    const verifying = phaseReporter(size, options.onProgress, 'verifying');
    let actual: string | null;
    try {
      actual = await this.readBackHash(sha256, (bytes) => verifying.add(bytes), options.signal);
    } catch (error) {
      await this.delete(sha256).catch(() => undefined);
      throw error;
    }
    verifying.flush();
    if (actual !== sha256) {
      await this.delete(sha256).catch(() => undefined);
      throw hashMismatchError(sha256, size, actual ?? 'nothing', verifying.bytesDone, this.description);
    }
  }

  /** The SHA-256 of the stored bytes, or null when the object is absent. */
  private async readBackHash(
    sha256: string,
    onBytes?: (bytes: number) => void,
    signal?: AbortSignal,
  ): Promise<string | null> {
    let body: Readable;
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(sha256) }), {
        abortSignal: signal,
      });
      body = response.Body as Readable;
    } catch (error) {
      if (isMissing(error)) return null;
      throw this.asError(error, `Cannot read back ${this.uri(sha256)}.`);
    }
    const hash = createHash('sha256');
    try {
      for await (const data of body as AsyncIterable<Buffer>) {
        throwIfAborted(signal);
        hash.update(data);
        onBytes?.(data.length);
      }
    } catch (error) {
      body.destroy();
      throw this.asError(error, `Cannot read back ${this.uri(sha256)}.`);
    }
    return hash.digest('hex');
  }

  private asError(error: unknown, message: string): VmarketError {
    if (error instanceof VmarketError) return error;
    if (isAbortError(error)) return canceledError();
    return this.failed(message, error);
  }

  private failed(message: string, error: unknown): VmarketError {
    if (error instanceof VmarketError) return error;
    const name = (error as Error | null)?.name ?? 'Error';
    const reason = (error as Error | null)?.message ?? String(error);
    return new VmarketError('STORAGE_FAILED', `${message} ${name}: ${reason}`, { cause: error });
  }
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return e?.$metadata?.httpStatusCode === 404 || e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.name === 'NoSuchBucket';
}
