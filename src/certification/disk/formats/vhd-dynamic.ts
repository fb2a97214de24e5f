/**
 * A dynamic VHD (disk type 3): the footer (parsed by vhd.ts), the dynamic disk header
 * (`vhd-dynamic-header.ts`) and the blocks its allocation table points to (`vhd-blocks.ts`).
 */
import { errorText, isVmarketError, VmarketError } from '../../../errors.ts';
import { type Localized, type Phrase, say } from '../../../i18n/localized.ts';
import type { RangeReader, VhdFooter } from '../types.ts';
import { MappedDisk } from './mapped-disk.ts';
import type { OpenedFormat } from './types.ts';
import { VhdBlockMap } from './vhd-blocks.ts';
import { readDynamicVhdHeader } from './vhd-dynamic-header.ts';
import { vhdVirtualSize } from './vhd-virtual-size.ts';

/** QEMU's limit for a VHD: 2,040 GiB (0xff000000 sectors). */
const MAX_VIRTUAL_BYTES = 0xff000000 * 512;

const tooLarge: Phrase<[size: number]> = {
  en: (size) => `The dynamic VHD declares a virtual disk of ${size} bytes, more than the format's 2,040 GiB.`,
  de: (size) => `Die dynamische VHD gibt einen virtuellen Datenträger von ${size} Byte an, mehr als die 2.040 GiB des Formats.`,
};
const tableTooSmall: Phrase<[entries: number, blocks: number]> = {
  en: (entries, blocks) => `The dynamic VHD's block allocation table has ${entries} entries, but its virtual disk has ${blocks} blocks.`,
  de: (entries, blocks) => `Die Belegungstabelle der dynamischen VHD hat ${entries} Einträge, ihr virtueller Datenträger hat aber ${blocks} Blöcke.`,
};

const unreadable: Phrase<[reason: Localized]> = {
  en: (reason) => `The dynamic VHD's header could not be read: ${reason.en}`,
  de: (reason) => `Der Header der dynamischen VHD konnte nicht gelesen werden: ${reason.de}`,
};

/**
 * The virtual disk of a dynamic VHD (disk type 3): `cxsparse` header, block allocation table,
 * blocks with sector bitmaps. A header that cannot be read is a problem of a dynamic VHD (with
 * its footer and the problems found so far), not a thrown error the dispatcher would file under
 * the VHD format in general.
 */
export async function openDynamicVhd(file: RangeReader, footer: VhdFooter, _head: Buffer, problems: Localized[]): Promise<OpenedFormat> {
  try {
    return await openReadable(file, footer, problems);
  } catch (error) {
    if (!isVmarketError(error)) throw error;
    const details = { diskType: footer.diskType, creator: footer.creatorApplication };
    return { format: 'vhd-dynamic', virtualSize: vhdVirtualSize(footer), disk: null, footer, refusals: [], problems: [...problems, say(unreadable, errorText(error))], details };
  }
}

async function openReadable(file: RangeReader, footer: VhdFooter, problems: Localized[]): Promise<OpenedFormat> {
  const header = await readDynamicVhdHeader(file, footer.dataOffset, problems);
  const virtualSize = vhdVirtualSize(footer);
  if (virtualSize > MAX_VIRTUAL_BYTES) throw new VmarketError('IMAGE_CORRUPT', say(tooLarge, virtualSize));
  const blocks = Math.ceil(virtualSize / header.blockSize);
  if (blocks > header.maxTableEntries) throw new VmarketError('IMAGE_CORRUPT', say(tableTooSmall, header.maxTableEntries, blocks));
  const map = new VhdBlockMap(file, header, blocks);
  return {
    format: 'vhd-dynamic',
    virtualSize,
    disk: new MappedDisk(file, virtualSize, map),
    footer,
    refusals: [],
    problems,
    details: { diskType: footer.diskType, creator: footer.creatorApplication, blockSize: header.blockSize },
  };
}
