/** Reading a whole (small) database file out of the guest, refused by its size before a byte is read. */
import { VmarketError } from '../../errors.ts';
import { say } from '../../i18n/localized.ts';
import type { GuestFs } from '../fs/types.ts';
import { fileTooLarge } from './texts.ts';

/**
 * The whole file, at most `limit` bytes; an IMAGE_CORRUPT VmarketError naming the file when it is
 * larger (by its size, and again while reading: a sparse file or a lying size can claim anything).
 */
export async function readBounded(fs: GuestFs, file: string, limit: number): Promise<Buffer> {
  const size = (await fs.stat(file))?.size ?? 0;
  if (size > limit) throw new VmarketError('IMAGE_CORRUPT', say(fileTooLarge, file, size, limit));
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of fs.stream(file)) {
    total += chunk.length;
    if (total > limit) throw new VmarketError('IMAGE_CORRUPT', say(fileTooLarge, file, total, limit));
    // chunks may be views of memory the reader reuses: copy what is kept
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks, total);
}
