/**
 * Symlink targets: inline (INLINE_DATA flag), fast (under 60 bytes, kept in i_block as e2fsprogs
 * and the kernel decide) or slow (in a data block, through the block map or extents).
 */
import { corrupt } from './errors.ts';
import { isInline, readSmall } from './file-data.ts';
import { inlineFileContent } from './inline-data.ts';
import { I_BLOCK_OFFSET, I_BLOCK_SIZE, type Inode } from './inode.ts';
import type { ExtContext } from './runs.ts';
import { hasImpossible, quantity, symlinkInode } from './texts.ts';

/** Linux's PATH_MAX: no symlink target is longer. */
const MAX_TARGET = 4096;

export async function symlinkTarget(ctx: ExtContext, inode: Inode): Promise<string> {
  if (inode.size === 0 || inode.size > Math.min(MAX_TARGET, ctx.sb.blockSize)) {
    throw corrupt(hasImpossible(symlinkInode(inode.number), quantity.targetLength, inode.size));
  }
  let bytes: Buffer;
  if (isInline(inode)) bytes = inlineFileContent(inode);
  else if (inode.size < I_BLOCK_SIZE) bytes = inode.raw.subarray(I_BLOCK_OFFSET, I_BLOCK_OFFSET + inode.size);
  else bytes = await readSmall(ctx, inode, MAX_TARGET);
  return bytes.toString('utf8');
}
