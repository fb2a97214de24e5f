/** The reader's own listing in the shape of the debugfs one, for the cross-check tests. */
import { createHash } from 'node:crypto';
import type { GuestFs } from '../../../src/certification/fs/types.ts';
import type { ExpectedEntry } from './fixtures.ts';

export async function readerListing(fs: GuestFs): Promise<ExpectedEntry[]> {
  const listing: ExpectedEntry[] = [];
  for await (const { path, stat } of fs.walk('/')) {
    const item: ExpectedEntry = { path, type: stat.type, mode: stat.mode, uid: stat.uid, gid: stat.gid, size: stat.type === 'dir' ? null : stat.size };
    if (stat.type === 'file') {
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of fs.stream(path)) {
        hash.update(chunk);
        bytes += chunk.length;
      }
      if (bytes !== stat.size) throw new Error(`${path}: streamed ${bytes} bytes, size is ${stat.size}`);
      item.sha256 = hash.digest('hex');
    }
    if (stat.type === 'symlink') item.target = await fs.readlink(path);
    listing.push(item);
  }
  return listing.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
