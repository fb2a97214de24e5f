/**
 * The dynamic-disk header of a dynamic VHD (Microsoft "Virtual Hard Disk Image Format
 * Specification", "Dynamic Disk Header"): 1,024 big-endian bytes at the footer's data offset,
 * cookie `cxsparse`, with where the block allocation table is, how many entries it has and how
 * large each block is. Checked as QEMU's block/vpc.c checks it before reading any block.
 */
import { VmarketError } from '../../../errors.ts';
import { fixed, type Localized, type Phrase, say } from '../../../i18n/localized.ts';
import type { RangeReader } from '../types.ts';
import { VHD_DYNAMIC_COOKIE } from '../vhd-footer.ts';

export const DYNAMIC_HEADER_SIZE = 1024;
const CHECKSUM_OFFSET = 36;
/** Virtual PC and Hyper-V write 2 MiB (Hyper-V also 512 KiB); 256 MiB leaves room for any writer. */
const MAX_BLOCK_BYTES = 256 * 1024 * 1024;

export interface DynamicVhdHeader {
  tableOffset: number;
  maxTableEntries: number;
  blockSize: number;
  /** Bytes of the sector bitmap before each block's data: one bit per sector, padded to a sector. */
  bitmapSize: number;
}

const headerOutside: Phrase<[offset: string, fileSize: number]> = {
  en: (offset, size) => `The VHD footer places the dynamic disk header at byte ${offset}, outside the ${size}-byte file.`,
  de: (offset, size) => `Der VHD-Footer legt den Header der dynamischen Disk auf Byte ${offset}, außerhalb der ${size} Byte großen Datei.`,
};
const NO_COOKIE = fixed(
  `The dynamic VHD's header lacks the cookie "${VHD_DYNAMIC_COOKIE}".`,
  `Dem Header der dynamischen VHD fehlt das Cookie „${VHD_DYNAMIC_COOKIE}“.`,
);
const badChecksum: Phrase<[stored: string, computed: string]> = {
  en: (stored, computed) => `The dynamic VHD header's checksum is ${stored}, but its contents give ${computed}.`,
  de: (stored, computed) => `Die Prüfsumme im Header der dynamischen VHD ist ${stored}, aus seinem Inhalt ergibt sich aber ${computed}.`,
};
const badBlockSize: Phrase<[size: number]> = {
  en: (size) => `The dynamic VHD's block size of ${size} bytes is not a power of two between 512 bytes and 256 MiB.`,
  de: (size) => `Die Blockgröße der dynamischen VHD von ${size} Byte ist keine Zweierpotenz zwischen 512 Byte und 256 MiB.`,
};

/** Reads and checks the header; a bad checksum is a problem (QEMU reads such a disk too), anything else throws. */
export async function readDynamicVhdHeader(file: RangeReader, dataOffset: bigint, problems: Localized[]): Promise<DynamicVhdHeader> {
  if (dataOffset < 0n || dataOffset + BigInt(DYNAMIC_HEADER_SIZE) > BigInt(file.size)) {
    throw new VmarketError('IMAGE_CORRUPT', say(headerOutside, dataOffset.toString(), file.size));
  }
  const bytes = await file.read(Number(dataOffset), DYNAMIC_HEADER_SIZE);
  if (bytes.toString('latin1', 0, 8) !== VHD_DYNAMIC_COOKIE) throw new VmarketError('IMAGE_CORRUPT', NO_COOKIE);
  const stored = bytes.readUInt32BE(CHECKSUM_OFFSET);
  const computed = headerChecksum(bytes);
  if (stored !== computed) problems.push(say(badChecksum, hex32(stored), hex32(computed)));
  const blockSize = bytes.readUInt32BE(32);
  if (blockSize < 512 || blockSize > MAX_BLOCK_BYTES || (blockSize & (blockSize - 1)) !== 0) {
    throw new VmarketError('IMAGE_CORRUPT', say(badBlockSize, blockSize));
  }
  const tableOffset = bytes.readBigUInt64BE(16);
  return {
    // beyond any file: checkTableInFile rejects it when the table is first needed
    tableOffset: tableOffset > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(tableOffset),
    maxTableEntries: bytes.readUInt32BE(28),
    blockSize,
    // QEMU's rounding, whole bytes of bitmap first: a block under 4 KiB has no bitmap sector at all there
    bitmapSize: Math.ceil(Math.floor(blockSize / (8 * 512)) / 512) * 512,
  };
}

/** One's complement of the byte sum with the checksum field taken as zero (the footer's rule, over 1,024 bytes). */
function headerChecksum(bytes: Buffer): number {
  let sum = 0;
  for (let i = 0; i < DYNAMIC_HEADER_SIZE; i++) {
    if (i < CHECKSUM_OFFSET || i >= CHECKSUM_OFFSET + 4) sum += bytes[i];
  }
  return ~sum >>> 0;
}

export function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
