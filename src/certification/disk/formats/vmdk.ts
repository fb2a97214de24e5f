// STUB (being written in this session): the vmdk reader.
import { VmarketError } from '../../../errors.ts';
import { fixed } from '../../../i18n/localized.ts';
import type { RangeReader } from '../types.ts';
import type { OpenedFormat } from './types.ts';

export async function openVmdk(_file: RangeReader): Promise<OpenedFormat> {
  throw new VmarketError('IMAGE_UNSUPPORTED', fixed('vmdk: not read yet', 'vmdk: noch nicht gelesen'));
}
