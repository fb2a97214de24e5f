// STUB (being written in this session): the vhdx reader.
import { VmarketError } from '../../../errors.ts';
import { fixed } from '../../../i18n/localized.ts';
import type { RangeReader } from '../types.ts';
import type { OpenedFormat } from './types.ts';

export async function openVhdx(_file: RangeReader): Promise<OpenedFormat> {
  throw new VmarketError('IMAGE_UNSUPPORTED', fixed('vhdx: not read yet', 'vhdx: noch nicht gelesen'));
}
