/** Reading streams whole in tests: their bytes, their SHA-256. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

type Chunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array> | NodeJS.ReadableStream;

/** Every chunk of `stream`, concatenated. */
export async function collect(stream: Chunks): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** The SHA-256 (hex) of everything `stream` yields. */
export async function sha256Of(stream: Chunks): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream as AsyncIterable<Uint8Array>) hash.update(chunk);
  return hash.digest('hex');
}

/** The SHA-256 (hex) of a file's contents. */
export function sha256File(path: string): Promise<string> {
  return sha256Of(createReadStream(path));
}
