/**
 * Symlink targets: inline in the data fork (local format) or in remote blocks (extents). On v5
 * file systems each mapped extent starts with a header (struct xfs_dsymlink_hdr: magic, offset
 * and length of the target piece, CRC, UUID, owner, position) and the CRC covers the extent.
 */
import { checkCrc, checkUuid } from './crc.ts';
import { corrupt, readExact } from './errors.ts';
import { forkExtents, type MapContext } from './extents.ts';
import { FORK, type XfsInode } from './inode.ts';
import { badMagic, hasImpossible, partOf, quantity, symlinkBlock, symlinkHeaderWrong, symlinkInode, wrongPosition } from './texts.ts';

/** XFS_SYMLINK_MAXLEN: no target is longer. */
const MAX_TARGET = 1024;
const MAGIC = 0x58534c4d; // 'XSLM'
const HEADER = 56;

export async function symlinkTarget(ctx: MapContext, link: XfsInode): Promise<string> {
  if (link.size === 0 || link.size > MAX_TARGET) throw corrupt(hasImpossible(symlinkInode(link.number), quantity.targetLength, link.size));
  if (link.format === FORK.LOCAL) {
    if (link.size > link.fork.length) throw corrupt(hasImpossible(symlinkInode(link.number), quantity.targetLength, link.size));
    return link.fork.toString('utf8', 0, link.size);
  }
  const { sb } = ctx;
  const parts: Buffer[] = [];
  let have = 0;
  for await (const batch of forkExtents(ctx, link)) {
    for (const extent of batch) {
      if (have >= link.size) break;
      const what = () => partOf(symlinkInode(link.number), symlinkBlock(extent.block), ', ');
      const bytes = await readExact(ctx.reader, extent.block * sb.blockSize, Math.min(extent.count, 4) * sb.blockSize, what());
      if (sb.version !== 5) {
        parts.push(bytes.subarray(0, link.size - have));
        have += Math.min(bytes.length, link.size - have);
        continue;
      }
      if (bytes.readUInt32BE(0) !== MAGIC) throw corrupt(badMagic(what()));
      checkCrc(bytes, 12, what);
      checkUuid(bytes, 16, sb.metaUuid, what);
      const offset = bytes.readUInt32BE(4);
      const length = bytes.readUInt32BE(8);
      if (offset !== have || length === 0 || HEADER + length > bytes.length || have + length > link.size || Number(bytes.readBigUInt64BE(32)) !== link.number) {
        throw corrupt(symlinkHeaderWrong(what()));
      }
      const sector = Number(bytes.readBigUInt64BE(40));
      if (sector !== extent.block * (sb.blockSize / 512)) throw corrupt(wrongPosition(what(), sector));
      parts.push(bytes.subarray(HEADER, HEADER + length));
      have += length;
    }
  }
  if (have !== link.size) throw corrupt(hasImpossible(symlinkInode(link.number), quantity.targetLength, link.size));
  return Buffer.concat(parts).toString('utf8');
}
