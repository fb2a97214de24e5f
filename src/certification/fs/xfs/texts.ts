/**
 * The sentences only the XFS reader writes (magic numbers, CRCs, allocation groups, B+trees,
 * directory blocks, features), in English and German side by side; the ones every reader shares
 * are in ../texts.ts and re-exported here, so the XFS modules import all their texts from here.
 * Numbers, feature names and guest paths stay as they are in every language.
 */
import { type Localized, fixed } from '../../../i18n/localized.ts';
import { phrase } from '../texts.ts';

export * from '../texts.ts';

type N = number | string;

// --- structures ---

export const bmbtBlock = phrase((b: N) => `extent B+tree block ${b}`, (b) => `Extent-B+-Baum-Block ${b}`);
export const bmbtRoot = fixed('its extent B+tree root', 'seine Extent-B+-Baum-Wurzel');
export const extentList = fixed('its extent list', 'seine Extent-Liste');
export const shortFormEntries = fixed('its short-form entries', 'seine Kurzform-Einträge');
export const directoryBlock = phrase((b: N) => `directory block ${b}`, (b) => `Verzeichnisblock ${b}`);
export const symlinkBlock = phrase((b: N) => `symlink block ${b}`, (b) => `Symlink-Block ${b}`);
export const itsDataFork = fixed('its data fork', 'seine Daten-Fork');

// --- what is wrong ---

export const badMagic = phrase((what: Localized) => `${what.en} has a bad magic number`, (what) => `${what.de} hat eine ungültige Magic-Nummer`);
export const crcMismatch = phrase((what: Localized) => `${what.en} fails its CRC check (checksum mismatch)`, (what) => `${what.de} besteht die CRC-Prüfung nicht (Prüfsumme falsch)`);
export const otherUuid = phrase((what: Localized) => `${what.en} belongs to another file system (UUID mismatch)`, (what) => `${what.de} gehört zu einem anderen Dateisystem (UUID stimmt nicht)`);
export const wrongOwner = phrase((what: Localized, owner: N) => `${what.en} belongs to inode ${owner}`, (what, owner) => `${what.de} gehört zu Inode ${owner}`);
export const wrongPosition = phrase((what: Localized, recorded: N) => `${what.en} records its position as sector ${recorded}, where it is not`, (what, recorded) => `${what.de} gibt als Position Sektor ${recorded} an, wo er nicht liegt`);
export const notInUse = phrase((what: Localized) => `${what.en} is not in use (a free inode)`, (what) => `${what.de} ist nicht belegt (ein freier Inode)`);
export const badInodeVersion = phrase((what: Localized, version: N) => `${what.en} has version ${version}, which this file system cannot have`, (what, version) => `${what.de} hat die Version ${version}, die in diesem Dateisystem nicht vorkommen kann`);
export const badForkFormat = phrase((what: Localized, format: N) => `${what.en} has data fork format ${format}, impossible for its file type`, (what, format) => `${what.de} hat das Daten-Fork-Format ${format}, das für seinen Dateityp unmöglich ist`);
export const forkOffsetPastInode = phrase((what: Localized, offset: N) => `${what.en} puts its attribute fork at byte ${offset}, past the end of the inode`, (what, offset) => `${what.de} legt seine Attribut-Fork auf Byte ${offset}, hinter das Ende des Inodes`);
export const inodeNumberNowhere = phrase((n: N) => `inode number ${n} lies in no allocation group of the file system`, (n) => `die Inode-Nummer ${n} liegt in keiner Allocation Group des Dateisystems`);
export const tooManyRecords = phrase((what: Localized, count: N, max: N) => `${what.en} claims ${count} records where at most ${max} fit`, (what, count, max) => `${what.de} gibt ${count} Einträge an, obwohl höchstens ${max} hineinpassen`);
export const wrongLevel = phrase((what: Localized, level: N, expected: N) => `${what.en} has B+tree level ${level} where ${expected} was expected`, (what, level, expected) => `${what.de} hat die B+-Baum-Ebene ${level}, erwartet war ${expected}`);
export const moreExtentsThanCounted = phrase((what: Localized, counted: N) => `${what.en} holds more extents than the ${counted} its inode counts`, (what, counted) => `${what.de} enthält mehr Extents als die ${counted}, die sein Inode zählt`);
export const holeInDirectoryBlock = phrase((what: Localized, b: N) => `${what.en} has a hole inside the directory block at block ${b}`, (what, b) => `${what.de} hat ein Loch innerhalb des Verzeichnisblocks bei Block ${b}`);
export const shortFormPastFork = phrase((what: Localized) => `${what.en} run past the data fork`, (what) => `${what.de} reichen über die Daten-Fork hinaus`);
export const symlinkHeaderWrong = phrase((what: Localized) => `${what.en} has a header that does not match the link (offset, length or owner)`, (what) => `${what.de} hat einen Header, der nicht zum Link passt (Versatz, Länge oder Besitzer)`);
export const realtimeFile = phrase((path: string) => `${path} is stored on the XFS realtime device, which this reader does not read`, (path) => `${path} liegt auf dem XFS-Echtzeitgerät, das dieser Leser nicht liest`);

export const xfsEntryProblem = {
  badTag: fixed('has a tag that does not point back to it', 'hat ein Tag, das nicht auf ihn zurückverweist'),
  freeLength: phrase((n: N) => `is a free space of impossible length ${n}`, (n) => `ist ein freier Bereich mit der unmöglichen Länge ${n}`),
} as const;

/** A quantity a structure claims (all feminine in German: "eine unmögliche …"). */
export const xfsQuantity = {
  leafCount: fixed('leaf entry count', 'Anzahl von Blatteinträgen'),
  extentCount: fixed('extent count', 'Extent-Anzahl'),
  btreeDepth: fixed('extent B+tree depth', 'Extent-B+-Baum-Tiefe'),
} as const;

// --- the superblock ---

/** A superblock field that cannot be (all feminine in German: "unmögliche …"). */
export const xfsField = {
  blockSize: fixed('block size', 'Blockgröße'),
  sectorSize: fixed('sector size', 'Sektorgröße'),
  inodeSize: fixed('inode size', 'Inode-Größe'),
  inodesPerBlock: fixed('number of inodes per block', 'Anzahl Inodes pro Block'),
  agBlocks: fixed('allocation group size', 'Größe der Allocation Groups'),
  agCount: fixed('allocation group count', 'Anzahl der Allocation Groups'),
  agBlockLog: fixed('allocation group size log', 'logarithmische Größe der Allocation Groups'),
  blockCount: fixed('block count', 'Blockanzahl'),
  directoryBlockSize: fixed('directory block size', 'Verzeichnisblockgröße'),
  rootInode: fixed('root inode number', 'Nummer des Wurzel-Inodes'),
} as const;

export const notXfs = fixed('bad superblock magic (not an XFS file system)', 'ungültige Magic-Nummer im Superblock (kein XFS-Dateisystem)');
export const badSuperblockVersion = phrase((version: N) => `superblock version ${version} is neither 4 nor 5`, (version) => `die Superblock-Version ${version} ist weder 4 noch 5`);
export const directoryV1 = fixed('the XFS file system uses version 1 directories, which this reader cannot read', 'das XFS-Dateisystem verwendet Verzeichnisse der Version 1, die dieser Leser nicht lesen kann');
export const xfsIncompatibleFeatures = phrase(
  (label: string) => `the XFS file system uses incompatible features this reader cannot read: ${label}`,
  (label) => `das XFS-Dateisystem verwendet inkompatible Funktionen, die dieser Leser nicht lesen kann: ${label}`,
);
export const needsRepair = fixed(
  'the XFS file system is marked as needing repair (needsrepair: xfs_repair did not finish); it cannot be read safely',
  'das XFS-Dateisystem ist als reparaturbedürftig markiert (needsrepair: xfs_repair wurde nicht abgeschlossen); es kann nicht sicher gelesen werden',
);
