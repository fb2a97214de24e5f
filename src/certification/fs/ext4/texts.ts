/**
 * The sentences only the ext reader writes (group descriptors, block maps, extent trees, inline
 * data, encryption), in English and German side by side; the ones every reader shares are in
 * ../texts.ts and re-exported here, so the ext modules import all their texts from this file.
 * The English is what the reader always wrote; tests compare it exactly.
 */
import { type Localized, fixed } from '../../../i18n/localized.ts';
import { phrase } from '../texts.ts';

export * from '../texts.ts';

type N = number | string;

// --- structures: the subjects of the sentences below ---

export const extentBlock = phrase((b: N) => `extent block ${b}`, (b) => `Extent-Block ${b}`);
export const extentRoot = fixed('its extent root', 'seine Extent-Wurzel');
export const groupDescriptorBlock = phrase((i: N) => `group descriptor block ${i}`, (i) => `Gruppendeskriptorblock ${i}`);
export const inodeTable = phrase((group: N) => `the inode table of block group ${group}`, (group) => `die Inode-Tabelle der Blockgruppe ${group}`);
export const blockCount = fixed('the block count', 'die Blockanzahl');
export const indirectBlock = phrase((b: N) => `indirect block ${b}`, (b) => `indirekter Block ${b}`);
export const inlineEntries = fixed('its inline entries', 'seine Inline-Einträge');
export const inlineExtendedEntries = fixed('its inline extended entries', 'seine erweiterten Inline-Einträge');

// --- what is wrong (subjects are structures above) ---

export const inlineShort = phrase((what: Localized, size: N, held: N) => `${what.en} is ${size} bytes but holds only ${held} inline`, (what, size, held) => `${what.de} ist ${size} Bytes groß, enthält inline aber nur ${held}`);
export const groupMissing = phrase((group: N) => `block group ${group} does not exist`, (group) => `die Blockgruppe ${group} existiert nicht`);
export const holeAt = phrase((what: Localized, b: N) => `${what.en} has a hole at block ${b}`, (what, b) => `${what.de} hat ein Loch bei Block ${b}`);
export const notWholeBlocks = phrase((what: Localized, size: N) => `${what.en} has a size ${size} that is not a whole number of blocks`, (what, size) => `${what.de} hat eine Größe ${size}, die kein Vielfaches der Blockgröße ist`);

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
export const unorderedExtents = phrase((what: Localized, logical: N) => `${what.en} has overlapping or unordered extents at logical block ${logical}`, (what, logical) => `${what.de} hat überlappende oder ungeordnete Extents bei logischem Block ${logical}`);
export const extentPastLast = phrase((what: Localized) => `${what.en} has an extent past the largest logical block`, (what) => `${what.de} hat einen Extent hinter dem größten logischen Block`);

export const attributePastInode = phrase((what: Localized) => `${what.en} has an extended attribute running past the inode`, (what) => `${what.de} hat ein erweitertes Attribut, das über den Inode hinausreicht`);
export const inlineOutside = phrase((what: Localized) => `${what.en} keeps its inline data outside the inode`, (what) => `${what.de} speichert seine Inline-Daten außerhalb des Inodes`);
export const inlinePastInode = phrase((what: Localized) => `${what.en} has inline data running past the inode`, (what) => `${what.de} hat Inline-Daten, die über den Inode hinausreichen`);

// --- paths the callers asked for ---

export const encryptedFile = phrase((path: string) => `${path} is encrypted; its content cannot be read`, (path) => `${path} ist verschlüsselt; der Inhalt kann nicht gelesen werden`);
export const encryptedDirectory = phrase((what: Localized) => `${what.en} is encrypted; its names cannot be read`, (what) => `${what.de} ist verschlüsselt; die Namen darin können nicht gelesen werden`);
