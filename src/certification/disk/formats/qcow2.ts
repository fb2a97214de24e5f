// STUB (being written in this session): the qcow2 reader.
import { VmarketError } from '../../../errors.ts';
import { fixed } from '../../../i18n/localized.ts';
import type { RangeReader } from '../types.ts';
import type { OpenedFormat } from './types.ts';

export async function openQcow2(_file: RangeReader): Promise<OpenedFormat> {
  throw new VmarketError('IMAGE_UNSUPPORTED', fixed('qcow2: not read yet', 'qcow2: noch nicht gelesen'));
}
