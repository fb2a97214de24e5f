/**
 * CRC-32 (IEEE 802.3, as GPT uses it). Node 24 has a native `zlib.crc32`; the table version is
 * the fallback for runtimes without it.
 */
import * as zlib from 'node:zlib';

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** The byte-wise lookup table of a reflected CRC-32 with `polynomial` (IEEE 0xedb88320, Castagnoli 0x82f63b78). */
export function reflectedCrcTable(polynomial: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? polynomial ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  table ??= reflectedCrcTable(0xedb88320);
  return table;
}

export function crc32(data: Uint8Array): number {
  if (native) return native(data) >>> 0;
  const t = crcTable();
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
