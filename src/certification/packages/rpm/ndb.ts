/**
 * rpm's own package database `Packages.db` (the ndb backend, SUSE; rpm's
 * lib/backend/ndb/rpmpkg.c). All numbers are little-endian 32-bit words. The file starts with
 * slot pages of 4096 bytes: a 32-byte header (magic `RpmP`, version 0, generation, number of
 * slot pages, next package index) then 16-byte slots (magic `Slot`, package index, block offset,
 * block count; offset 0 is a free slot). Blocks are 16 bytes. A slot's blocks hold a blob: a head
 * (magic `BlbS`, package index, timestamp, blob length), the header blob, zero padding, and a
 * tail (Adler-32 of head, blob and padding; blob length; magic `BlbE`). Every slot is checked to
 * point inside the file past the slot pages, not to overlap another, and its blob's head, tail
 * and checksum to match; a broken slot skips that package only.
 */
import type { Localized } from '../../../i18n/localized.ts';
import { corrupt, unsupported } from './errors.ts';
import { HeaderCollector, type StoredHeaders } from './stored.ts';
import * as text from './texts.ts';

const magic = (s: string) => s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | ((s.charCodeAt(3) << 24) >>> 0);
const DB_MAGIC = magic('RpmP') >>> 0;
const SLOT_MAGIC = magic('Slot') >>> 0;
const HEAD_MAGIC = magic('BlbS') >>> 0;
const TAIL_MAGIC = magic('BlbE') >>> 0;
const DB_VERSION = 0;

const PAGE = 4096;
const HEADER = 32;
const SLOT = 16;
const BLOCK = 16;
const HEAD = 16;
const TAIL = 12;

interface Slot {
  number: number;
  pkgidx: number;
  blkoff: number;
  blkcnt: number;
}

export function readNdbHeaders(bytes: Buffer, maxHeaders: number): StoredHeaders {
  if (bytes.length < HEADER || bytes.readUInt32LE(0) !== DB_MAGIC) throw corrupt(text.ndbNotNdb);
  const version = bytes.readUInt32LE(4);
  if (version !== DB_VERSION) throw unsupported(text.ndbVersion(version));
  const slotPages = bytes.readUInt32LE(12);
  if (slotPages < 1 || slotPages * PAGE > bytes.length) throw corrupt(text.ndbSlotPages(slotPages));
  const collector = new HeaderCollector(maxHeaders);
  const fileBlocks = Math.floor(bytes.length / BLOCK);
  const firstDataBlock = (slotPages * PAGE) / BLOCK;
  const slots: Slot[] = [];
  for (let at = HEADER, number = HEADER / SLOT; at < slotPages * PAGE; at += SLOT, number++) {
    if (bytes.readUInt32LE(at) !== SLOT_MAGIC) {
      collector.skip(text.ndbSlotMagic(number));
      continue;
    }
    const pkgidx = bytes.readUInt32LE(at + 4);
    const blkoff = bytes.readUInt32LE(at + 8);
    const blkcnt = bytes.readUInt32LE(at + 12);
    if (blkoff === 0) continue; // a free slot
    if (pkgidx === 0 || blkcnt === 0 || blkoff < firstDataBlock || blkoff + blkcnt > fileBlocks) {
      collector.skip(text.ndbSlotOutside(number), pkgidx || undefined);
      continue;
    }
    slots.push({ number, pkgidx, blkoff, blkcnt });
  }
  // in file order, as rpm lists them; a slot whose blocks another one already uses is skipped
  slots.sort((a, b) => a.blkoff - b.blkoff);
  let end = firstDataBlock;
  for (const slot of slots) {
    if (slot.blkoff < end) {
      collector.skip(text.ndbSlotsOverlap(slot.number), slot.pkgidx);
      continue;
    }
    end = slot.blkoff + slot.blkcnt;
    const blob = blobOf(bytes, slot);
    if ('reason' in blob) collector.skip(blob.reason, slot.pkgidx);
    else if (!collector.add(slot.pkgidx, blob.header)) break;
  }
  return collector.result;
}

function blobOf(bytes: Buffer, slot: Slot): { header: Buffer } | { reason: Localized } {
  const start = slot.blkoff * BLOCK;
  const length = slot.blkcnt * BLOCK;
  if (length < HEAD + TAIL) return { reason: text.ndbBlobHead };
  const blobLength = bytes.readUInt32LE(start + 12);
  if (bytes.readUInt32LE(start) !== HEAD_MAGIC || bytes.readUInt32LE(start + 4) !== slot.pkgidx || Math.ceil((HEAD + blobLength + TAIL) / BLOCK) !== slot.blkcnt) {
    return { reason: text.ndbBlobHead };
  }
  const tail = start + length - TAIL;
  if (bytes.readUInt32LE(tail + 4) !== blobLength || bytes.readUInt32LE(tail + 8) !== TAIL_MAGIC) return { reason: text.ndbBlobTail };
  if (adler32(bytes, start, tail) !== bytes.readUInt32LE(tail)) return { reason: text.ndbBlobChecksum };
  return { header: bytes.subarray(start + HEAD, start + HEAD + blobLength) };
}

/** Adler-32 (RFC 1950) of bytes[from, to): the sums are reduced every 5552 bytes, before they can overflow 2^53. */
export function adler32(bytes: Uint8Array, from: number, to: number): number {
  let a = 1;
  let b = 0;
  for (let at = from; at < to; ) {
    const stop = Math.min(to, at + 5552);
    for (; at < stop; at++) {
      a += bytes[at];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}
