/**
 * What an LVM2 metadata text says (lvm2 lib/format_text/import_vsn1.c): the volume group with its
 * extent size and sequence number, its physical volumes (uuid, where their extents start, how
 * many) and its logical volumes, each a list of segments over ranges of extents. Only the fields
 * vmarket needs are read; each is checked for its type and range, so the volume-group layer can
 * compute byte offsets without further doubt. Segment types other than striped are kept by name:
 * the layer above refuses those volumes.
 */
import { VmarketError } from '../../../errors.ts';
import type { Localized } from '../../../i18n/localized.ts';
import { type ConfigSection, type ConfigValue, isSection, parseConfigText } from './config-text.ts';
import { SECTOR } from './label.ts';
import {
  badName,
  fieldInvalid,
  fieldMissing,
  logicalVolumes,
  lvWhere,
  noVolumeGroup,
  physicalVolumes,
  pvWhere,
  segmentWhere,
  segments as segmentsWord,
  segmentsNotContiguous,
  severalVolumeGroups,
  stripes as stripesWord,
  tooMany,
  vgWhere,
} from './texts.ts';

export const MAX_PVS = 256;
export const MAX_LVS = 4096;
export const MAX_SEGMENTS_PER_LV = 4096;
export const MAX_STRIPES = 128;
/** Segments of all volumes together: what the layout, the overlap check and the readers hold. */
export const MAX_SEGMENTS = 16384;

/** lvm2's valid names (lib/misc/lvm-string.c validate_name): letters, digits and + _ . - */
const NAME = /^[A-Za-z0-9+_.][A-Za-z0-9+_.-]{0,127}$/;

export interface PvMetadata {
  /** The key in `physical_volumes` (`pv0`), which segments refer to. */
  key: string;
  /** 32 characters without dashes, as in the label. */
  uuid: string;
  /** Byte offset of extent 0 on the PV. */
  peStart: number;
  peCount: number;
  flags: string[];
  /** The path lvm2 last saw it at (a hint only). */
  device?: string;
}

export interface StripeArea {
  pv: string;
  extent: number;
}

export interface SegmentMetadata {
  startExtent: number;
  extentCount: number;
  type: string;
  /** Bytes; 0 for one stripe. */
  stripeSize: number;
  /** For striped segments: one area per stripe, each `extentCount / stripes.length` extents long. */
  stripes: StripeArea[];
  /** A snapshot segment's origin and copy-on-write volumes. */
  origin?: string;
  cowStore?: string;
}

export interface LvMetadata {
  name: string;
  uuid: string;
  /** lvm2 lists sub-volumes (RAID images, thin pool data, snapshot stores) without VISIBLE. */
  visible: boolean;
  segments: SegmentMetadata[];
  extentCount: number;
}

export interface VgMetadata {
  name: string;
  uuid: string;
  seqno: number;
  /** Bytes. */
  extentSize: number;
  pvs: PvMetadata[];
  lvs: LvMetadata[];
}

function corrupt(message: Localized): VmarketError {
  return new VmarketError('IMAGE_CORRUPT', message);
}

/** Parses and reads one metadata text, or throws IMAGE_CORRUPT naming what is wrong. */
export function readVgMetadata(text: Buffer): VgMetadata {
  const root = parseConfigText(text);
  const sections = [...root.entries].filter(([, node]) => isSection(node)) as [string, ConfigSection][];
  if (sections.length === 0) throw corrupt(noVolumeGroup);
  if (sections.length > 1) throw corrupt(severalVolumeGroups);
  const [name, vg] = sections[0];
  checkName(name);
  const where = vgWhere(name);
  const extentSectors = integer(vg, 'extent_size', where, 1, 2 ** 32);
  const extentSize = extentSectors * SECTOR;
  const pvSection = section(vg, 'physical_volumes', where);
  if (pvSection.entries.size > MAX_PVS) throw corrupt(tooMany(where, physicalVolumes, pvSection.entries.size, MAX_PVS));
  const pvs = [...pvSection.entries].map(([key, node]) => readPv(name, key, node, extentSize));
  const lvSection = vg.entries.get('logical_volumes');
  const lvEntries = isSection(lvSection) ? [...lvSection.entries] : [];
  if (lvEntries.length > MAX_LVS) throw corrupt(tooMany(where, logicalVolumes, lvEntries.length, MAX_LVS));
  const lvs = lvEntries.map(([lvName, node]) => readLv(name, lvName, node));
  const segmentTotal = lvs.reduce((sum, lv) => sum + lv.segments.length, 0);
  if (segmentTotal > MAX_SEGMENTS) throw corrupt(tooMany(where, segmentsWord, segmentTotal, MAX_SEGMENTS));
  return { name, uuid: textField(vg, 'id', where).replaceAll('-', ''), seqno: integer(vg, 'seqno', where, 0, Number.MAX_SAFE_INTEGER), extentSize, pvs, lvs };
}

function readPv(vg: string, key: string, node: ConfigSection | ConfigValue, extentSize: number): PvMetadata {
  checkName(key);
  const where = pvWhere(vg, key);
  if (!isSection(node)) throw corrupt(fieldMissing(where, key));
  const peStart = integer(node, 'pe_start', where, 0, Number.MAX_SAFE_INTEGER / SECTOR) * SECTOR;
  const peCount = integer(node, 'pe_count', where, 0, 2 ** 32);
  if (peStart + peCount * extentSize > Number.MAX_SAFE_INTEGER) throw corrupt(fieldInvalid(where, 'pe_count', String(peCount)));
  const device = node.entries.get('device');
  return {
    key,
    uuid: textField(node, 'id', where).replaceAll('-', ''),
    peStart,
    peCount,
    flags: optionalWords(node, 'flags', where),
    ...(typeof device === 'string' ? { device } : {}),
  };
}

function readLv(vg: string, name: string, node: ConfigSection | ConfigValue): LvMetadata {
  checkName(name);
  const full = `${vg}/${name}`;
  const where = lvWhere(full);
  if (!isSection(node)) throw corrupt(fieldMissing(where, name));
  const status = optionalWords(node, 'status', where);
  const declared = integer(node, 'segment_count', where, 1, MAX_SEGMENTS_PER_LV);
  const segments: SegmentMetadata[] = [];
  for (let n = 1; n <= declared; n++) {
    const key = `segment${n}`;
    const segment = node.entries.get(key);
    if (!isSection(segment)) throw corrupt(fieldMissing(where, key));
    segments.push(readSegment(full, key, segment));
  }
  if (segments.length > MAX_SEGMENTS_PER_LV) throw corrupt(tooMany(where, segmentsWord, segments.length, MAX_SEGMENTS_PER_LV));
  // lvm2 writes segments in order; each must begin where the one before it ended.
  segments.sort((a, b) => a.startExtent - b.startExtent);
  let next = 0;
  for (const segment of segments) {
    if (segment.startExtent !== next) throw corrupt(segmentsNotContiguous(full, next));
    next += segment.extentCount;
  }
  return { name, uuid: textField(node, 'id', where).replaceAll('-', ''), visible: status.includes('VISIBLE'), segments, extentCount: next };
}

function readSegment(lv: string, key: string, node: ConfigSection): SegmentMetadata {
  const where = segmentWhere(key, lv);
  const startExtent = integer(node, 'start_extent', where, 0, 2 ** 40);
  const extentCount = integer(node, 'extent_count', where, 1, 2 ** 40);
  const type = textField(node, 'type', where);
  const base = { startExtent, extentCount, type, stripeSize: 0, stripes: [] as StripeArea[] };
  if (type === 'snapshot') {
    return { ...base, origin: textField(node, 'origin', where), cowStore: textField(node, 'cow_store', where) };
  }
  if (type !== 'striped' && type !== 'linear') return base;
  const count = integer(node, 'stripe_count', where, 1, MAX_STRIPES);
  const list = node.entries.get('stripes');
  if (!Array.isArray(list) || list.length !== count * 2) throw corrupt(fieldMissing(where, 'stripes'));
  if (count > MAX_STRIPES) throw corrupt(tooMany(where, stripesWord, count, MAX_STRIPES));
  const stripes: StripeArea[] = [];
  for (let i = 0; i < list.length; i += 2) {
    const [pv, extent] = [list[i], list[i + 1]];
    if (typeof pv !== 'string' || typeof extent !== 'number' || !Number.isSafeInteger(extent) || extent < 0) throw corrupt(fieldMissing(where, 'stripes'));
    stripes.push({ pv, extent });
  }
  const stripeSize = count > 1 ? integer(node, 'stripe_size', where, 1, 2 ** 32) * SECTOR : 0;
  return { ...base, stripeSize, stripes };
}

function checkName(name: string): void {
  if (!NAME.test(name)) throw corrupt(badName(name));
}

function section(node: ConfigSection, key: string, where: Localized): ConfigSection {
  const value = node.entries.get(key);
  if (!isSection(value)) throw corrupt(fieldMissing(where, key));
  return value;
}

function textField(node: ConfigSection, key: string, where: Localized): string {
  const value = node.entries.get(key);
  if (typeof value !== 'string') throw corrupt(fieldMissing(where, key));
  return value;
}

function integer(node: ConfigSection, key: string, where: Localized, min: number, max: number): number {
  const value = node.entries.get(key);
  if (typeof value !== 'number') throw corrupt(fieldMissing(where, key));
  if (!Number.isSafeInteger(value) || value < min || value > max) throw corrupt(fieldInvalid(where, key, String(value)));
  return value;
}

/** A list of words (status, flags); absent is empty. */
function optionalWords(node: ConfigSection, key: string, where: Localized): string[] {
  const value = node.entries.get(key);
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw corrupt(fieldMissing(where, key));
  return value as string[];
}
