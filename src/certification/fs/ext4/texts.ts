/**
 * Every sentence the ext reader writes, in English and German side by side. The checks quote
 * them (linux.os-release: "found ext4 on partition 1 that could not be read (…)"), so a German
 * report names the broken structure in German. A message is built from a few pieces: a structure
 * (`inodeNo(12)`, `superblock`) and what is wrong with it (`outside(structure)`), wrapped by
 * `corrupt` in errors.ts. The English is what the reader always wrote; tests compare it exactly.
 * Numbers, feature names and guest paths stay as they are in every language.
 */
import { type Localized, type Phrase, fixed, say } from '../../../i18n/localized.ts';

type N = number | string;

/** A renderer pair into a Localized, for the one-line phrases below. */
function phrase<A extends unknown[]>(en: (...args: A) => string, de: (...args: A) => string): (...args: A) => Localized {
  const p: Phrase<A> = { en, de };
  return (...args: A) => say(p, ...args);
}

// --- the error frames (errors.ts) ---

export const corruptFrame = phrase((detail: Localized) => `ext file system is corrupt: ${detail.en}`, (detail) => `das ext-Dateisystem ist beschädigt: ${detail.de}`);
export const prefixed = phrase((where: Localized, message: Localized) => `${where.en}: ${message.en}`, (where, message) => `${where.de}: ${message.de}`);
export const readerFailed = phrase((message: string) => `ext reader failed unexpectedly: ${message}`, (message) => `der ext-Leser ist unerwartet fehlgeschlagen: ${message}`);

// --- structures: the subjects of the sentences below ---

export const superblock = fixed('the superblock', 'der Superblock');
export const inodeNo = phrase((n: N) => `inode ${n}`, (n) => `Inode ${n}`);
export const directoryInode = phrase((n: N) => `directory inode ${n}`, (n) => `Verzeichnis-Inode ${n}`);
export const symlinkInode = phrase((n: N) => `symlink inode ${n}`, (n) => `Symlink-Inode ${n}`);
export const block = phrase((b: N) => `block ${b}`, (b) => `Block ${b}`);
export const extentBlock = phrase((b: N) => `extent block ${b}`, (b) => `Extent-Block ${b}`);
export const extentRoot = fixed('its extent root', 'seine Extent-Wurzel');
export const groupDescriptorBlock = phrase((i: N) => `group descriptor block ${i}`, (i) => `Gruppendeskriptorblock ${i}`);
export const inodeTable = phrase((group: N) => `the inode table of block group ${group}`, (group) => `die Inode-Tabelle der Blockgruppe ${group}`);
export const blockCount = fixed('the block count', 'die Blockanzahl');
export const sizeOfInode = phrase((n: N) => `the size of inode ${n}`, (n) => `die Größe von Inode ${n}`);
export const ofInode = phrase((what: Localized, n: N) => `${what.en} of inode ${n}`, (what, n) => `${what.de} von Inode ${n}`);
export const indirectBlock = phrase((b: N) => `indirect block ${b}`, (b) => `indirekter Block ${b}`);
export const inodeData = phrase((n: N) => `data of inode ${n}`, (n) => `der Inhalt von Inode ${n}`);
export const fileDataAt = phrase((position: N) => `file data at byte ${position}`, (position) => `der Dateiinhalt ab Byte ${position}`);
/** "directory inode 2, block 5" / "inode 12: extent block 900": a part of a structure. */
export const partOf = phrase((whole: Localized, part: Localized, separator: ', ' | ': ') => `${whole.en}${separator}${part.en}`, (whole, part, separator) => `${whole.de}${separator}${part.de}`);
export const atBlock = phrase((what: Localized, b: N) => `${what.en} (block ${b})`, (what, b) => `${what.de} (Block ${b})`);
export const inlineEntries = fixed('its inline entries', 'seine Inline-Einträge');
export const inlineExtendedEntries = fixed('its inline extended entries', 'seine erweiterten Inline-Einträge');

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
export const mapsTwice = phrase((what: Localized, logical: N) => `${what.en} maps logical block ${logical} twice`, (what, logical) => `${what.de} bildet den logischen Block ${logical} zweimal ab`);
export const tooLarge = phrase((what: Localized, size: N, limit: N) => `${what.en} is ${size} bytes where at most ${limit} are possible`, (what, size, limit) => `${what.de} ist ${size} Bytes groß, möglich sind höchstens ${limit}`);
export const inlineShort = phrase((what: Localized, size: N, held: N) => `${what.en} is ${size} bytes but holds only ${held} inline`, (what, size, held) => `${what.de} ist ${size} Bytes groß, enthält inline aber nur ${held}`);
export const numberOutside = phrase((n: N, last: N) => `inode number ${n} is outside 1–${last}`, (n, last) => `die Inode-Nummer ${n} liegt außerhalb von 1–${last}`);
export const groupMissing = phrase((group: N) => `block group ${group} does not exist`, (group) => `die Blockgruppe ${group} existiert nicht`);
export const holeAt = phrase((what: Localized, b: N) => `${what.en} has a hole at block ${b}`, (what, b) => `${what.de} hat ein Loch bei Block ${b}`);
export const notWholeBlocks = phrase((what: Localized, size: N) => `${what.en} has a size ${size} that is not a whole number of blocks`, (what, size) => `${what.de} hat eine Größe ${size}, die kein Vielfaches der Blockgröße ist`);

/** A quantity an inode or extent node claims (all feminine in German: "eine unmögliche …"). */
export const quantity = {
  size: fixed('size', 'Größe'),
  extraSize: fixed('extra size', 'Zusatzgröße'),
  targetLength: fixed('target length', 'Ziellänge'),
  treeDepth: fixed('extent tree depth', 'Extent-Baumtiefe'),
} as const;
export const hasImpossible = phrase((what: Localized, q: Localized, value: N) => `${what.en} has an impossible ${q.en} ${value}`, (what, q, value) => `${what.de} hat eine unmögliche ${q.de} ${value}`);

/** A superblock field that cannot be (all feminine in German: "unmögliche …"). */
export const field = {
  blockCount: fixed('block count', 'Blockanzahl'),
  firstDataBlock: fixed('first data block', 'Nummer des ersten Datenblocks'),
  clusterSize: fixed('cluster size', 'Clustergröße'),
  blocksPerGroup: fixed('blocks per group', 'Anzahl Blöcke pro Gruppe'),
  inodesPerGroup: fixed('inodes per group', 'Anzahl Inodes pro Gruppe'),
  inodeSize: fixed('inode size', 'Inode-Größe'),
  descriptorSize: fixed('group descriptor size', 'Gruppendeskriptorgröße'),
  inodeCount: fixed('inode count', 'Inode-Anzahl'),
} as const;
export const impossibleField = phrase<[f: Localized, value?: N]>((f, value) => `impossible ${f.en}${value === undefined ? '' : ` ${value}`}`, (f, value) => `unmögliche ${f.de}${value === undefined ? '' : ` ${value}`}`);

export const superblockTooSmall = fixed('the partition is too small to hold a superblock', 'die Partition ist zu klein für einen Superblock');
export const badSuperblockMagic = fixed('bad superblock magic (not an ext2/3/4 file system)', 'ungültige Magic-Nummer im Superblock (kein ext2/3/4-Dateisystem)');
export const blockSizeRange = phrase((log: N) => `block size 2^${log} is outside 1 KiB–64 KiB`, (log) => `die Blockgröße 2^${log} liegt außerhalb von 1 KiB–64 KiB`);
export const blockSizeTooLarge = fixed('the block size is larger than the file system', 'die Blockgröße ist größer als das Dateisystem');
export const descriptorsDoNotFit = fixed('the group descriptors cannot fit in the file system', 'die Gruppendeskriptoren passen nicht in das Dateisystem');
export const incompatibleFeatures = phrase(
  (label: string) => `the ext file system uses incompatible features this reader cannot read: ${label}`,
  (label) => `das ext-Dateisystem verwendet inkompatible Funktionen, die dieser Leser nicht lesen kann: ${label}`,
);

export const badExtentMagic = phrase((what: Localized) => `${what.en} has a bad extent header magic`, (what) => `${what.de} hat eine ungültige Magic-Nummer im Extent-Header`);
export const tooManyEntries = phrase(
  (what: Localized, entries: N, max: N, capacity: N) => `${what.en} claims ${entries} of ${max} extent entries where ${capacity} fit`,
  (what, entries, max, capacity) => `${what.de} gibt ${entries} von ${max} Extent-Einträgen an, obwohl nur ${capacity} hineinpassen`,
);
export const indexOutOfOrder = phrase((what: Localized) => `${what.en} has extent index entries out of order`, (what) => `${what.de} hat Extent-Indexeinträge in falscher Reihenfolge`);
export const reusesBlock = phrase((what: Localized, b: N) => `${what.en} reuses extent block ${b} (a cycle or shared node)`, (what, b) => `${what.de} verwendet Extent-Block ${b} erneut (ein Zyklus oder ein geteilter Knoten)`);
export const emptyExtent = phrase((what: Localized) => `${what.en} has an empty extent`, (what) => `${what.de} hat einen leeren Extent`);
export const unorderedExtents = phrase((what: Localized, logical: N) => `${what.en} has overlapping or unordered extents at logical block ${logical}`, (what, logical) => `${what.de} hat überlappende oder ungeordnete Extents bei logischem Block ${logical}`);
export const extentPastLast = phrase((what: Localized) => `${what.en} has an extent past the largest logical block`, (what) => `${what.de} hat einen Extent hinter dem größten logischen Block`);

export const entryAt = phrase((where: Localized, at: N, problem: Localized) => `${where.en}: entry at ${at} ${problem.en}`, (where, at, problem) => `${where.de}: der Eintrag bei ${at} ${problem.de}`);
export const entryProblem = {
  pastBlock: fixed('runs past the block', 'reicht über das Ende des Blocks hinaus'),
  recordLength: phrase((n: N) => `has an invalid record length ${n}`, (n) => `hat eine ungültige Datensatzlänge ${n}`),
  nameLength: phrase((n: N) => `has an invalid name length ${n}`, (n) => `hat eine ungültige Namenslänge ${n}`),
  pastLastInode: phrase((n: N) => `names inode ${n} past the last inode`, (n) => `verweist auf Inode ${n} hinter dem letzten Inode`),
  badName: fixed(`has a name containing '/' or NUL`, `hat einen Namen, der '/' oder NUL enthält`),
} as const;

export const attributePastInode = phrase((what: Localized) => `${what.en} has an extended attribute running past the inode`, (what) => `${what.de} hat ein erweitertes Attribut, das über den Inode hinausreicht`);
export const inlineOutside = phrase((what: Localized) => `${what.en} keeps its inline data outside the inode`, (what) => `${what.de} speichert seine Inline-Daten außerhalb des Inodes`);
export const inlinePastInode = phrase((what: Localized) => `${what.en} has inline data running past the inode`, (what) => `${what.de} hat Inline-Daten, die über den Inode hinausreichen`);

// --- paths the callers asked for ---

export const notDirectory = phrase((path: string) => `${path} is not a directory`, (path) => `${path} ist kein Verzeichnis`);
export const notSymlink = phrase((path: string) => `${path} is not a symbolic link`, (path) => `${path} ist kein symbolischer Link`);
export const notRegular = phrase((path: string, type: string) => `${path} is not a regular file (it is a ${type})`, (path, type) => `${path} ist keine reguläre Datei (sondern vom Typ ${type})`);
export const doesNotExist = phrase((path: string) => `${path} does not exist in the guest file system`, (path) => `${path} existiert im Dateisystem des Gastes nicht`);
export const encryptedFile = phrase((path: string) => `${path} is encrypted; its content cannot be read`, (path) => `${path} ist verschlüsselt; der Inhalt kann nicht gelesen werden`);
export const encryptedDirectory = phrase((what: Localized) => `${what.en} is encrypted; its names cannot be read`, (what) => `${what.de} ist verschlüsselt; die Namen darin können nicht gelesen werden`);
export const symlinkLoop = phrase((hops: N, path: string) => `too many levels of symbolic links (more than ${hops}) resolving ${path}`, (hops, path) => `zu viele Ebenen symbolischer Links (mehr als ${hops}) beim Auflösen von ${path}`);
export const treeTooLarge = phrase((path: string, entries: N, inodes: N) => `${path}: the directory tree lists more than ${entries} entries, far more than the ${inodes} inodes of the file system (directories share their blocks)`, (path, entries, inodes) => `${path}: der Verzeichnisbaum listet mehr als ${entries} Einträge, weit mehr als die ${inodes} Inodes des Dateisystems (Verzeichnisse teilen sich ihre Blöcke)`);
export const treeTooDeep = phrase((path: string, levels: N) => `${path}: the directory tree is deeper than ${levels} levels`, (path, levels) => `${path}: der Verzeichnisbaum ist tiefer als ${levels} Ebenen`);
