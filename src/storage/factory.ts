/**
 * Builds the BlobStore a `storage` block of the server configuration (docs/contracts.md §3) describes.
 * Paths arrive already resolved by `loadConfig`; credentials, when the config names none, come
 * from the AWS SDK's default chain.
 */
import type { StorageConfig } from '../config/schema.ts';
import { FsBlobStore } from './fs-store.ts';
import { S3BlobStore } from './s3-store.ts';
import type { BlobStore } from './types.ts';

/** A store for `{type: 'fs', path}` or `{type: 's3', endpoint, bucket, region, forcePathStyle, prefix, accessKeyId, secretAccessKey}`. */
export function createBlobStore(storage: StorageConfig): BlobStore {
  if (storage.type === 'fs') return new FsBlobStore(storage.path);
  const credentials =
    storage.accessKeyId && storage.secretAccessKey
      ? { accessKeyId: storage.accessKeyId, secretAccessKey: storage.secretAccessKey }
      : undefined;
  return new S3BlobStore({
    endpoint: storage.endpoint,
    bucket: storage.bucket,
    region: storage.region,
    forcePathStyle: storage.forcePathStyle,
    prefix: storage.prefix,
    credentials,
  });
}
