/**
 * Which blocks of one file system the files read so far have mapped. ext2/3/4 never share a
 * data block between two files (e2fsck calls it "multiply-claimed"); a crafted image does it to
 * have one extent read under thousands of inodes. The scan gives each file system one of these,
 * and the reader reports a file whose blocks another file already mapped as corrupt.
 * A page of bits is allocated only where blocks are mapped: memory follows the used blocks.
 */
const PAGE_BITS = 1 << 20;

export class BlockClaims {
  readonly #pages = new Map<number, Uint8Array>();

  /** Marks blocks [start, end); false (and nothing marked past it) when one was marked before. */
  claim(start: number, end: number): boolean {
    for (let block = start; block < end;) {
      const pageNo = Math.floor(block / PAGE_BITS);
      let page = this.#pages.get(pageNo);
      if (!page) this.#pages.set(pageNo, (page = new Uint8Array(PAGE_BITS / 8)));
      const stop = Math.min(end, (pageNo + 1) * PAGE_BITS);
      for (let bit = block - pageNo * PAGE_BITS, last = stop - pageNo * PAGE_BITS; bit < last; bit++) {
        const mask = 1 << (bit & 7);
        if (page[bit >> 3] & mask) return false;
        page[bit >> 3] |= mask;
      }
      block = stop;
    }
    return true;
  }
}
