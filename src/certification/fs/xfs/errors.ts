/**
 * Error helpers of the XFS reader (../errors.ts): structural problems are IMAGE_CORRUPT errors
 * framed `XFS file system is corrupt: …` naming the structure.
 */
import { exactReads } from '../read.ts';
import { fsErrors } from '../errors.ts';

export const xfsErrors = fsErrors('XFS');
export const { corrupt, unsupported, withPath, annotate } = xfsErrors;
export const readExact = exactReads(xfsErrors);
