/**
 * The sentences every file-system reader writes (ext2/3/4, XFS), in English and German side by
 * side. The checks quote them (linux.os-release: "found ext4 on partition 1 that could not be read
 * (…)"), so a German report names the broken structure in German. A message is built from a few
 * pieces: a structure (`inodeNo(12)`, `superblock`) and what is wrong with it (`outside(structure)`),
 * wrapped by the reader's frame (`frames('XFS').corrupt`, used by errors.ts). Numbers, feature
 * names and guest paths stay as they are in every language. Each reader's own texts.ts adds the
 * structures only it has and re-exports these.
 */
import { type Localized, type Phrase, fixed, say } from '../../i18n/localized.ts';

type N = number | string;

/** A renderer pair into a Localized, for the one-line phrases below. */
export function phrase<A extends unknown[]>(en: (...args: A) => string, de: (...args: A) => string): (...args: A) => Localized {
  const p: Phrase<A> = { en, de };
  return (...args: A) => say(p, ...args);
}

// --- the error frames (errors.ts) ---

/** How one file system's errors begin; `name` (`ext`, `XFS`) reads the same in every language. */
export function frames(name: string) {
  return {
    corrupt: phrase((detail: Localized) => `${name} file system is corrupt: ${detail.en}`, (detail) => `das ${name}-Dateisystem ist beschädigt: ${detail.de}`),
    readerFailed: phrase((message: string) => `${name} reader failed unexpectedly: ${message}`, (message) => `der ${name}-Leser ist unerwartet fehlgeschlagen: ${message}`),
  };
}
export const prefixed = phrase((where: Localized, message: Localized) => `${where.en}: ${message.en}`, (where, message) => `${where.de}: ${message.de}`);

// --- structures: the subjects of the sentences below ---

export const superblock = fixed('the superblock', 'der Superblock');
export const inodeNo = phrase((n: N) => `inode ${n}`, (n) => `Inode ${n}`);
export const directoryInode = phrase((n: N) => `directory inode ${n}`, (n) => `Verzeichnis-Inode ${n}`);
export const symlinkInode = phrase((n: N) => `symlink inode ${n}`, (n) => `Symlink-Inode ${n}`);
export const block = phrase((b: N) => `block ${b}`, (b) => `Block ${b}`);
export const sizeOfInode = phrase((n: N) => `the size of inode ${n}`, (n) => `die Größe von Inode ${n}`);
export const ofInode = phrase((what: Localized, n: N) => `${what.en} of inode ${n}`, (what, n) => `${what.de} von Inode ${n}`);
export const inodeData = phrase((n: N) => `data of inode ${n}`, (n) => `der Inhalt von Inode ${n}`);
export const fileDataAt = phrase((position: N) => `file data at byte ${position}`, (position) => `der Dateiinhalt ab Byte ${position}`);
/** "directory inode 2, block 5" / "inode 12: extent block 900": a part of a structure. */
export const partOf = phrase((whole: Localized, part: Localized, separator: ', ' | ': ') => `${whole.en}${separator}${part.en}`, (whole, part, separator) => `${whole.de}${separator}${part.de}`);
export const atBlock = phrase((what: Localized, b: N) => `${what.en} (block ${b})`, (what, b) => `${what.de} (Block ${b})`);

// --- what is wrong (subjects are structures above) ---

export const outside = phrase((what: Localized) => `${what.en} lies outside the file system`, (what) => `${what.de} liegt außerhalb des Dateisystems`);
export const rangeOutside = phrase(
  (what: Localized, position: N, length: N, size: N) => `${what.en} lies outside the file system (byte ${position}, ${length} bytes; the file system has ${size})`,
  (what, position, length, size) => `${what.de} liegt außerhalb des Dateisystems (Byte ${position}, ${length} Bytes; das Dateisystem hat ${size})`,
);
export const cutShort = phrase((what: Localized) => `${what.en} is cut short by the end of the image`, (what) => `${what.de} wird vom Ende des Images abgeschnitten`);
export const impossiblyLarge = phrase((what: Localized) => `${what.en} is impossibly large`, (what) => `${what.de} ist unmöglich groß`);
export const pointsOutside = phrase((what: Localized, target: Localized) => `${what.en} points to ${target.en} outside the file system`, (what, target) => `${what.de} verweist auf ${target.de} außerhalb des Dateisystems`);
export const mapsBlocksOutside = phrase((what: Localized, first: N, last: N) => `${what.en} maps blocks ${first}–${last} outside the file system`, (what, first, last) => `${what.de} bildet die Blöcke ${first}–${last} außerhalb des Dateisystems ab`);
export const mapsPastEnd = phrase((what: Localized) => `${what.en} maps blocks past the end of the file system`, (what) => `${what.de} bildet Blöcke hinter dem Ende des Dateisystems ab`);
export const sharesBlocks = phrase((what: Localized, first: N, last: N) => `${what.en} maps blocks ${first}–${last}, which are already mapped (overlapping extents or blocks claimed by another file)`, (what, first, last) => `${what.de} bildet die Blöcke ${first}–${last} ab, die bereits abgebildet sind (überlappende Extents oder Blöcke einer anderen Datei)`);
export const mapsBlockTwice = phrase((what: Localized, physical: N) => `${what.en} maps physical block ${physical} twice (overlapping extents)`, (what, physical) => `${what.de} bildet den physischen Block ${physical} zweimal ab (überlappende Extents)`);
export const reusesBlock = phrase((what: Localized, b: N) => `${what.en} reuses extent block ${b} (a cycle or shared node)`, (what, b) => `${what.de} verwendet Extent-Block ${b} erneut (ein Zyklus oder ein geteilter Knoten)`);
export const emptyExtent = phrase((what: Localized) => `${what.en} has an empty extent`, (what) => `${what.de} hat einen leeren Extent`);
export const mapsTwice = phrase((what: Localized, logical: N) => `${what.en} maps logical block ${logical} twice`, (what, logical) => `${what.de} bildet den logischen Block ${logical} zweimal ab`);
export const tooLarge = phrase((what: Localized, size: N, limit: N) => `${what.en} is ${size} bytes where at most ${limit} are possible`, (what, size, limit) => `${what.de} ist ${size} Bytes groß, möglich sind höchstens ${limit}`);
export const numberOutside = phrase((n: N, last: N) => `inode number ${n} is outside 1–${last}`, (n, last) => `die Inode-Nummer ${n} liegt außerhalb von 1–${last}`);
/** A quantity an inode or extent node claims (all feminine in German: "eine unmögliche …"). */
export const quantity = {
  size: fixed('size', 'Größe'),
  extraSize: fixed('extra size', 'Zusatzgröße'),
  targetLength: fixed('target length', 'Ziellänge'),
  treeDepth: fixed('extent tree depth', 'Extent-Baumtiefe'),
} as const;
export const hasImpossible = phrase((what: Localized, q: Localized, value: N) => `${what.en} has an impossible ${q.en} ${value}`, (what, q, value) => `${what.de} hat eine unmögliche ${q.de} ${value}`);

export const impossibleField = phrase<[f: Localized, value?: N]>((f, value) => `impossible ${f.en}${value === undefined ? '' : ` ${value}`}`, (f, value) => `unmögliche ${f.de}${value === undefined ? '' : ` ${value}`}`);

export const entryAt = phrase((where: Localized, at: N, problem: Localized) => `${where.en}: entry at ${at} ${problem.en}`, (where, at, problem) => `${where.de}: der Eintrag bei ${at} ${problem.de}`);
export const entryProblem = {
  pastBlock: fixed('runs past the block', 'reicht über das Ende des Blocks hinaus'),
  recordLength: phrase((n: N) => `has an invalid record length ${n}`, (n) => `hat eine ungültige Datensatzlänge ${n}`),
  nameLength: phrase((n: N) => `has an invalid name length ${n}`, (n) => `hat eine ungültige Namenslänge ${n}`),
  pastLastInode: phrase((n: N) => `names inode ${n} past the last inode`, (n) => `verweist auf Inode ${n} hinter dem letzten Inode`),
  badName: fixed(`has a name containing '/' or NUL`, `hat einen Namen, der '/' oder NUL enthält`),
} as const;

// --- paths the callers asked for ---

export const notDirectory = phrase((path: string) => `${path} is not a directory`, (path) => `${path} ist kein Verzeichnis`);
export const notSymlink = phrase((path: string) => `${path} is not a symbolic link`, (path) => `${path} ist kein symbolischer Link`);
export const notRegular = phrase((path: string, type: string) => `${path} is not a regular file (it is a ${type})`, (path, type) => `${path} ist keine reguläre Datei (sondern vom Typ ${type})`);
export const doesNotExist = phrase((path: string) => `${path} does not exist in the guest file system`, (path) => `${path} existiert im Dateisystem des Gastes nicht`);
export const symlinkLoop = phrase((hops: N, path: string) => `too many levels of symbolic links (more than ${hops}) resolving ${path}`, (hops, path) => `zu viele Ebenen symbolischer Links (mehr als ${hops}) beim Auflösen von ${path}`);
export const treeTooLarge = phrase((path: string, entries: N, inodes: N) => `${path}: the directory tree lists more than ${entries} entries, far more than the ${inodes} inodes of the file system (directories share their blocks)`, (path, entries, inodes) => `${path}: der Verzeichnisbaum listet mehr als ${entries} Einträge, weit mehr als die ${inodes} Inodes des Dateisystems (Verzeichnisse teilen sich ihre Blöcke)`);
export const treeTooDeep = phrase((path: string, levels: N) => `${path}: the directory tree is deeper than ${levels} levels`, (path, levels) => `${path}: der Verzeichnisbaum ist tiefer als ${levels} Ebenen`);
