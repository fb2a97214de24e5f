/**
 * Inline data (the inline_data feature): a small file's or directory's bytes live in the inode
 * itself, the first 60 in i_block and the rest in the value of the in-inode extended attribute
 * `system.data` (name index 7, name "data"), found after the 128 + i_extra_isize bytes.
 */
import { corrupt } from './errors.ts';
import { I_BLOCK_OFFSET, I_BLOCK_SIZE, type Inode } from './inode.ts';
import { attributePastInode, inlineOutside, inlinePastInode, inlineShort, inodeNo } from './texts.ts';

const XATTR_MAGIC = 0xea020000;
const SYSTEM_INDEX = 7;

/** The `system.data` value of an inode (empty when there is none). */
export function inlineDataXattr(inode: Inode): Buffer {
  const raw = inode.raw;
  if (raw.length <= 128) return Buffer.alloc(0);
  const start = 128 + raw.readUInt16LE(0x80);
  if (start + 4 > raw.length || raw.readUInt32LE(start) !== XATTR_MAGIC) return Buffer.alloc(0);
  const first = start + 4;
  let at = first;
  // Entries are 16 bytes plus the name padded to 4; the list ends with four zero bytes.
  while (at + 16 <= raw.length && raw.readUInt32LE(at) !== 0) {
    const nameLen = raw[at];
    const nameIndex = raw[at + 1];
    const valueOffset = raw.readUInt16LE(at + 2);
    const valueInode = raw.readUInt32LE(at + 4);
    const valueSize = raw.readUInt32LE(at + 8);
    const nameEnd = at + 16 + nameLen;
    if (nameEnd > raw.length) throw corrupt(attributePastInode(inodeNo(inode.number)));
    if (nameIndex === SYSTEM_INDEX && raw.toString('latin1', at + 16, nameEnd) === 'data') {
      if (valueInode !== 0) throw corrupt(inlineOutside(inodeNo(inode.number)));
      const valueStart = first + valueOffset;
      if (valueStart + valueSize > raw.length) throw corrupt(inlinePastInode(inodeNo(inode.number)));
      return raw.subarray(valueStart, valueStart + valueSize);
    }
    at += (16 + nameLen + 3) & ~3;
  }
  return Buffer.alloc(0);
}

/** The whole inline content of a file or symlink: i_block then system.data, cut to i_size. */
export function inlineFileContent(inode: Inode): Buffer {
  const head = inode.raw.subarray(I_BLOCK_OFFSET, I_BLOCK_OFFSET + I_BLOCK_SIZE);
  if (inode.size <= I_BLOCK_SIZE) return head.subarray(0, inode.size);
  const tail = inlineDataXattr(inode);
  if (I_BLOCK_SIZE + tail.length < inode.size) {
    throw corrupt(inlineShort(inodeNo(inode.number), inode.size, I_BLOCK_SIZE + tail.length));
  }
  return Buffer.concat([head, tail.subarray(0, inode.size - I_BLOCK_SIZE)]);
}
