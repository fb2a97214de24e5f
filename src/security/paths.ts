/**
 * Confines user-supplied file paths (offer image sources) to the operator's import directories.
 * The check is made on the real path, after every symlink is followed, so neither `..` nor a
 * symlink can reach a file outside the allowed directories.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { VmarketError } from '../errors.ts';
import { type Phrase, say } from '../i18n/localized.ts';

// what a publisher reads at the image field (in the editor, in German too)
const notAFilePath: Phrase<[string]> = {
  en: (p) => `The path ${p} is not a valid file path.`,
  de: (p) => `Der Pfad ${p} ist kein gültiger Dateipfad.`,
};
const outsideImportDirs: Phrase<[string]> = {
  en: (p) => `The path ${p} is outside the allowed import directories.`,
  de: (p) => `Der Pfad ${p} liegt außerhalb der erlaubten Importverzeichnisse.`,
};
const notARegularFile: Phrase<[string]> = {
  en: (p) => `The path ${p} is not a regular file.`,
  de: (p) => `Der Pfad ${p} ist keine reguläre Datei.`,
};
const escapesThroughLink: Phrase<[string]> = {
  en: (p) => `The path ${p} leads outside the allowed import directories (through a symbolic link).`,
  de: (p) => `Der Pfad ${p} führt aus den erlaubten Importverzeichnissen hinaus (über einen symbolischen Link).`,
};
const noSuchImportFile: Phrase<[string]> = {
  en: (p) => `The file ${p} does not exist in the allowed import directories.`,
  de: (p) => `Die Datei ${p} gibt es in den erlaubten Importverzeichnissen nicht.`,
};

/** True when `child` is `parent` itself or inside it (both absolute and normalised). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** The real path of each directory, undefined for one that does not exist (it allows nothing). */
async function realDirs(dirs: readonly string[]): Promise<(string | undefined)[]> {
  return Promise.all(dirs.map((dir) => realpath(dir).catch(() => undefined)));
}

/**
 * The real path of `userPath`, a regular file inside one of `allowedDirs`.
 *
 * A relative path is tried against each allowed directory in order (the first existing file
 * wins); an absolute path is accepted only when it lies inside one. The resolved real path (all
 * symlinks followed) must itself be inside a real allowed directory.
 *
 * @throws VmarketError PATH_NOT_ALLOWED when the path (or its symlink target) leaves the
 *   allowed directories; FILE_UNREADABLE when no such regular file exists.
 */
export async function confineImportPath(userPath: string, allowedDirs: readonly string[]): Promise<string> {
  if (typeof userPath !== 'string' || userPath.length === 0 || userPath.includes('\0')) {
    throw new VmarketError('PATH_NOT_ALLOWED', say(notAFilePath, JSON.stringify(userPath)));
  }
  const dirs = allowedDirs.map((d) => path.resolve(d));
  const reals = await realDirs(dirs);
  const candidates = path.isAbsolute(userPath) ? [path.resolve(userPath)] : dirs.map((d) => path.resolve(d, userPath));

  // Lexical check first: `../x` or an absolute path outside is refused even when it does not exist,
  // so the answer never reveals whether a file outside the import directories exists.
  const lexicallyInside = candidates.filter((c) => dirs.some((d, i) => isInside(d, c) || (reals[i] !== undefined && isInside(reals[i], c))));
  const realAllowed = reals.filter((d): d is string => d !== undefined);
  if (lexicallyInside.length === 0) {
    throw new VmarketError('PATH_NOT_ALLOWED', say(outsideImportDirs, userPath));
  }

  let escaped = false;
  for (const candidate of lexicallyInside) {
    let real: string;
    try {
      real = await realpath(candidate);
    } catch {
      continue;
    }
    if (!realAllowed.some((d) => isInside(d, real))) {
      escaped = true;
      continue;
    }
    const info = await stat(real).catch(() => undefined);
    if (!info?.isFile()) {
      throw new VmarketError('FILE_UNREADABLE', say(notARegularFile, userPath));
    }
    return real;
  }
  if (escaped) {
    throw new VmarketError('PATH_NOT_ALLOWED', say(escapesThroughLink, userPath));
  }
  throw new VmarketError('FILE_UNREADABLE', say(noSuchImportFile, userPath));
}
