/** A guest file's whole content, refused by its size before a byte is read (a sparse file can claim any size). */
import type { GuestFs } from '../../fs/types.ts';
import { corrupt } from './errors.ts';
import * as text from './texts.ts';

export async function readGuestFile(fs: GuestFs, path: string, limit: number): Promise<Buffer> {
  const size = (await fs.stat(path))?.size ?? 0;
  if (size > limit) throw corrupt(text.fileTooLarge(size, limit));
  // copied chunk by chunk: a reader's chunks may be views of memory it reuses for the next one
  const out = Buffer.alloc(size);
  let filled = 0;
  for await (const chunk of fs.stream(path)) {
    if (filled + chunk.length > size) throw corrupt(text.fileTooLarge(filled + chunk.length, size));
    chunk.copy(out, filled);
    filled += chunk.length;
  }
  return filled === size ? out : out.subarray(0, filled);
}
