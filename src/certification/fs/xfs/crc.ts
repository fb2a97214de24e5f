/**
 * XFS metadata checksums (v5 file systems): CRC-32C of the whole structure with its own 4-byte
 * checksum field counted as zero, stored little-endian (the kernel's xfs_cksum.h), and the
 * self-describing headers' UUID, owner and position checks.
 */
import type { Localized } from '../../../i18n/localized.ts';
import { crc32cWithoutField } from '../../disk/crc32c.ts';
import { corrupt } from './errors.ts';
import { crcMismatch, otherUuid } from './texts.ts';

/** Throws IMAGE_CORRUPT naming `what` when the CRC at `offset` of `bytes` is wrong. */
export function checkCrc(bytes: Buffer, offset: number, what: () => Localized): void {
  if (bytes.readUInt32LE(offset) !== crc32cWithoutField(bytes, offset)) throw corrupt(crcMismatch(what()));
}

/** Throws when the 16-byte UUID at `offset` is not the file system's metadata UUID. */
export function checkUuid(bytes: Buffer, offset: number, uuid: Buffer, what: () => Localized): void {
  if (bytes.compare(uuid, 0, 16, offset, offset + 16) !== 0) throw corrupt(otherUuid(what()));
}
