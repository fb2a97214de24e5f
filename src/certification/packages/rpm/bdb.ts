/**
 * rpm's BerkeleyDB `Packages` (RHEL/CentOS 7 and 8, old SUSE), read from Berkeley DB's on-disk
 * hash format (db's dbinc/db_page.h) without Berkeley DB. Page 0 is the hash metadata page
 * (magic 0x061561 at byte 12 in the byte order of the machine that wrote it; version, page size,
 * encryption, last page). Every page starts with a 26-byte header (page number, previous and
 * next page, item count, high free offset, type), 32 with page checksums. A hash page's items are
 * key/data pairs stored from the page's end down, so an item's length is the distance to the
 * previous item's offset; an item is H_KEYDATA (type byte, bytes), H_OFFPAGE (a chain of overflow
 * pages and the total length) or H_DUPLICATE (several data items, each framed by its length).
 * rpm's keys are 4-byte header numbers in the database's byte order; key 0 is rpm's own counter.
 *
 * Hash pages are found by scanning every page (not by following buckets): a scan is bounded by
 * the file, and a damaged bucket chain cannot hide the headers behind it. Overflow chains are
 * bounded by the page count, checked for cycles and for the length their item claims.
 */
import { corrupt, reasonOf, unsupported } from './errors.ts';
import { HeaderCollector, type StoredHeaders } from './stored.ts';
import * as text from './texts.ts';

const HASH_MAGIC = 0x061561;
const SUPPORTED_VERSIONS = new Set([8, 9, 10]);
const META_SIZE = 512;

const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;

const H_KEYDATA = 1;
const H_DUPLICATE = 2;
const H_OFFPAGE = 3;
const H_OFFDUP = 4;

const PAGE_HEADER = 26;
/** With DBMETA_CHKSUM every page header grows by 2 bytes of alignment and a 4-byte checksum. */
const PAGE_HEADER_CHECKSUMMED = 32;
const DBMETA_CHKSUM = 0x01;
const HOFFPAGE_SIZE = 12;
const HOFFDUP_SIZE = 8;

// the pages of an off-page duplicate tree (a btree, or a recno tree for unsorted duplicates)
const P_IBTREE = 3;
const P_IRECNO = 4;
const P_LRECNO = 6;
const P_LDUP = 12;
const B_KEYDATA = 1;
const B_OVERFLOW = 3;
const B_DELETE = 0x80;
/** Berkeley DB's deepest btree (MAXBTREELEVEL). */
const MAX_TREE_DEPTH = 255;

/** The database's geometry and byte order, from its metadata page. */
interface Layout {
  bytes: Buffer;
  littleEndian: boolean;
  pageSize: number;
  pages: number;
  /** Where a page's item index (or an overflow page's data) starts. */
  overhead: number;
}

export function readBdbHeaders(bytes: Buffer, maxHeaders: number): StoredHeaders {
  const layout = layoutOf(bytes);
  const collector = new HeaderCollector(maxHeaders);
  for (let page = 1; page < layout.pages && !collector.full; page++) {
    const at = page * layout.pageSize;
    const type = bytes[at + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    try {
      readHashPage(layout, page, collector);
    } catch (error) {
      collector.skip(reasonOf(error));
    }
  }
  return collector.result;
}

function layoutOf(bytes: Buffer): Layout {
  if (bytes.length < META_SIZE) throw corrupt(text.bdbNotHash);
  let littleEndian: boolean;
  if (bytes.readUInt32LE(12) === HASH_MAGIC) littleEndian = true;
  else if (bytes.readUInt32BE(12) === HASH_MAGIC) littleEndian = false;
  else throw corrupt(text.bdbNotHash);
  const u32 = (at: number) => (littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  const version = u32(16);
  if (!SUPPORTED_VERSIONS.has(version)) throw unsupported(text.bdbVersion(version));
  const pageSize = u32(20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw corrupt(text.bdbPageSize(pageSize));
  if (bytes[24] !== 0) throw unsupported(text.bdbEncrypted);
  if (bytes[25] !== P_HASHMETA) throw corrupt(text.bdbNotHash);
  const overhead = (bytes[26] & DBMETA_CHKSUM) !== 0 ? PAGE_HEADER_CHECKSUMMED : PAGE_HEADER;
  const lastPage = u32(32);
  const pages = Math.floor(bytes.length / pageSize);
  if (lastPage >= pages) throw corrupt(text.bdbTruncated(lastPage, pages));
  return { bytes, littleEndian, pageSize, pages: lastPage + 1, overhead };
}

function u16(layout: Layout, at: number): number {
  return layout.littleEndian ? layout.bytes.readUInt16LE(at) : layout.bytes.readUInt16BE(at);
}

function u32(layout: Layout, at: number): number {
  return layout.littleEndian ? layout.bytes.readUInt32LE(at) : layout.bytes.readUInt32BE(at);
}

/** The [start, end) byte range of item `index` on the page starting at `base`. */
function itemRange(layout: Layout, base: number, page: number, index: number, entries: number): [number, number] {
  const offset = u16(layout, base + layout.overhead + 2 * index);
  const end = index === 0 ? layout.pageSize : u16(layout, base + layout.overhead + 2 * (index - 1));
  if (offset < layout.overhead + 2 * entries || end > layout.pageSize || offset >= end) throw corrupt(text.bdbItemOutside(page, index));
  return [base + offset, base + end];
}

function readHashPage(layout: Layout, page: number, collector: HeaderCollector): void {
  const base = page * layout.pageSize;
  const entries = u16(layout, base + 20);
  if (entries % 2 !== 0) throw corrupt(text.bdbOddEntries(page, entries));
  if (layout.overhead + 2 * entries > layout.pageSize) throw corrupt(text.bdbItemOutside(page, entries - 1));
  for (let index = 0; index < entries; index += 2) {
    let id: number | undefined;
    try {
      const key = itemData(layout, base, page, index, entries);
      id = key.length === 4 ? (layout.littleEndian ? key.readUInt32LE(0) : key.readUInt32BE(0)) : undefined;
      if (id === 0) continue; // rpm's counter of header numbers, not a header
      for (const blob of dataItems(layout, base, page, index + 1, entries)) if (!collector.add(id ?? -1, blob)) return;
    } catch (error) {
      collector.skip(reasonOf(error), id);
    }
  }
}

/** The bytes of a key or single data item (on the page or in its overflow chain). */
function itemData(layout: Layout, base: number, page: number, index: number, entries: number): Buffer {
  const [start, end] = itemRange(layout, base, page, index, entries);
  const type = layout.bytes[start];
  if (type === H_KEYDATA) return layout.bytes.subarray(start + 1, end);
  if (type === H_OFFPAGE) {
    if (end - start < HOFFPAGE_SIZE) throw corrupt(text.bdbItemOutside(page, index));
    return overflowChain(layout, u32(layout, start + 4), u32(layout, start + 8));
  }
  throw corrupt(text.bdbItemType(page, index, type));
}

/** The data of a pair: one item, or each of its on-page duplicates. */
function dataItems(layout: Layout, base: number, page: number, index: number, entries: number): Buffer[] {
  const [start, end] = itemRange(layout, base, page, index, entries);
  const type = layout.bytes[start];
  if (type === H_OFFDUP) {
    if (end - start < HOFFDUP_SIZE) throw corrupt(text.bdbItemOutside(page, index));
    return offpageDuplicates(layout, u32(layout, start + 4));
  }
  if (type !== H_DUPLICATE) return [itemData(layout, base, page, index, entries)];
  // len (2 bytes), data, len again, for each duplicate
  const out: Buffer[] = [];
  for (let at = start + 1; at < end; ) {
    if (at + 2 > end) throw corrupt(text.bdbDuplicate(page, index));
    const length = u16(layout, at);
    if (at + 2 + length + 2 > end || u16(layout, at + 2 + length) !== length) throw corrupt(text.bdbDuplicate(page, index));
    out.push(layout.bytes.subarray(at + 2, at + 2 + length));
    at += length + 4;
  }
  return out;
}

/** Follows a chain of overflow pages from `first` and returns its `total` bytes. */
function overflowChain(layout: Layout, first: number, total: number): Buffer {
  const perPage = layout.pageSize - layout.overhead;
  // views of the pages, joined once the chain proved to hold what it claims (nothing is allocated by a claimed length)
  const parts: Buffer[] = [];
  const seen = new Set<number>();
  let filled = 0;
  for (let next = first; next !== 0; ) {
    if (next >= layout.pages) throw corrupt(text.bdbOverflowPage(next));
    if (seen.has(next)) throw corrupt(text.bdbOverflowLoop(first));
    seen.add(next);
    const base = next * layout.pageSize;
    if (layout.bytes[base + 25] !== P_OVERFLOW) throw corrupt(text.bdbOverflowPage(next));
    const length = u16(layout, base + 22); // an overflow page keeps its data length in hf_offset
    if (length > perPage || filled + length > total) throw corrupt(text.bdbOverflowLength(first, total, filled + length));
    parts.push(layout.bytes.subarray(base + layout.overhead, base + layout.overhead + length));
    filled += length;
    next = u32(layout, base + 16);
  }
  if (filled !== total) throw corrupt(text.bdbOverflowLength(first, total, filled));
  return parts.length === 1 ? parts[0] : Buffer.concat(parts, filled);
}

/**
 * The data items of an off-page duplicate tree (H_OFFDUP): Berkeley DB moves a key's duplicates
 * into their own btree once they outgrow the hash page. Its internal pages are descended along
 * their first child to the leftmost leaf, then the leaves are read along their next-page links;
 * each leaf item is a B_KEYDATA (length, type, bytes) or a B_OVERFLOW chain. Pages are visited
 * once: a cycle in the tree or in the leaf chain is corrupt, not a hang.
 */
function offpageDuplicates(layout: Layout, root: number): Buffer[] {
  const seen = new Set<number>();
  const visit = (page: number): number => {
    if (page === 0 || page >= layout.pages) throw corrupt(text.bdbDuplicatePage(page));
    if (seen.has(page)) throw corrupt(text.bdbDuplicateLoop(root));
    seen.add(page);
    return page * layout.pageSize;
  };
  let page = root;
  for (let depth = 0; ; depth++) {
    const base = visit(page);
    const type = layout.bytes[base + 25];
    if (type !== P_IBTREE && type !== P_IRECNO) break;
    if (depth >= MAX_TREE_DEPTH || u16(layout, base + 20) === 0) throw corrupt(text.bdbDuplicatePage(page));
    const first = base + itemOffset(layout, base, page, 0, 8);
    // BINTERNAL: len (2), type, unused, pgno; RINTERNAL: pgno, nrecs
    page = u32(layout, type === P_IBTREE ? first + 4 : first);
  }
  const out: Buffer[] = [];
  for (let next = page, first = true; next !== 0; first = false) {
    const base = first ? next * layout.pageSize : visit(next);
    const type = layout.bytes[base + 25];
    if (type !== P_LDUP && type !== P_LRECNO) throw corrupt(text.bdbDuplicatePage(next));
    const entries = u16(layout, base + 20);
    if (layout.overhead + 2 * entries > layout.pageSize) throw corrupt(text.bdbDuplicatePage(next));
    for (let index = 0; index < entries; index++) {
      const at = base + itemOffset(layout, base, next, index, 3);
      const itemType = layout.bytes[at + 2];
      if ((itemType & B_DELETE) !== 0) continue;
      if (itemType === B_KEYDATA) {
        const length = u16(layout, at);
        if (at + 3 + length > base + layout.pageSize) throw corrupt(text.bdbItemOutside(next, index));
        out.push(layout.bytes.subarray(at + 3, at + 3 + length));
      } else if (itemType === B_OVERFLOW) {
        if (at + 12 > base + layout.pageSize) throw corrupt(text.bdbItemOutside(next, index));
        out.push(overflowChain(layout, u32(layout, at + 4), u32(layout, at + 8)));
      } else throw corrupt(text.bdbItemType(next, index, itemType));
    }
    next = u32(layout, base + 16);
  }
  return out;
}

/** Offset of item `index` of a btree page, with room for `size` bytes of it on the page. */
function itemOffset(layout: Layout, base: number, page: number, index: number, size: number): number {
  const offset = u16(layout, base + layout.overhead + 2 * index);
  if (offset < layout.overhead || offset + size > layout.pageSize) throw corrupt(text.bdbItemOutside(page, index));
  return offset;
}
