/**
 * Test doubles of the disk layer's RangeReader: one over a file (positioned reads through a
 * FileHandle) and one over a Buffer (for fuzzing corrupted copies in memory). Both refuse reads
 * outside their range with IMAGE_CORRUPT, as the contract says.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { VmarketError } from '../../../src/errors.ts';
import type { RangeReader } from '../../../src/certification/disk/types.ts';

function check(size: number, position: number, length: number): void {
  if (!Number.isSafeInteger(position) || !Number.isSafeInteger(length) || position < 0 || length < 0 || position > size) {
    throw new VmarketError('IMAGE_CORRUPT', `read of ${length} bytes at ${position} is outside the range of ${size} bytes`);
  }
}

export class BufferRangeReader implements RangeReader {
  readonly size: number;
  readonly #buffer: Buffer;
  readonly #offset: number;
  /** Counts bytes read, so tests can see that reads stay bounded. */
  bytesRead = 0;

  constructor(buffer: Buffer, offset = 0, size = buffer.length - offset) {
    this.#buffer = buffer;
    this.#offset = offset;
    this.size = size;
  }

  async read(position: number, length: number): Promise<Buffer> {
    check(this.size, position, length);
    const end = Math.min(position + length, this.size);
    this.bytesRead += end - position;
    // A view, not a copy: the reader never writes to what it reads, and copying every read made
    // the fuzz cases several times slower.
    return this.#buffer.subarray(this.#offset + position, this.#offset + end);
  }

  slice(offset: number, length: number): RangeReader {
    check(this.size, offset, length);
    if (offset + length > this.size) throw new VmarketError('IMAGE_CORRUPT', 'slice outside the range');
    return new BufferRangeReader(this.#buffer, this.#offset + offset, length);
  }
}

export class FileRangeReader implements RangeReader {
  readonly size: number;
  readonly #handle: FileHandle;
  readonly #offset: number;

  private constructor(handle: FileHandle, offset: number, size: number) {
    this.#handle = handle;
    this.#offset = offset;
    this.size = size;
  }

  static async open(path: string): Promise<{ reader: FileRangeReader; close: () => Promise<void> }> {
    const handle = await open(path, 'r');
    const { size } = await handle.stat();
    return { reader: new FileRangeReader(handle, 0, size), close: () => handle.close() };
  }

  async read(position: number, length: number): Promise<Buffer> {
    check(this.size, position, length);
    const want = Math.min(length, this.size - position);
    const buffer = Buffer.allocUnsafe(want);
    let done = 0;
    while (done < want) {
      const { bytesRead } = await this.#handle.read(buffer, done, want - done, this.#offset + position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === want ? buffer : buffer.subarray(0, done);
  }

  slice(offset: number, length: number): RangeReader {
    check(this.size, offset, length);
    if (offset + length > this.size) throw new VmarketError('IMAGE_CORRUPT', 'slice outside the range');
    return new FileRangeReader(this.#handle, this.#offset + offset, length);
  }
}
