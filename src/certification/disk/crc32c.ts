/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum VHDX puts on its headers,
 * region tables and log entries. Node has no native CRC-32C (`zlib.crc32` is the IEEE
 * polynomial), so this is the byte-wise table version: a 64 KiB region table costs well under a
 * millisecond, and only a few structures per image are checked.
 */

import { reflectedCrcTable } from './crc32.ts';

const POLYNOMIAL = 0x82f63b78;

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  table ??= reflectedCrcTable(POLYNOMIAL);
  return table;
}

export function crc32c(data: Uint8Array): number {
  const t = crcTable();
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The CRC-32C of a structure whose own checksum field (4 bytes at `fieldOffset`) counts as zero,
 * as VHDX defines it; `structure` is not modified.
 */
export function crc32cWithoutField(structure: Uint8Array, fieldOffset: number): number {
  const copy = Buffer.from(structure);
  copy.fill(0, fieldOffset, fieldOffset + 4);
  return crc32c(copy);
}
