/**
 * Every sentence the rpm database reader writes, in English and German side by side. A problem
 * names the database file and what in it is broken (a header, a page, a slot), so a publisher can
 * find it. Numbers, tag numbers and guest paths stay as they are in every language.
 */
import { type Localized, type Phrase, fixed, say } from '../../../i18n/localized.ts';

type N = number | string;

function phrase<A extends unknown[]>(en: (...args: A) => string, de: (...args: A) => string): (...args: A) => Localized {
  const p: Phrase<A> = { en, de };
  return (...args: A) => say(p, ...args);
}

// --- frames: what the caller reports ---

export const databaseUnreadable = phrase(
  (file: string, reason: Localized) => `the rpm database ${file} could not be read: ${reason.en}`,
  (file, reason) => `die rpm-Datenbank ${file} konnte nicht gelesen werden: ${reason.de}`,
);
export const headerSkipped = phrase(
  (file: string, id: N, reason: Localized) => `package header ${id} in ${file} was skipped: ${reason.en}`,
  (file, id, reason) => `der Paket-Header ${id} in ${file} wurde übersprungen: ${reason.de}`,
);
export const recordSkipped = phrase(
  (file: string, reason: Localized) => `a record of ${file} was skipped: ${reason.en}`,
  (file, reason) => `ein Eintrag von ${file} wurde übersprungen: ${reason.de}`,
);
export const digestsDropped = phrase(
  (file: string, name: string, reason: Localized) => `the file digests of package ${name} in ${file} were not read: ${reason.en}`,
  (file, name, reason) => `die Datei-Prüfsummen des Pakets ${name} in ${file} wurden nicht gelesen: ${reason.de}`,
);
export const readerFailed = phrase((message: string) => `the rpm reader failed unexpectedly: ${message}`, (message) => `der rpm-Leser ist unerwartet fehlgeschlagen: ${message}`);

// --- limits ---

export const fileTooLarge = phrase((size: N, limit: N) => `it is ${size} bytes, more than the limit of ${limit}`, (size, limit) => `sie ist ${size} Bytes groß, mehr als die Grenze von ${limit}`);
export const tooManyHeaders = phrase((limit: N) => `it holds more than ${limit} package headers; the rest was not read`, (limit) => `sie enthält mehr als ${limit} Paket-Header; der Rest wurde nicht gelesen`);
export const tooManyFiles = phrase((limit: N) => `its packages list more than ${limit} files; the rest was not read`, (limit) => `ihre Pakete führen mehr als ${limit} Dateien auf; der Rest wurde nicht gelesen`);

// --- the header blob (header.ts, package.ts) ---

export const headerTooShort = phrase((length: N) => `the header is only ${length} bytes long`, (length) => `der Header ist nur ${length} Bytes lang`);
export const badIndexCount = phrase((count: N) => `the header claims an impossible ${count} index entries`, (count) => `der Header gibt unmögliche ${count} Indexeinträge an`);
export const badDataLength = phrase((length: N) => `the header claims an impossible data length of ${length} bytes`, (length) => `der Header gibt eine unmögliche Datenlänge von ${length} Bytes an`);
export const headerCutShort = phrase(
  (needed: N, length: N) => `the header needs ${needed} bytes but the record holds ${length}`,
  (needed, length) => `der Header braucht ${needed} Bytes, der Eintrag enthält aber ${length}`,
);
export const badType = phrase((tag: N, type: N) => `tag ${tag} has an unknown type ${type}`, (tag, type) => `Tag ${tag} hat einen unbekannten Typ ${type}`);
export const entryOutside = phrase((tag: N) => `the data of tag ${tag} lies outside the header`, (tag) => `die Daten von Tag ${tag} liegen außerhalb des Headers`);
export const badCount = phrase((tag: N, count: N) => `tag ${tag} claims an impossible count ${count}`, (tag, count) => `Tag ${tag} gibt eine unmögliche Anzahl ${count} an`);
export const misaligned = phrase((tag: N) => `the data of tag ${tag} is not aligned`, (tag) => `die Daten von Tag ${tag} sind nicht ausgerichtet`);
export const unterminated = phrase((tag: N) => `a string of tag ${tag} is not terminated inside the header`, (tag) => `eine Zeichenkette von Tag ${tag} endet nicht innerhalb des Headers`);
export const badRegion = phrase((tag: N) => `the header region tag ${tag} is malformed`, (tag) => `das Regions-Tag ${tag} des Headers ist fehlerhaft`);
export const wrongType = phrase((tag: N, type: N) => `tag ${tag} has type ${type}, not the type rpm writes for it`, (tag, type) => `Tag ${tag} hat den Typ ${type}, nicht den Typ, den rpm dafür schreibt`);
export const missingTag = phrase((name: string) => `the header has no ${name}`, (name) => `der Header hat kein ${name}`);
export const countMismatch = phrase(
  (tag: N, count: N, files: N) => `tag ${tag} lists ${count} values for ${files} files`,
  (tag, count, files) => `Tag ${tag} führt ${count} Werte für ${files} Dateien auf`,
);
export const dirIndexOutside = phrase((index: N, dirs: N) => `a file names directory ${index} of ${dirs}`, (index, dirs) => `eine Datei verweist auf Verzeichnis ${index} von ${dirs}`);
export const unknownDigestAlgorithm = phrase((n: N) => `the file digest algorithm ${n} is unknown`, (n) => `der Prüfsummen-Algorithmus ${n} ist unbekannt`);
export const badDigest = phrase((path: string) => `the digest of ${path} is not a hex digest of its algorithm`, (path) => `die Prüfsumme von ${path} ist keine Hex-Prüfsumme ihres Algorithmus`);

// --- SQLite (sqlite.ts) ---

export const sqliteNoTable = fixed('it has no Packages table', 'sie hat keine Tabelle Packages');
export const sqliteNotTable = phrase((type: string) => `Packages is a ${type}, not a table (code in the database is not run)`, (type) => `Packages ist ein ${type}, keine Tabelle (Code in der Datenbank wird nicht ausgeführt)`);
export const sqliteVirtual = fixed('Packages is a virtual table, not a table (code in the database is not run)', 'Packages ist eine virtuelle Tabelle, keine Tabelle (Code in der Datenbank wird nicht ausgeführt)');
export const sqliteComputed = phrase((column: string) => `column ${column} of Packages is computed, not stored`, (column) => `die Spalte ${column} von Packages wird berechnet, nicht gespeichert`);
export const sqliteColumns = fixed('Packages has no hnum and blob columns', 'Packages hat keine Spalten hnum und blob');
export const sqliteNotBlob = fixed('the blob column holds no bytes', 'die Spalte blob enthält keine Bytes');
export const sqliteFailed = phrase((message: string) => `SQLite refused it: ${message}`, (message) => `SQLite hat sie abgelehnt: ${message}`);

// --- Berkeley DB hash (bdb.ts) ---

export const bdbNotHash = fixed('it is not a Berkeley DB hash database', 'sie ist keine Berkeley-DB-Hash-Datenbank');
export const bdbVersion = phrase((version: N) => `Berkeley DB hash version ${version} is not supported`, (version) => `die Berkeley-DB-Hash-Version ${version} wird nicht unterstützt`);
export const bdbPageSize = phrase((size: N) => `the page size ${size} is impossible`, (size) => `die Seitengröße ${size} ist unmöglich`);
export const bdbEncrypted = fixed('it is encrypted', 'sie ist verschlüsselt');
export const bdbTruncated = phrase((last: N, pages: N) => `its last page is ${last} but the file holds ${pages} pages`, (last, pages) => `ihre letzte Seite ist ${last}, die Datei enthält aber ${pages} Seiten`);
export const bdbItemOutside = phrase((page: N, index: N) => `item ${index} of page ${page} lies outside the page`, (page, index) => `Eintrag ${index} von Seite ${page} liegt außerhalb der Seite`);
export const bdbItemType = phrase((page: N, index: N, type: N) => `item ${index} of page ${page} has an unknown type ${type}`, (page, index, type) => `Eintrag ${index} von Seite ${page} hat einen unbekannten Typ ${type}`);
export const bdbOddEntries = phrase((page: N, entries: N) => `hash page ${page} has an odd ${entries} items (keys and data come in pairs)`, (page, entries) => `die Hash-Seite ${page} hat ungerade ${entries} Einträge (Schlüssel und Daten kommen paarweise)`);
export const bdbOverflowPage = phrase((page: N) => `overflow page ${page} is not an overflow page of this database`, (page) => `die Überlaufseite ${page} ist keine Überlaufseite dieser Datenbank`);
export const bdbOverflowLoop = phrase((page: N) => `the overflow chain starting at page ${page} loops`, (page) => `die Überlaufkette ab Seite ${page} läuft im Kreis`);
export const bdbOverflowLength = phrase(
  (page: N, length: N, found: N) => `the overflow chain starting at page ${page} should hold ${length} bytes but holds ${found}`,
  (page, length, found) => `die Überlaufkette ab Seite ${page} sollte ${length} Bytes enthalten, enthält aber ${found}`,
);
export const bdbDuplicate = phrase((page: N, index: N) => `the duplicates of item ${index} of page ${page} are malformed`, (page, index) => `die Duplikate von Eintrag ${index} von Seite ${page} sind fehlerhaft`);
export const bdbDuplicatePage = phrase((page: N) => `page ${page} is not a page of an off-page duplicate tree`, (page) => `Seite ${page} ist keine Seite eines ausgelagerten Duplikat-Baums`);
export const bdbDuplicateLoop = phrase((page: N) => `the duplicate tree starting at page ${page} loops`, (page) => `der Duplikat-Baum ab Seite ${page} läuft im Kreis`);

// --- ndb (ndb.ts) ---

export const ndbNotNdb = fixed('it is not an rpm ndb package database', 'sie ist keine rpm-ndb-Paketdatenbank');
export const ndbVersion = phrase((version: N) => `ndb version ${version} is not supported`, (version) => `die ndb-Version ${version} wird nicht unterstützt`);
export const ndbSlotPages = phrase((pages: N) => `it claims an impossible ${pages} slot pages`, (pages) => `sie gibt unmögliche ${pages} Slot-Seiten an`);
export const ndbSlotMagic = phrase((slot: N) => `slot ${slot} has a bad magic`, (slot) => `Slot ${slot} hat eine ungültige Magic-Nummer`);
export const ndbSlotOutside = phrase((slot: N) => `slot ${slot} points outside the file`, (slot) => `Slot ${slot} verweist auf einen Bereich außerhalb der Datei`);
export const ndbSlotsOverlap = phrase((slot: N) => `slot ${slot} overlaps another package's blob`, (slot) => `Slot ${slot} überlappt den Blob eines anderen Pakets`);
export const ndbBlobHead = fixed('its blob header does not match its slot', 'sein Blob-Kopf passt nicht zu seinem Slot');
export const ndbBlobTail = fixed('its blob tail does not match its header', 'sein Blob-Ende passt nicht zu seinem Kopf');
export const ndbBlobChecksum = fixed('its blob checksum (Adler-32) does not match', 'seine Blob-Prüfsumme (Adler-32) stimmt nicht');
export const moreSkipped = phrase((file: string, count: N) => `${count} more records of ${file} were skipped`, (file, count) => `${count} weitere Einträge von ${file} wurden übersprungen`);
