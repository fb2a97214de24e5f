/**
 * The LVM2 physical-volume label (lvm2 lib/label/label.h, lib/format_text/layout.h): a 512-byte
 * sector among the first four holding `LABELONE`, the sector's own number, a checksum over the
 * rest of the sector and the type `LVM2 001`; then the pv_header: the PV's uuid, its size, and
 * two zero-terminated lists of (offset, size) pairs, the data areas and the metadata areas.
 */
import { VmarketError } from '../../../errors.ts';
import type { Localized } from '../../../i18n/localized.ts';
import type { RangeReader } from '../types.ts';
import { hex32, lvmCrc } from './crc.ts';
import { areaListUnterminated, areaOutside, labelBadCrc, labelBadOffset, labelWrongSector, noLabel } from './texts.ts';

export const SECTOR = 512;
/** lvm2's LABEL_SCAN_SECTORS: the label is in one of the first four sectors. */
const LABEL_SECTORS = 4;
/** Bytes of the label header before the pv_header: id, sector, crc, offset, type. */
const LABEL_HEADER = 32;
/** The checksum covers the sector from the field after it (byte 20) to its end. */
const CRC_FROM = 20;
const PV_UUID_BYTES = 32;

export interface DiskArea {
  /** Byte offset from the start of the PV. */
  offset: number;
  /** 0 for a data area means "to the end of the PV". */
  size: number;
}

export interface PvLabel {
  sector: number;
  /** 32 characters without dashes, as stored. */
  uuid: string;
  deviceSize: number;
  dataAreas: DiskArea[];
  metadataAreas: DiskArea[];
}

function corrupt(message: Localized): VmarketError {
  return new VmarketError('IMAGE_CORRUPT', message);
}

/** The PV's label, or IMAGE_CORRUPT naming what is wrong with it. */
export async function readPvLabel(pv: RangeReader): Promise<PvLabel> {
  const head = await pv.read(0, LABEL_SECTORS * SECTOR);
  for (let sector = 0; sector < LABEL_SECTORS; sector++) {
    const at = sector * SECTOR;
    if (head.length < at + SECTOR) break;
    const bytes = head.subarray(at, at + SECTOR);
    if (bytes.toString('latin1', 0, 8) !== 'LABELONE' || bytes.toString('latin1', 24, 32) !== 'LVM2 001') continue;
    return parseLabelSector(bytes, sector, pv.size);
  }
  throw corrupt(noLabel);
}

function parseLabelSector(bytes: Buffer, sector: number, pvSize: number): PvLabel {
  const recorded = bytes.readBigUInt64LE(8);
  if (recorded !== BigInt(sector)) throw corrupt(labelWrongSector(sector, recorded.toString()));
  const stored = bytes.readUInt32LE(16);
  const computed = lvmCrc(bytes.subarray(CRC_FROM));
  if (stored !== computed) throw corrupt(labelBadCrc(sector, hex32(stored), hex32(computed)));
  const offset = bytes.readUInt32LE(20);
  if (offset < LABEL_HEADER || offset + PV_UUID_BYTES + 8 > SECTOR) throw corrupt(labelBadOffset(sector, offset));
  const uuid = bytes.toString('latin1', offset, offset + PV_UUID_BYTES);
  const deviceSize = bytes.readBigUInt64LE(offset + PV_UUID_BYTES);
  const lists = { at: offset + PV_UUID_BYTES + 8 };
  const dataAreas = areaList(bytes, lists, pvSize);
  const metadataAreas = areaList(bytes, lists, pvSize);
  for (const area of metadataAreas) {
    if (area.offset + area.size > pvSize) throw corrupt(areaOutside(area.offset, area.size, pvSize));
  }
  return { sector, uuid, deviceSize: clampSize(deviceSize), dataAreas, metadataAreas };
}

/** One zero-terminated list of (offset, size) pairs from `cursor.at`, which it moves past the terminator. */
function areaList(bytes: Buffer, cursor: { at: number }, pvSize: number): DiskArea[] {
  const areas: DiskArea[] = [];
  for (;;) {
    if (cursor.at + 16 > bytes.length) throw corrupt(areaListUnterminated);
    const offset = bytes.readBigUInt64LE(cursor.at);
    const size = bytes.readBigUInt64LE(cursor.at + 8);
    cursor.at += 16;
    if (offset === 0n) return areas;
    if (offset > BigInt(Number.MAX_SAFE_INTEGER) || size > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw corrupt(areaOutside(offset.toString(), size.toString(), pvSize));
    }
    areas.push({ offset: Number(offset), size: Number(size) });
  }
}

function clampSize(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

/** A uuid as the metadata text writes it: 6-4-4-4-4-4-6 characters joined by dashes. */
export function dashedUuid(uuid: string): string {
  const parts = [6, 4, 4, 4, 4, 4, 6];
  let at = 0;
  return parts.map((n) => uuid.slice(at, (at += n))).join('-');
}
