/**
 * A RangeReader over an image file: positioned reads through one FileHandle, so nothing buffers
 * the image and readers over different ranges (disk, partitions) share the handle.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { VmarketError } from '../../errors.ts';
import { type Phrase, say } from '../../i18n/localized.ts';
import { checkSlice, readableLength } from './range.ts';
import type { RangeReader } from './types.ts';

export interface FileReader {
  /** The whole file. */
  reader: RangeReader;
  close(): Promise<void>;
}

const endedAt: Phrase<[position: number]> = {
  en: (position) => `The image file ended at byte ${position} while reading it.`,
  de: (position) => `Die Image-Datei endete beim Lesen bei Byte ${position}.`,
};

class HandleRangeReader implements RangeReader {
  readonly size: number;
  readonly #handle: FileHandle;
  /** Byte offset of this range in the file. */
  readonly #base: number;

  constructor(handle: FileHandle, base: number, size: number) {
    this.#handle = handle;
    this.#base = base;
    this.size = size;
  }

  async read(position: number, length: number): Promise<Buffer> {
    const wanted = readableLength(this.size, position, length);
    const buffer = Buffer.allocUnsafe(wanted);
    let done = 0;
    while (done < wanted) {
      const { bytesRead } = await this.#handle.read(buffer, done, wanted - done, this.#base + position + done);
      if (bytesRead === 0) {
        // The file shrank under us: the range no longer exists.
        throw new VmarketError('IMAGE_CORRUPT', say(endedAt, this.#base + position + done));
      }
      done += bytesRead;
    }
    return buffer;
  }

  slice(offset: number, length: number): RangeReader {
    checkSlice(this.size, offset, length);
    return new HandleRangeReader(this.#handle, this.#base + offset, length);
  }
}

/** Opens `path` for positioned reads; FILE_UNREADABLE when it cannot be opened or is not a file. */
export async function openFileReader(path: string): Promise<FileReader> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new VmarketError('FILE_UNREADABLE', `Cannot open the image file ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new VmarketError('FILE_UNREADABLE', `The image ${path} is not a regular file.`);
    let closed = false;
    return {
      reader: new HandleRangeReader(handle, 0, stat.size),
      async close() {
        if (closed) return;
        closed = true;
        await handle.close();
      },
    };
  } catch (error) {
    await handle.close();
    if (error instanceof VmarketError) throw error;
    throw new VmarketError('FILE_UNREADABLE', `Cannot read the image file ${path}: ${(error as Error).message}`, { cause: error });
  }
}
