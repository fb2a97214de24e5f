/**
 * The checksum lvm2 puts on its label, metadata-area header and metadata text (lib/misc/crc.c,
 * `calc_crc`): the reflected CRC-32 of IEEE 802.3, started from 0xf597a6cf and without the final
 * inversion. zlib's CRC-32 inverts on the way in and out, so inverting around it gives lvm2's value
 * with Node's native implementation (Node 24 always has `zlib.crc32`).
 */
import { crc32 } from 'node:zlib';

/** lvm2's INITIAL_CRC. */
export const LVM_INITIAL_CRC = 0xf597a6cf;

/** `calc_crc(previous, data)`: chain calls over pieces (wrapped metadata) by passing the last result. */
export function lvmCrc(data: Uint8Array, previous = LVM_INITIAL_CRC): number {
  return ~crc32(data, ~previous >>> 0) >>> 0;
}

/** A checksum as lvm2's tools print it: 0x followed by 8 hex digits. */
export function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
