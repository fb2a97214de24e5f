// STUB (being written in this session): the dynamic VHD reader.
import { VmarketError } from '../../../errors.ts';
import { fixed, type Localized } from '../../../i18n/localized.ts';
import type { RangeReader, VhdFooter } from '../types.ts';
import type { OpenedFormat } from './types.ts';

/** The virtual disk of a dynamic VHD (disk type 3): `cxsparse` header, block allocation table, blocks with sector bitmaps. */
export async function openDynamicVhd(_file: RangeReader, _footer: VhdFooter, _head: Buffer, _problems: Localized[]): Promise<OpenedFormat> {
  throw new VmarketError('IMAGE_UNSUPPORTED', fixed('dynamic VHD: not read yet', 'dynamische VHD: noch nicht gelesen'));
}
