/**
 * VHD (Microsoft "Virtual Hard Disk Image Format Specification"): a fixed disk is the raw disk
 * followed by a 512-byte footer; a dynamic disk starts with a copy of that footer, has a
 * `cxsparse` header and a block allocation table (read by `vhd-dynamic.ts`); a differencing disk
 * needs its parent file and is refused without opening it.
 */
import { errorText, isVmarketError } from '../../../errors.ts';
import { fixed, type Localized, type Phrase, say } from '../../../i18n/localized.ts';
import type { RangeReader } from '../types.ts';
import { hasVhdCookie, parseVhdFooter, vhdChecksum, VHD_COOKIE, VHD_FOOTER_SIZE } from '../vhd-footer.ts';
import type { OpenedFormat } from './types.ts';
import { openDynamicVhd } from './vhd-dynamic.ts';

const FOOTER_COPY_READ = fixed(
  `The file does not end with a VHD footer (cookie "${VHD_COOKIE}"); the footer copy at the start of the file was read instead.`,
  `Die Datei endet nicht mit einem VHD-Footer (Cookie „${VHD_COOKIE}“); stattdessen wurde die Kopie des Footers am Anfang der Datei gelesen.`,
);
const badChecksum: Phrase<[stored: string, computed: string]> = {
  en: (stored, computed) => `The VHD footer checksum is ${stored}, but the footer's contents give ${computed}.`,
  de: (stored, computed) => `Die Prüfsumme im VHD-Footer ist ${stored}, aus dem Inhalt des Footers ergibt sich aber ${computed}.`,
};
const sizeMismatch: Phrase<[currentSize: number, expected: number]> = {
  en: (current, expected) => `The VHD footer's current size (${current} bytes) differs from the file size minus the 512-byte footer (${expected} bytes).`,
  de: (current, expected) => `Die aktuelle Größe im VHD-Footer (${current} Byte) weicht von der Dateigröße abzüglich des 512 Byte großen Footers (${expected} Byte) ab.`,
};
const unknownDiskType: Phrase<[diskType: number]> = {
  en: (type) => `The VHD footer has disk type ${type}, which is neither fixed (2), dynamic (3) nor differencing (4).`,
  de: (type) => `Der VHD-Footer nennt den Datenträgertyp ${type}, der weder fest (2) noch dynamisch (3) noch differenzierend (4) ist.`,
};
const DIFFERENCING = fixed(
  'The VHD is a differencing disk: its data depends on a parent VHD file, which is never opened. Merge it into a standalone disk (`qemu-img convert -O vpc`) and upload that.',
  'Die VHD ist eine differenzierende VHD: ihre Daten hängen von einer übergeordneten VHD-Datei ab, die nie geöffnet wird. Führen Sie sie zu einem eigenständigen Datenträger zusammen (`qemu-img convert -O vpc`) und laden Sie diesen hoch.',
);

/**
 * Opens a file that ends with a VHD footer (`tail`), or starts with a dynamic disk's footer copy
 * (`head`, when the trailing footer is missing).
 */
export async function openVhd(file: RangeReader, head: Buffer, tail: Buffer): Promise<OpenedFormat> {
  const problems: Localized[] = [];
  let footerBytes = tail;
  if (!hasVhdCookie(tail)) {
    footerBytes = head;
    problems.push(FOOTER_COPY_READ);
  }
  const footer = parseVhdFooter(footerBytes);
  if (!footer.checksumValid) problems.push(say(badChecksum, hex32(footer.checksum), hex32(vhdChecksum(footerBytes))));
  const base = { virtualSize: footer.currentSize, footer, problems, refusals: [] as Localized[], details: { diskType: footer.diskType, creator: footer.creatorApplication } };
  const withoutFooter = () => file.slice(0, file.size - VHD_FOOTER_SIZE);
  switch (footer.diskType) {
    case 2: {
      const expected = file.size - VHD_FOOTER_SIZE;
      if (footer.currentSize !== expected) problems.push(say(sizeMismatch, footer.currentSize, expected));
      // the footer sits after the disk; the disk is everything before it, whatever the footer claims
      return { ...base, format: 'vhd-fixed', disk: withoutFooter() };
    }
    case 3:
      try {
        return await openDynamicVhd(file, footer, head, problems);
      } catch (error) {
        // a dynamic disk whose sparse header or table cannot be read: still named a dynamic VHD
        if (!isVmarketError(error)) throw error;
        return { ...base, format: 'vhd-dynamic', disk: null, problems: [...problems, errorText(error)] };
      }
    case 4:
      return { ...base, format: 'vhd-differencing', disk: null, refusals: [DIFFERENCING] };
    default:
      // most likely a fixed disk with a damaged footer (image.format fails it); its contents are still worth checking
      problems.push(say(unknownDiskType, footer.diskType));
      return { ...base, format: 'unknown', disk: file.size >= VHD_FOOTER_SIZE ? withoutFooter() : null };
  }
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
