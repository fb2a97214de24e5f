/**
 * Positioned reads with the checks every structure read needs: the range must lie inside the
 * file system, and a short read (the image ends early) is corruption, not a parsing crash.
 */
import type { Localized } from '../../i18n/localized.ts';
import type { RangeReader } from '../disk/types.ts';
import type { FsErrors } from './errors.ts';
import { cutShort, rangeOutside } from './texts.ts';

export type ExactRead = (reader: RangeReader, position: number, length: number, what: Localized) => Promise<Buffer>;

/** `readExact` for the reader whose errors are `errors`. */
export function exactReads(errors: FsErrors): ExactRead {
  return async (reader, position, length, what) => {
    if (!Number.isSafeInteger(position) || position < 0 || position + length > reader.size) {
      throw errors.corrupt(rangeOutside(what, position, length, reader.size));
    }
    const buffer = await reader.read(position, length);
    if (buffer.length !== length) throw errors.corrupt(cutShort(what));
    return buffer;
  };
}
