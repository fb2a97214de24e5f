/**
 * The virtual disk of a sparse format (dynamic VHD, qcow2, VMDK, VHDX) as a RangeReader. Each
 * format answers only "what lies at virtual byte X" (`ExtentMap.extentAt`): a run of zeros, a run
 * stored at some file offset, or bytes it decoded (a compressed cluster). This class does the rest
 * the same way for all of them: bounds, zero fill, and one file read for each run of extents that
 * are contiguous in the file (a 4 MiB read of a freshly converted qcow2 is one read, not 64).
 */
import { VmarketError } from '../../../errors.ts';
import { type Phrase, say } from '../../../i18n/localized.ts';
import { readableLength } from '../range.ts';
import { SliceReader } from '../slice.ts';
import type { RangeReader } from '../types.ts';

export type Extent =
  /** Reads as zeros: unallocated (no backing file is ever followed) or marked zero. */
  | { kind: 'zero'; length: number }
  /** Stored verbatim at `fileOffset` in the image file. */
  | { kind: 'data'; length: number; fileOffset: number }
  /** Decoded by the reader (an inflated cluster or grain): `bytes` starts at the asked position. */
  | { kind: 'bytes'; length: number; bytes: Buffer };

export interface ExtentMap {
  /**
   * The run that starts at virtual byte `position` (0 ≤ position < size), at least one byte long;
   * it may end early (at a cluster boundary) and is clipped by the caller to what it needs.
   * `wanted` says how many bytes from `position` the caller needs: a map that finds long runs by
   * looking ahead in its table need not look further (a small random read stays cheap).
   */
  extentAt(position: number, wanted: number): Promise<Extent>;
}

const emptyExtent: Phrase<[position: number]> = {
  en: (position) => `The image's allocation table gives no data for virtual byte ${position}.`,
  de: (position) => `Die Belegungstabelle des Images liefert keine Daten für das virtuelle Byte ${position}.`,
};
const dataBeyondFile: Phrase<[fileOffset: number, fileSize: number]> = {
  en: (offset, size) => `The image's allocation table points to byte ${offset}, beyond the end of the ${size}-byte file.`,
  de: (offset, size) => `Die Belegungstabelle des Images verweist auf Byte ${offset}, hinter dem Ende der ${size} Byte großen Datei.`,
};

export class MappedDisk implements RangeReader {
  readonly size: number;
  readonly #file: RangeReader;
  readonly #map: ExtentMap;

  constructor(file: RangeReader, size: number, map: ExtentMap) {
    this.#file = file;
    this.size = size;
    this.#map = map;
  }

  async read(position: number, length: number): Promise<Buffer> {
    const wanted = readableLength(this.size, position, length);
    const first = wanted > 0 ? await this.#map.extentAt(position, wanted) : null;
    // the common case, a read inside one run of file bytes: the file's buffer is the answer, no copy
    if (first?.kind === 'data' && first.length >= wanted) return this.#readRun(first.fileOffset, wanted);
    const out = Buffer.allocUnsafe(wanted);
    const reads: Promise<void>[] = [];
    // the pending run of file bytes: [runFile, runFile + runLength) lands at out[runOut…]
    let runFile = 0;
    let runOut = 0;
    let runLength = 0;
    const flush = () => {
      if (runLength === 0) return;
      reads.push(this.#readFile(out, runOut, runFile, runLength));
      runLength = 0;
    };
    let done = 0;
    while (done < wanted) {
      const extent = done === 0 && first ? first : await this.#map.extentAt(position + done, wanted - done);
      const n = Math.min(extent.length, wanted - done);
      if (!(n > 0)) throw new VmarketError('IMAGE_CORRUPT', say(emptyExtent, position + done));
      if (extent.kind === 'data') {
        if (runLength > 0 && runFile + runLength === extent.fileOffset) runLength += n;
        else {
          flush();
          runFile = extent.fileOffset;
          runOut = done;
          runLength = n;
        }
      } else {
        flush();
        if (extent.kind === 'zero') out.fill(0, done, done + n);
        else extent.bytes.copy(out, done, 0, n);
      }
      done += n;
    }
    flush();
    await Promise.all(reads);
    return out;
  }

  async #readFile(out: Buffer, at: number, fileOffset: number, length: number): Promise<void> {
    (await this.#readRun(fileOffset, length)).copy(out, at);
  }

  /** A run that starts inside the file but runs past its end reads as zeros past the end, as QEMU reads it. */
  async #readRun(fileOffset: number, length: number): Promise<Buffer> {
    if (!Number.isSafeInteger(fileOffset) || fileOffset < 0 || fileOffset >= this.#file.size) {
      throw new VmarketError('IMAGE_CORRUPT', say(dataBeyondFile, fileOffset, this.#file.size));
    }
    const bytes = await this.#file.read(fileOffset, length);
    if (bytes.length === length) return bytes;
    return Buffer.concat([bytes, Buffer.alloc(length - bytes.length)]);
  }

  slice(offset: number, length: number): RangeReader {
    return new SliceReader(this, offset, length);
  }
}
