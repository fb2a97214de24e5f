/**
 * Error helpers of the ext reader. Every structural problem is an IMAGE_CORRUPT VmarketError whose
 * message names the structure (inode, block, path), so a publisher can see what is broken. The
 * messages are phrases (texts.ts): the checks quote them in the report's language.
 */
import { VmarketError } from '../../../errors.ts';
import { type Localized, verbatim } from '../../../i18n/localized.ts';
import { corruptFrame, prefixed, readerFailed } from './texts.ts';

export function corrupt(detail: Localized): VmarketError {
  return new VmarketError('IMAGE_CORRUPT', corruptFrame(detail));
}

export function unsupported(message: Localized): VmarketError {
  return new VmarketError('IMAGE_UNSUPPORTED', message);
}

/**
 * Runs `action` and, when it fails, rethrows the error with the guest path in front of its
 * message. Errors that are not VmarketErrors are programming errors of this reader: they become
 * INTERNAL (never silently "corrupt"), so the fuzz tests can tell a bug from a bad image.
 */
export async function withPath<T>(path: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw annotate(path, error);
  }
}

/** `where` is a guest path (the same in every language) or a structure (`superblock`). */
export function annotate(where: string | Localized, error: unknown): VmarketError {
  const place = typeof where === 'string' ? verbatim(where) : where;
  const path = place.en;
  if (error instanceof VmarketError) {
    if (error.message.startsWith(`${path}: `) || error.details.some((d) => d.path !== undefined)) return error;
    return new VmarketError(error.code, prefixed(place, error.localized ?? verbatim(error.message)), {
      details: [...error.details, { path, message: error.message }],
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new VmarketError('INTERNAL', prefixed(place, readerFailed(message)), {
    details: [{ path, message }],
    cause: error,
  });
}
