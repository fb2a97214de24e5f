/**
 * The length of one Zstandard frame (RFC 8878, section 3.1.1), found by walking its block headers
 * without decoding them. qcow2 stores a zstd cluster in whole 512-byte sectors, so the bytes after
 * the frame belong to the next cluster; a decoder given them would read them as a second frame
 * and fail, so only the frame itself is handed on.
 */
const ZSTD_MAGIC = 0xfd2fb528;
const BLOCK_RLE = 1;
const BLOCK_RESERVED = 3;

/** Bytes of the frame that starts at `bytes[0]`, or null when they are not one complete frame. */
export function zstdFrameLength(bytes: Buffer): number | null {
  if (bytes.length < 6 || bytes.readUInt32LE(0) !== ZSTD_MAGIC) return null;
  const descriptor = bytes[4];
  const contentSizeFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const checksum = (descriptor >> 2) & 1;
  const dictionaryIdFlag = descriptor & 3;
  const contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][contentSizeFlag];
  let at = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][dictionaryIdFlag] + contentSizeBytes;
  // every block advances by at least its 3-byte header, so the walk ends within the buffer
  for (;;) {
    if (at + 3 > bytes.length) return null;
    const header = bytes.readUIntLE(at, 3);
    const last = header & 1;
    const type = (header >> 1) & 3;
    const size = header >>> 3;
    if (type === BLOCK_RESERVED) return null;
    at += 3 + (type === BLOCK_RLE ? 1 : size);
    if (last) break;
  }
  at += checksum ? 4 : 0;
  return at <= bytes.length ? at : null;
}
