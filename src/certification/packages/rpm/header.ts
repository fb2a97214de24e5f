/**
 * The rpm header blob as rpm keeps it in its databases (rpm's lib/header.c `headerImport`): two
 * big-endian 32-bit counts (index entries `il`, data bytes `dl`), `il` index entries of 16 bytes
 * (tag, type, offset, count) and `dl` bytes of data the entries point into. The blob is the
 * publisher's: every entry is checked to lie inside the data before anything is decoded, counts
 * are bounded by the data length (a count of 2^31 cannot allocate), and strings must end inside
 * the data. Strings are decoded only when asked for, so reading a package's few tags does not
 * decode its changelog.
 */
import { corrupt } from './errors.ts';
import * as text from './texts.ts';

/** rpm's header data types (rpmtag.h `rpmTagType`). */
export const RpmType = {
  NULL: 0,
  CHAR: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  STRING: 6,
  BIN: 7,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
} as const;

/** Bytes per element of the fixed-size types (0: variable, NUL-terminated strings). */
const TYPE_SIZE = [0, 1, 1, 2, 4, 8, 0, 1, 0, 0];

/** rpm refuses more index entries (`hdrchkTags`) and more data (`HEADER_DATA_MAX`, 256 MiB). */
export const MAX_INDEX_ENTRIES = 0xffff;
export const MAX_DATA_LENGTH = 256 * 1024 * 1024;

const INTRO = 8;
const ENTRY = 16;

/** The region tags that open an immutable header region (header_internal.h). */
const REGION_TAGS = new Set([61, 62, 63]);

export interface RpmHeaderEntry {
  tag: number;
  type: number;
  /** Offset into the data. */
  offset: number;
  count: number;
}

/** A parsed header: its entries by tag and typed accessors that decode on demand. */
export class RpmHeader {
  readonly entries: ReadonlyMap<number, RpmHeaderEntry>;
  /** The data part of the blob (`dl` bytes). */
  readonly data: Buffer;

  constructor(entries: Map<number, RpmHeaderEntry>, data: Buffer) {
    this.entries = entries;
    this.data = data;
  }

  has(tag: number): boolean {
    return this.entries.has(tag);
  }

  /** A STRING (or the first of a STRING_ARRAY / I18NSTRING); null when absent. */
  string(tag: number): string | null {
    const entry = this.entries.get(tag);
    if (!entry) return null;
    if (entry.type !== RpmType.STRING && entry.type !== RpmType.STRING_ARRAY && entry.type !== RpmType.I18NSTRING) throw corrupt(text.wrongType(tag, entry.type));
    return this.strings(entry, 1)[0] ?? null;
  }

  /** A STRING_ARRAY's (or STRING's) strings; null when absent. */
  stringArray(tag: number): string[] | null {
    const entry = this.entries.get(tag);
    if (!entry) return null;
    if (entry.type !== RpmType.STRING && entry.type !== RpmType.STRING_ARRAY && entry.type !== RpmType.I18NSTRING) throw corrupt(text.wrongType(tag, entry.type));
    return this.strings(entry, entry.count);
  }

  /** An integer tag's values (INT8/16/32, unsigned as rpm keeps them; INT64 as far as exact); null when absent. */
  numbers(tag: number): number[] | null {
    const entry = this.entries.get(tag);
    if (!entry) return null;
    const { data } = this;
    const out = new Array<number>(entry.count);
    let at = entry.offset;
    switch (entry.type) {
      case RpmType.CHAR:
      case RpmType.INT8:
        for (let i = 0; i < entry.count; i++) out[i] = data[at + i];
        break;
      case RpmType.INT16:
        for (let i = 0; i < entry.count; i++, at += 2) out[i] = data.readUInt16BE(at);
        break;
      case RpmType.INT32:
        for (let i = 0; i < entry.count; i++, at += 4) out[i] = data.readUInt32BE(at);
        break;
      case RpmType.INT64:
        for (let i = 0; i < entry.count; i++, at += 8) out[i] = Number(data.readBigUInt64BE(at));
        break;
      default:
        throw corrupt(text.wrongType(tag, entry.type));
    }
    return out;
  }

  /** The first value of an integer tag; null when absent or empty. */
  number(tag: number): number | null {
    return this.numbers(tag)?.[0] ?? null;
  }

  private strings(entry: RpmHeaderEntry, count: number): string[] {
    const { data } = this;
    const out = new Array<string>(count);
    let at = entry.offset;
    for (let i = 0; i < count; i++) {
      const end = data.indexOf(0, at);
      if (end < 0) throw corrupt(text.unterminated(entry.tag));
      out[i] = data.toString('utf8', at, end);
      at = end + 1;
    }
    return out;
  }
}

/**
 * Parses and checks a header blob; throws an IMAGE_CORRUPT VmarketError naming what is broken.
 * The returned header keeps a view of `blob` (no copy).
 */
export function parseRpmHeader(blob: Buffer): RpmHeader {
  if (blob.length < INTRO) throw corrupt(text.headerTooShort(blob.length));
  const il = blob.readUInt32BE(0);
  const dl = blob.readUInt32BE(4);
  if (il < 1 || il > MAX_INDEX_ENTRIES) throw corrupt(text.badIndexCount(il));
  if (dl > MAX_DATA_LENGTH) throw corrupt(text.badDataLength(dl));
  const dataStart = INTRO + il * ENTRY;
  if (dataStart + dl > blob.length) throw corrupt(text.headerCutShort(dataStart + dl, blob.length));
  const data = blob.subarray(dataStart, dataStart + dl);
  const entries = new Map<number, RpmHeaderEntry>();
  for (let i = 0; i < il; i++) {
    const at = INTRO + i * ENTRY;
    const entry: RpmHeaderEntry = {
      tag: blob.readUInt32BE(at),
      type: blob.readUInt32BE(at + 4),
      offset: blob.readInt32BE(at + 8),
      count: blob.readUInt32BE(at + 12),
    };
    checkEntry(entry, dl);
    if (i === 0 && REGION_TAGS.has(entry.tag)) checkRegion(entry, data, il);
    // rpm's index is sorted and has one entry per tag; a repeated tag keeps its first value
    if (!entries.has(entry.tag)) entries.set(entry.tag, entry);
  }
  return new RpmHeader(entries, data);
}

/** The entry's data lies inside `dl` bytes (strings: their first byte does; the accessors check their ends). */
function checkEntry(entry: RpmHeaderEntry, dl: number): void {
  const { tag, type, offset, count } = entry;
  if (type > RpmType.I18NSTRING) throw corrupt(text.badType(tag, type));
  // every element of every type but NULL takes at least one byte of data
  if (type !== RpmType.NULL && (count < 1 || count > dl)) throw corrupt(text.badCount(tag, count));
  if (offset < 0 || offset > dl) throw corrupt(text.entryOutside(tag));
  const size = TYPE_SIZE[type];
  if (size > 1 && offset % size !== 0) throw corrupt(text.misaligned(tag));
  const length = size === 0 ? (type === RpmType.NULL ? 0 : 1) : size * count;
  if (offset + length > dl) throw corrupt(text.entryOutside(tag));
  if (type === RpmType.STRING && count !== 1) throw corrupt(text.badCount(tag, count));
}

/**
 * The region entry (HEADERIMMUTABLE and kin) points at a 16-byte trailer in the data whose offset
 * is minus the size of the region's index: the marker rpm uses to find the original header.
 */
function checkRegion(entry: RpmHeaderEntry, data: Buffer, il: number): void {
  if (entry.type !== RpmType.BIN || entry.count !== ENTRY || entry.offset + ENTRY > data.length) throw corrupt(text.badRegion(entry.tag));
  const trailerTag = data.readUInt32BE(entry.offset);
  const trailerOffset = data.readInt32BE(entry.offset + 8);
  const regionEntries = -trailerOffset / ENTRY;
  // old rpm wrote another region tag into some trailers (header.c fixes HEADERIMAGE up): any region tag
  if (!REGION_TAGS.has(trailerTag) || !Number.isInteger(regionEntries) || regionEntries < 1 || regionEntries > il) throw corrupt(text.badRegion(entry.tag));
}
