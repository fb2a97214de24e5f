/**
 * Error helpers every file-system reader shares. Every structural problem is an IMAGE_CORRUPT
 * VmarketError whose message names the structure (inode, block, path), so a publisher can see
 * what is broken; the frame names the file system (`ext file system is corrupt: …`, `XFS file
 * system is corrupt: …`). The messages are phrases (texts.ts): the checks quote them in the
 * report's language.
 */
import { VmarketError } from '../../errors.ts';
import { type Localized, verbatim } from '../../i18n/localized.ts';
import { frames, prefixed } from './texts.ts';

export interface FsErrors {
  corrupt(detail: Localized): VmarketError;
  unsupported(message: Localized): VmarketError;
  /**
   * Runs `action` and, when it fails, rethrows the error with the guest path in front of its
   * message. Errors that are not VmarketErrors are programming errors of the reader: they become
   * INTERNAL (never silently "corrupt"), so the fuzz tests can tell a bug from a bad image.
   */
  withPath<T>(path: string, action: () => Promise<T>): Promise<T>;
  /** `where` is a guest path (the same in every language) or a structure (`superblock`). */
  annotate(where: string | Localized, error: unknown): VmarketError;
}

/** The helpers of the reader whose sentences say `name` (`ext`, `XFS`). */
export function fsErrors(name: string): FsErrors {
  const frame = frames(name);
  const annotate = (where: string | Localized, error: unknown): VmarketError => {
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
    return new VmarketError('INTERNAL', prefixed(place, frame.readerFailed(message)), {
      details: [{ path, message }],
      cause: error,
    });
  };
  return {
    corrupt: (detail) => new VmarketError('IMAGE_CORRUPT', frame.corrupt(detail)),
    unsupported: (message) => new VmarketError('IMAGE_UNSUPPORTED', message),
    async withPath(path, action) {
      try {
        return await action();
      } catch (error) {
        throw annotate(path, error);
      }
    },
    annotate,
  };
}
