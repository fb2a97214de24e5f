/**
 * Compressed qcow2 clusters (qcow2.txt, "Compressed Clusters Descriptor"): an L2 entry with bit 62
 * set holds the host byte offset in bits 0..x-1 and the number of additional 512-byte sectors in
 * bits x..61, x = 62 - (cluster_bits - 8). The data is raw deflate or a zstd frame (the header's
 * compression type) that must inflate to exactly one cluster, as QEMU requires. Inflated clusters
 * are kept in an LRU by byte budget: certification reads a cluster many times in small pieces.
 */
import { constants, inflateRawSync, zstdDecompressSync } from 'node:zlib';
import { VmarketError } from '../../../errors.ts';
import { type Phrase, say } from '../../../i18n/localized.ts';
import { LruCache } from '../../../util/lru.ts';
import type { RangeReader } from '../types.ts';
import type { Qcow2Compression } from './qcow2-header.ts';
import { zstdFrameLength } from './zstd-frame.ts';

const COMPRESSED_SECTOR = 512;
const CACHE_BYTES = 32 * 1024 * 1024;

const beyondFile: Phrase<[virtual: number, host: number, fileSize: number]> = {
  en: (virtual, host, size) => `The compressed qcow2 cluster at virtual byte ${virtual} starts at byte ${host}, beyond the end of the ${size}-byte file.`,
  de: (virtual, host, size) => `Der komprimierte qcow2-Cluster beim virtuellen Byte ${virtual} beginnt bei Byte ${host}, hinter dem Ende der ${size} Byte großen Datei.`,
};
const doesNotInflate: Phrase<[virtual: number, host: number, method: string, reason: string]> = {
  en: (virtual, host, method, reason) => `The compressed qcow2 cluster at virtual byte ${virtual} (file byte ${host}) does not decompress with ${method}: ${reason}.`,
  de: (virtual, host, method, reason) => `Der komprimierte qcow2-Cluster beim virtuellen Byte ${virtual} (Dateibyte ${host}) lässt sich nicht mit ${method} entpacken: ${reason}.`,
};
const wrongLength: Phrase<[virtual: number, host: number, length: number, clusterSize: number]> = {
  en: (virtual, host, length, cluster) => `The compressed qcow2 cluster at virtual byte ${virtual} (file byte ${host}) decompresses to ${length} bytes instead of one ${cluster}-byte cluster.`,
  de: (virtual, host, length, cluster) => `Der komprimierte qcow2-Cluster beim virtuellen Byte ${virtual} (Dateibyte ${host}) ergibt entpackt ${length} Byte statt eines Clusters von ${cluster} Byte.`,
};

/** Where a compressed cluster lies: `hostOffset` (any byte) and at most `length` bytes from there. */
export interface CompressedLocation {
  hostOffset: number;
  length: number;
}

/** Decodes the descriptor in bits 0..61 of an L2 entry (`high`, `low`: its two 32-bit halves). */
export function compressedLocation(high: number, low: number, clusterBits: number): CompressedLocation {
  const descriptor = (BigInt(high & 0x3fffffff) << 32n) | BigInt(low >>> 0);
  const sizeBits = BigInt(clusterBits - 8);
  const offsetBits = 62n - sizeBits;
  const hostOffset = Number(descriptor & ((1n << offsetBits) - 1n));
  const sectors = Number((descriptor >> offsetBits) & ((1n << sizeBits) - 1n)) + 1;
  // the count is of sectors from the one holding the first byte; the first sector may be partial
  return { hostOffset, length: sectors * COMPRESSED_SECTOR - (hostOffset % COMPRESSED_SECTOR) };
}

export class CompressedClusters {
  readonly #file: RangeReader;
  readonly #clusterSize: number;
  readonly #compression: Qcow2Compression;
  readonly #cache = new LruCache<number, Buffer>(CACHE_BYTES);

  constructor(file: RangeReader, clusterSize: number, compression: Qcow2Compression) {
    this.#file = file;
    this.#clusterSize = clusterSize;
    this.#compression = compression;
  }

  /** The inflated cluster at `location`; `virtualOffset` names it in an error. */
  async cluster(location: CompressedLocation, virtualOffset: number): Promise<Buffer> {
    const cached = this.#cache.get(location.hostOffset);
    if (cached) return cached;
    const { hostOffset } = location;
    if (hostOffset >= this.#file.size) throw new VmarketError('IMAGE_CORRUPT', say(beyondFile, virtualOffset, hostOffset, this.#file.size));
    // the last compressed cluster may end inside its last sector, where the file ends: QEMU reads what is there
    const stored = await this.#file.read(hostOffset, Math.min(location.length, this.#file.size - hostOffset));
    const inflated = this.#decompress(stored, virtualOffset, hostOffset);
    if (inflated.length !== this.#clusterSize) throw new VmarketError('IMAGE_CORRUPT', say(wrongLength, virtualOffset, hostOffset, inflated.length, this.#clusterSize));
    this.#cache.set(hostOffset, inflated, inflated.length);
    return inflated;
  }

  #decompress(stored: Buffer, virtualOffset: number, hostOffset: number): Buffer {
    const fail = (reason: string) => new VmarketError('IMAGE_CORRUPT', say(doesNotInflate, virtualOffset, hostOffset, this.#compression, reason));
    // a stream that would inflate past one cluster fails on maxOutputLength instead of allocating
    const limits = { maxOutputLength: this.#clusterSize };
    try {
      if (this.#compression === 'deflate') {
        // raw deflate; the bytes after the stream's end (the rest of its last sector) are ignored,
        // and a stream cut short (a truncated file) answers what it holds, which the length check refuses
        return inflateRawSync(stored, { ...limits, finishFlush: constants.Z_SYNC_FLUSH });
      }
      const frame = zstdFrameLength(stored);
      if (frame === null) throw fail('no complete zstd frame');
      return zstdDecompressSync(stored.subarray(0, frame), limits);
    } catch (error) {
      if (error instanceof VmarketError) throw error;
      throw fail(error instanceof Error ? error.message : String(error));
    }
  }
}
