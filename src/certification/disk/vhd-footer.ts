/**
 * The 512-byte VHD footer (Microsoft "Virtual Hard Disk Image Format Specification"): big-endian
 * fields, a one's-complement checksum over the footer with the checksum field taken as zero.
 */
import type { VhdFooter } from './types.ts';

export const VHD_FOOTER_SIZE = 512;
export const VHD_COOKIE = 'conectix';
export const VHD_DYNAMIC_COOKIE = 'cxsparse';
const CHECKSUM_OFFSET = 64;

export const VHD_DISK_TYPES: Record<number, string> = { 2: 'fixed', 3: 'dynamic', 4: 'differencing' };

/** The checksum the footer should carry: one's complement of the byte sum, checksum field skipped. */
export function vhdChecksum(footer: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < VHD_FOOTER_SIZE; i++) {
    if (i >= CHECKSUM_OFFSET && i < CHECKSUM_OFFSET + 4) continue;
    sum += footer[i];
  }
  return ~sum >>> 0;
}

export function hasVhdCookie(bytes: Buffer, offset = 0): boolean {
  return bytes.length >= offset + 8 && bytes.toString('latin1', offset, offset + 8) === VHD_COOKIE;
}

/** Decodes a footer whose cookie is `conectix` (the caller checks the cookie). */
export function parseVhdFooter(footer: Buffer): VhdFooter {
  const checksum = footer.readUInt32BE(CHECKSUM_OFFSET);
  return {
    cookie: footer.toString('latin1', 0, 8),
    features: footer.readUInt32BE(8),
    formatVersion: footer.readUInt32BE(12),
    dataOffset: footer.readBigUInt64BE(16),
    timestamp: footer.readUInt32BE(24),
    creatorApplication: printable(footer.subarray(28, 32)),
    creatorHostOs: printable(footer.subarray(36, 40)),
    originalSize: Number(footer.readBigUInt64BE(40)),
    currentSize: Number(footer.readBigUInt64BE(48)),
    geometry: { cylinders: footer.readUInt16BE(56), heads: footer[58], sectorsPerTrack: footer[59] },
    diskType: footer.readUInt32BE(60),
    checksum,
    checksumValid: checksum === vhdChecksum(footer),
    uniqueId: formatUniqueId(footer.subarray(68, 84)),
    savedState: footer[84],
  };
}

function printable(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/[^\x20-\x7e]/g, '?');
}

function formatUniqueId(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
