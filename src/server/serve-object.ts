/**
 * Serving one stored object over HTTP the way download clients expect (RFC 9110): GET and HEAD,
 * a single `Range` (206 with Content-Range; 416 when it starts past the end), `If-Range` against
 * the ETag (a changed file is sent whole instead of a range that would splice two files),
 * `If-None-Match`, `ETag` = the stored SHA-256, `Content-Length`, `Accept-Ranges: bytes` and a
 * `Content-Disposition` file name. The bytes stream from the store, never buffered. This module
 * knows nothing of who may download: the route decides that and hears what was served.
 */
import { pipeline, Transform } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BlobStore, ByteRange } from '../storage/types.ts';

export interface StoredObject {
  store: BlobStore;
  /** The object's key in the store and its ETag. */
  sha256: string;
  size: number;
  /** The name the client saves it as (Content-Disposition). */
  fileName: string;
  contentType?: string;
}

/** What one GET sent, told when its response closed (completed, or cut off by the client). */
export interface ServedBytes {
  /** The first byte asked for: 0 for a whole file or a range from the start. */
  start: number;
  /** Bytes asked for (the whole file or the range). */
  length: number;
  /** Bytes actually written to the response. */
  bytes: number;
}

/**
 * The one range of a `Range` header within `size` bytes; `undefined` when the header is absent,
 * not a single byte range, or malformed (the whole file is then sent, as RFC 9110 allows), and
 * `unsatisfiable` for a range that starts at or past the end (416).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return undefined;
  const [, first, last] = match as unknown as [string, string, string];
  if (first === '' && last === '') return undefined;
  if (first === '') {
    // a suffix: the last N bytes
    const n = Number(last);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Number(last);
  return { start, end: Math.min(end, size - 1) };
}

/** `attachment` with an ASCII fallback and the RFC 5987 UTF-8 name. */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/**
 * Answers `request` (GET or HEAD) with `object`; `onServed` hears, for a GET that sent a body,
 * how much it asked for and how many bytes went out (after the response closed).
 */
export async function serveStoredObject(
  request: FastifyRequest,
  reply: FastifyReply,
  object: StoredObject,
  onServed?: (served: ServedBytes) => void,
): Promise<FastifyReply> {
  const etag = `"${object.sha256}"`;
  reply.headers({
    'accept-ranges': 'bytes',
    etag,
    'content-type': object.contentType ?? 'application/octet-stream',
    'content-disposition': contentDisposition(object.fileName),
    // the link is the customer's own and expires; intermediaries must not re-encode disk images
    'cache-control': 'private, no-transform',
  });
  const ifNoneMatch = request.headers['if-none-match'];
  if (typeof ifNoneMatch === 'string' && ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')) {
    return reply.code(304).send();
  }
  let range = parseRange(typeof request.headers.range === 'string' ? request.headers.range : undefined, object.size);
  const ifRange = request.headers['if-range'];
  // If-Range: the range only when the client's copy is this file (a date or another ETag: the whole file)
  if (range !== undefined && ifRange !== undefined && ifRange !== etag) range = undefined;
  if (range === 'unsatisfiable') {
    reply.removeHeader('content-disposition');
    return reply.code(416).header('content-range', `bytes */${object.size}`).header('content-length', '0').send();
  }
  const start = range?.start ?? 0;
  const length = range ? range.end - range.start + 1 : object.size;
  reply.code(range ? 206 : 200).header('content-length', String(length));
  if (range) reply.header('content-range', `bytes ${range.start}-${range.end}/${object.size}`);
  if (request.method === 'HEAD' || length === 0) return reply.send();

  const source = await object.store.read(object.sha256, range);
  let bytes = 0;
  // counts what passes on to the response (not a 'data' listener: that would start the flow early)
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  // an error of the store's stream destroys `counted`, which ends the response early
  pipeline(source, counted, () => {});
  reply.raw.once('close', () => onServed?.({ start, length, bytes }));
  return reply.send(counted);
}
