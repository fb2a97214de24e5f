/**
 * Reads the entries of a zip archive (OSV's `all.zip`) from its central directory, ZIP64
 * included (an ecosystem can hold more than 65,535 entries): stored and deflated entries, each
 * inflated on its own with node:zlib and checked against its CRC-32. Bounded by the caller's
 * limits: the archive is an outside download.
 */
import { crc32, inflateRawSync } from 'node:zlib';
import { VmarketError } from '../errors.ts';

export interface ZipEntry {
  name: string;
  /** The entry's bytes, inflated and CRC-checked. */
  read(): Buffer;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function broken(name: string, why: string): VmarketError {
  return new VmarketError('FILE_UNREADABLE', `${name} is not a readable zip archive: ${why}`);
}

/** The entries of the archive in `bytes`; `maxEntryBytes` bounds each inflated entry. */
export function zipEntries(bytes: Buffer, archive: string, maxEntryBytes = 64 * 1024 * 1024): ZipEntry[] {
  // the end record is in the last 64 KiB + 22 bytes (its comment is at most 65,535 bytes)
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65_557); i--) {
    if (bytes.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw broken(archive, 'no end of central directory');
  let count = bytes.readUInt16LE(eocd + 10);
  let offset = bytes.readUInt32LE(eocd + 16);
  if ((count === 0xffff || offset === 0xffffffff) && eocd >= 20 && bytes.readUInt32LE(eocd - 20) === ZIP64_LOCATOR) {
    const record = Number(bytes.readBigUInt64LE(eocd - 20 + 8));
    if (record + 56 > bytes.length || bytes.readUInt32LE(record) !== ZIP64_EOCD) throw broken(archive, 'a broken ZIP64 end record');
    count = Number(bytes.readBigUInt64LE(record + 32));
    offset = Number(bytes.readBigUInt64LE(record + 48));
  }
  const entries: ZipEntry[] = [];
  let at = offset;
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== CENTRAL) throw broken(archive, `central directory entry ${n + 1} is damaged`);
    const method = bytes.readUInt16LE(at + 10);
    const crc = bytes.readUInt32LE(at + 16);
    let compressed = bytes.readUInt32LE(at + 20);
    let size = bytes.readUInt32LE(at + 24);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    let local = bytes.readUInt32LE(at + 42);
    const name = bytes.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    // ZIP64 extra field (id 1): the 64-bit values of the fields that are 0xffffffff, in this order
    const extra = bytes.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    for (let e = 0; e + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(e);
      const length = extra.readUInt16LE(e + 2);
      if (id === 1) {
        let p = e + 4;
        const next = () => {
          const value = Number(extra.readBigUInt64LE(p));
          p += 8;
          return value;
        };
        if (size === 0xffffffff) size = next();
        if (compressed === 0xffffffff) compressed = next();
        if (local === 0xffffffff) local = next();
      }
      e += 4 + length;
    }
    at += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    if (method !== 0 && method !== 8) throw broken(archive, `${name} uses compression method ${method}`);
    if (size > maxEntryBytes) throw broken(archive, `${name} is ${size} bytes (at most ${maxEntryBytes})`);
    entries.push({
      name,
      read() {
        if (local + 30 > bytes.length || bytes.readUInt32LE(local) !== LOCAL) throw broken(archive, `the local header of ${name} is damaged`);
        const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
        const raw = bytes.subarray(start, start + compressed);
        if (raw.length !== compressed) throw broken(archive, `${name} is cut short`);
        let data: Buffer;
        try {
          data = method === 0 ? raw : inflateRawSync(raw, { maxOutputLength: Math.max(1, size) });
        } catch (error) {
          throw broken(archive, `${name} cannot be inflated (${(error as Error).message})`);
        }
        if (data.length !== size || crc32(data) !== crc) throw broken(archive, `${name} fails its CRC-32 check`);
        return data;
      },
    });
  }
  return entries;
}
