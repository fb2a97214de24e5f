/**
 * Confines user-supplied file paths (offer image sources) to the import directories of the
 * publisher the offer belongs to. Publishers do not trust each other: by default publisher P may
 * import only from `<dir>/P/` of each `imports.allowedDirs` entry, or from the directories
 * `imports.publisherDirs[P]` names instead. The check is made on the real path, after every
 * symlink is followed, so neither `..` nor a symlink can reach a file outside those directories.
 *
 * Every refusal reads the same ("not there", "not a file", "outside", "someone else's"), so a
 * publisher cannot probe which files exist; the reason is kept as the error's cause for the log.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/load.ts';
import { VmarketError } from '../errors.ts';
import { type Phrase, say } from '../i18n/localized.ts';
import { PUBLISHER_ID_PATTERN } from '../offers/schema.ts';

// what a publisher reads at the image field (in the editor, in German too)
const notAFilePath: Phrase<[string]> = {
  en: (p) => `The path ${p} is not a valid file path.`,
  de: (p) => `Der Pfad ${p} ist kein gültiger Dateipfad.`,
};
const notImportable: Phrase<[string]> = {
  en: (p) => `The image file ${p} cannot be imported: there is no such file in your import directory.`,
  de: (p) => `Die Image-Datei ${p} kann nicht importiert werden: In Ihrem Importverzeichnis gibt es keine solche Datei.`,
};

/** True when `child` is `parent` itself or inside it (both absolute and normalised). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * The import directories of `publisherId`: `imports.publisherDirs[publisherId]` when the operator
 * named them, else `<dir>/<publisherId>` of each `imports.allowedDirs` entry. No publisher (or
 * an id that is not one) has none, so nothing can be imported for it.
 */
export function importDirsOf(imports: Pick<Config['imports'], 'allowedDirs' | 'publisherDirs'>, publisherId: string | undefined): string[] {
  if (publisherId === undefined || !PUBLISHER_ID_PATTERN.test(publisherId)) return [];
  const named = Object.hasOwn(imports.publisherDirs, publisherId) ? imports.publisherDirs[publisherId] : undefined;
  return named ?? imports.allowedDirs.map((dir) => path.join(dir, publisherId));
}

/**
 * The import roots that hold files directly (not in a publisher's `<root>/<publisher>/`): left
 * from before per-publisher subtrees, they are nobody's now, so the server warns at startup.
 */
export async function rootsWithLooseFiles(roots: readonly string[]): Promise<{ dir: string; files: number }[]> {
  const found = await Promise.all(
    roots.map(async (dir) => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      return { dir, files: entries.filter((e) => e.isFile()).length };
    }),
  );
  return found.filter((f) => f.files > 0);
}

/** The real path of each directory, undefined for one that does not exist (it allows nothing). */
async function realDirs(dirs: readonly string[]): Promise<(string | undefined)[]> {
  return Promise.all(dirs.map((dir) => realpath(dir).catch(() => undefined)));
}

/** The one refusal a publisher sees; `reason` (for the server log) says which case it was. */
function refused(userPath: string, reason: string): VmarketError {
  return new VmarketError('PATH_NOT_ALLOWED', say(notImportable, userPath), { cause: new Error(`${reason}: ${userPath}`) });
}

/**
 * The real path of `userPath`, a regular file inside one of `allowedDirs` (a publisher's import
 * directories, from `importDirsOf`).
 *
 * A relative path is tried against each allowed directory in order (the first existing file
 * wins); an absolute path is accepted only when it lies inside one. The resolved real path (all
 * symlinks followed) must itself be inside a real allowed directory.
 *
 * @throws VmarketError PATH_NOT_ALLOWED, with one text whether the file is missing, not a regular
 *   file, outside the directories (lexically or through a symlink) or another publisher's.
 */
export async function confineImportPath(userPath: string, allowedDirs: readonly string[]): Promise<string> {
  if (typeof userPath !== 'string' || userPath.length === 0 || userPath.includes('\0')) {
    throw new VmarketError('PATH_NOT_ALLOWED', say(notAFilePath, JSON.stringify(userPath)));
  }
  const dirs = allowedDirs.map((d) => path.resolve(d));
  const reals = await realDirs(dirs);
  const candidates = path.isAbsolute(userPath) ? [path.resolve(userPath)] : dirs.map((d) => path.resolve(d, userPath));

  // Lexical check first: `../x` or an absolute path outside is refused before the file system is
  // asked anything about it.
  const lexicallyInside = candidates.filter((c) => dirs.some((d, i) => isInside(d, c) || (reals[i] !== undefined && isInside(reals[i], c))));
  const realAllowed = reals.filter((d): d is string => d !== undefined);
  if (lexicallyInside.length === 0) throw refused(userPath, 'outside the import directories');

  let reason = 'no such file';
  for (const candidate of lexicallyInside) {
    let real: string;
    try {
      real = await realpath(candidate);
    } catch {
      continue;
    }
    if (!realAllowed.some((d) => isInside(d, real))) {
      reason = 'a symbolic link leads outside the import directories';
      continue;
    }
    const info = await stat(real).catch(() => undefined);
    if (!info?.isFile()) throw refused(userPath, 'not a regular file');
    return real;
  }
  throw refused(userPath, reason);
}
