/**
 * The demo's sample OS image: a 24 MiB fixed VHD with an ext4 Ubuntu-like root that passes
 * certification, shipped gzip-compressed in the package (assets/sample, made by
 * scripts/make-sample-image.ts) so the demo needs no e2fsprogs or other tool on the user's machine.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { VmarketError } from '../errors.ts';

const ASSET = fileURLToPath(new URL('../../assets/sample/sample-os.vhd.gz', import.meta.url));
const ASSET_SHA256 = fileURLToPath(new URL('../../assets/sample/sample-os.vhd.sha256', import.meta.url));
export const SAMPLE_IMAGE_NAME = 'sample-os.vhd';

async function expectedSha256(): Promise<string> {
  const text = await readFile(ASSET_SHA256, 'utf8').catch((error: Error) => {
    throw new VmarketError('FILE_UNREADABLE', `the sample image's checksum ${ASSET_SHA256} cannot be read: ${error.message}`, { cause: error });
  });
  const hash = /^([0-9a-f]{64})\b/.exec(text.trim())?.[1];
  if (!hash) throw new VmarketError('FILE_UNREADABLE', `${ASSET_SHA256} does not start with a SHA-256`);
  return hash;
}

async function sha256Of(file: string): Promise<string | null> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  } catch {
    return null;
  }
  return hash.digest('hex');
}

/** Returns the sample image's path in `dir`, writing it from the packaged asset when it is missing or differs. */
export async function ensureSampleImage(dir: string): Promise<string> {
  const target = path.join(dir, SAMPLE_IMAGE_NAME);
  const expected = await expectedSha256();
  if ((await sha256Of(target)) === expected) return target;
  await mkdir(dir, { recursive: true });
  const temporary = path.join(dir, `.${SAMPLE_IMAGE_NAME}.${randomUUID()}.tmp`);
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(ASSET), createGunzip(), hashing, createWriteStream(temporary));
    const actual = hash.digest('hex');
    if (actual !== expected) throw new VmarketError('HASH_MISMATCH', `the packaged sample image ${ASSET} is damaged (sha256 ${actual}, expected ${expected})`);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    if (error instanceof VmarketError) throw error;
    throw new VmarketError('FILE_UNREADABLE', `cannot write the sample image to ${dir}: ${(error as Error).message}`, { cause: error });
  }
  return target;
}
