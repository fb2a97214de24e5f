/**
 * One LVM2 metadata area (lvm2 lib/format_text/layout.h, format-text.c): a 512-byte mda_header
 * (checksum of the rest of the header, the magic, version 1, its own absolute start, the area's
 * size, and a zero-terminated list of raw locations) followed by a circular buffer of metadata
 * texts. The first raw location is the newest text; a text that runs past the end of the area
 * continues right after the header. Both the header and the text carry lvm2's checksum.
 */
import { VmarketError } from '../../../errors.ts';
import type { Localized } from '../../../i18n/localized.ts';
import type { RangeReader } from '../types.ts';
import { hex32, lvmCrc } from './crc.ts';
import type { DiskArea } from './label.ts';
import { mdaBadChecksum, mdaBadMagic, mdaBadSize, mdaBadVersion, mdaWrongStart, textBadChecksum, textOutside, textTooLarge } from './texts.ts';

const MDA_HEADER_SIZE = 512;
const MAGIC = ' LVM2 x[5A%r0N*>';
/** RAW_LOCN_IGNORED: the area is kept but lvm2 neither reads nor writes it (pvchange --metadataignore). */
const RAW_LOCN_IGNORED = 0x1;
/**
 * lvm2 keeps a VG's text well under a megabyte even with hundreds of LVs; an area may be made far
 * larger (pvcreate --metadatasize), but a text beyond this is not something vmarket parses.
 */
export const MAX_METADATA_TEXT = 4 * 1024 * 1024;

function corrupt(message: Localized): VmarketError {
  return new VmarketError('IMAGE_CORRUPT', message);
}

/**
 * The newest metadata text of the area (its trailing NULs removed), or null when the area holds
 * none (a PV in no volume group) or lvm2 is told to ignore it.
 */
export async function readMetadataText(pv: RangeReader, area: DiskArea): Promise<Buffer | null> {
  const header = await pv.read(area.offset, MDA_HEADER_SIZE);
  if (header.length < MDA_HEADER_SIZE || header.toString('latin1', 4, 20) !== MAGIC) throw corrupt(mdaBadMagic(area.offset));
  const stored = header.readUInt32LE(0);
  const computed = lvmCrc(header.subarray(4));
  if (stored !== computed) throw corrupt(mdaBadChecksum(area.offset, hex32(stored), hex32(computed)));
  const version = header.readUInt32LE(20);
  if (version !== 1) throw corrupt(mdaBadVersion(area.offset, version));
  const start = header.readBigUInt64LE(24);
  if (start !== BigInt(area.offset)) throw corrupt(mdaWrongStart(area.offset, start.toString()));
  const size = header.readBigUInt64LE(32);
  // The area's size is the label's; a header claiming more would send the wrap elsewhere.
  if (size <= BigInt(MDA_HEADER_SIZE) || size > BigInt(area.size)) throw corrupt(mdaBadSize(area.offset, size.toString()));
  const areaSize = Number(size);

  // Only the first raw location is read: lvm2 writes the committed text there (the second slot is
  // for a precommitted text during an update, which lvm2 itself ignores on a plain read).
  const offset = header.readBigUInt64LE(40);
  const length = header.readBigUInt64LE(48);
  const checksum = header.readUInt32LE(56);
  const flags = header.readUInt32LE(60);
  if (offset === 0n || length === 0n || flags & RAW_LOCN_IGNORED) return null;
  if (offset < BigInt(MDA_HEADER_SIZE) || offset >= size || length >= size) throw corrupt(textOutside(offset.toString(), length.toString(), areaSize));
  const textLength = Number(length);
  if (textLength > MAX_METADATA_TEXT) throw corrupt(textTooLarge(textLength, MAX_METADATA_TEXT));
  const textOffset = Number(offset);

  // A text that reaches past the end of the area wraps to just after the header.
  const first = Math.min(textLength, areaSize - textOffset);
  const wrapped = textLength - first;
  if (wrapped > textOffset - MDA_HEADER_SIZE) throw corrupt(textOutside(textOffset, textLength, areaSize));
  const head = await readExactly(pv, area.offset + textOffset, first, textOffset, textLength, areaSize);
  const tail = wrapped > 0 ? await readExactly(pv, area.offset + MDA_HEADER_SIZE, wrapped, textOffset, textLength, areaSize) : Buffer.alloc(0);
  const sum = lvmCrc(tail, lvmCrc(head));
  if (sum !== checksum) throw corrupt(textBadChecksum(hex32(checksum), hex32(sum)));
  const text = wrapped > 0 ? Buffer.concat([head, tail]) : head;
  let end = text.length;
  while (end > 0 && text[end - 1] === 0) end--;
  return text.subarray(0, end);
}

async function readExactly(pv: RangeReader, position: number, length: number, textOffset: number, textLength: number, areaSize: number): Promise<Buffer> {
  const bytes = await pv.read(position, length);
  if (bytes.length !== length) throw corrupt(textOutside(textOffset, textLength, areaSize));
  return bytes;
}
