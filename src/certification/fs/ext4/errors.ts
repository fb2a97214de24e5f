/**
 * Error helpers of the ext reader. Every structural problem is an IMAGE_CORRUPT VmarketError whose
 * message names the structure (inode, block, path), so a publisher can see what is broken.
 */
import { VmarketError } from '../../../errors.ts';

export function corrupt(message: string): VmarketError {
  return new VmarketError('IMAGE_CORRUPT', `ext file system is corrupt: ${message}`);
}

export function unsupported(message: string): VmarketError {
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

export function annotate(path: string, error: unknown): VmarketError {
  if (error instanceof VmarketError) {
    if (error.message.startsWith(`${path}: `) || error.details.some((d) => d.path !== undefined)) return error;
    return new VmarketError(error.code, `${path}: ${error.message}`, {
      details: [...error.details, { path, message: error.message }],
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new VmarketError('INTERNAL', `${path}: ext reader failed unexpectedly: ${message}`, {
    details: [{ path, message }],
    cause: error,
  });
}
