/**
 * Seeded damage to disk images for the fuzz tests: bit flips and extreme 32/64-bit fields inside a
 * region (a footer, a partition table, a superblock …), and the checksums recomputed afterwards so
 * the code behind the CRC and checksum tests is reached too.
 */
import { crc32 } from '../../src/certification/disk/crc32.ts';
import { vhdChecksum } from '../../src/certification/disk/vhd-footer.ts';
import { SECTOR } from '../fixtures/partition-writer.ts';

export interface Region {
  name: string;
  start: number;
  length: number;
}

const EXTREMES = [0, 1, 2, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000, 0xffffffff];

/** The partition-table regions of a VHD of `bytes` bytes: its footer, MBR, GPT header and first GPT entries. */
export function tableRegions(bytes: number): Region[] {
  const disk = bytes - 512;
  return [
    { name: 'footer', start: disk, length: 512 },
    { name: 'sector 0', start: 0, length: 512 },
    { name: 'GPT header / sector 1', start: 512, length: 512 },
    { name: 'GPT entries', start: 1024, length: 4 * 128 },
  ];
}

export function mutate(bytes: Buffer, region: Region, random: () => number): void {
  const pick = (n: number) => Math.floor(random() * n);
  const at = region.start + pick(region.length);
  switch (pick(3)) {
    case 0: // flip a few bits
      for (let i = 0, n = 1 + pick(8); i < n; i++) bytes[region.start + pick(region.length)] ^= 1 << pick(8);
      break;
    case 1: {
      // an extreme or random 32-bit field, aligned as fields are
      const field = at - (at % 4);
      if (field + 4 > bytes.length) break;
      bytes.writeUInt32LE(random() < 0.5 ? EXTREMES[pick(EXTREMES.length)] : pick(2 ** 32), field);
      break;
    }
    default: {
      // a 64-bit field (LBAs, sizes): huge, zero, or pointing somewhere else on the disk
      const field = at - (at % 8);
      if (field + 8 > bytes.length) break;
      const value = [0n, 1n, 2n ** 63n, 2n ** 64n - 1n, BigInt(pick(bytes.length / SECTOR)), BigInt(pick(2 ** 32))][pick(6)];
      bytes.writeBigUInt64LE(value, field);
    }
  }
}

/** Recomputes the VHD checksum and both GPTs' CRCs, whatever the damage made of their fields. */
export function fixChecksums(bytes: Buffer): void {
  const footer = bytes.subarray(bytes.length - 512);
  if (footer.toString('latin1', 0, 8) === 'conectix') footer.writeUInt32BE(vhdChecksum(footer), 64);
  const diskEnd = bytes.length - 512;
  for (const lba of [1, diskEnd / SECTOR - 1]) {
    const header = bytes.subarray(lba * SECTOR, lba * SECTOR + SECTOR);
    if (header.toString('latin1', 0, 8) !== 'EFI PART') continue;
    const entriesAt = Number(header.readBigUInt64LE(72)) * SECTOR;
    const arrayBytes = header.readUInt32LE(80) * header.readUInt32LE(84);
    if (entriesAt + arrayBytes <= diskEnd) header.writeUInt32LE(crc32(bytes.subarray(entriesAt, entriesAt + arrayBytes)), 88);
    const size = Math.min(Math.max(header.readUInt32LE(12), 20), SECTOR);
    header.writeUInt32LE(0, 16);
    header.writeUInt32LE(crc32(header.subarray(0, size)), 16);
  }
}

