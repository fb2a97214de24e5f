/**
 * Error helpers of the ext reader (../errors.ts, framed `ext file system is corrupt: …`). Every
 * structural problem is an IMAGE_CORRUPT VmarketError whose message names the structure.
 */
import { fsErrors } from '../errors.ts';

export const extErrors = fsErrors('ext');
export const { corrupt, unsupported, withPath, annotate } = extErrors;
