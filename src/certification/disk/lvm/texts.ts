/**
 * Every sentence the LVM reader writes, in English and German side by side. `image.partitions`
 * quotes them (a refused logical volume, metadata that does not add up), so a German report names
 * the broken structure in German. Names from the metadata (volume groups, logical volumes, segment
 * types, uuids) stay as they are in every language.
 */
import { formatNumber } from '../../../i18n/format.ts';
import { type Localized, type Phrase, fixed, say } from '../../../i18n/localized.ts';
import { printable } from '../../../util/printable.ts';

type N = number | string;

/** A renderer pair into a Localized, for the one-line phrases below. */
function phrase<A extends unknown[]>(en: (...args: A) => string, de: (...args: A) => string): (...args: A) => Localized {
  const p: Phrase<A> = { en, de };
  return (...args: A) => say(p, ...args);
}

const de = (n: number) => formatNumber(n, 'de');

// --- the PV label (sectors 0–3) ---

export const noLabel = fixed('No LVM label (LABELONE, LVM2 001) in the first 4 sectors.', 'Kein LVM-Label (LABELONE, LVM2 001) in den ersten 4 Sektoren.');
export const labelBadCrc = phrase(
  (sector: number, stored: string, computed: string) => `The LVM label in sector ${sector} has checksum ${stored}, but its contents give ${computed}.`,
  (sector, stored, computed) => `Das LVM-Label in Sektor ${sector} hat die Prüfsumme ${stored}, aus seinem Inhalt ergibt sich aber ${computed}.`,
);
export const labelWrongSector = phrase(
  (sector: number, recorded: N) => `The LVM label in sector ${sector} records its own position as sector ${recorded}.`,
  (sector, recorded) => `Das LVM-Label in Sektor ${sector} gibt als eigene Position Sektor ${recorded} an.`,
);
export const labelBadOffset = phrase(
  (sector: number, offset: number) => `The LVM label in sector ${sector} places its physical volume header at offset ${offset}, outside its sector.`,
  (sector, offset) => `Das LVM-Label in Sektor ${sector} legt seinen Header des physischen Volumes an Offset ${offset}, außerhalb seines Sektors.`,
);
export const areaListUnterminated = fixed(
  'The LVM physical volume header lists more data and metadata areas than its sector holds.',
  'Der Header des physischen LVM-Volumes listet mehr Daten- und Metadatenbereiche, als sein Sektor fasst.',
);
export const areaOutside = phrase(
  (offset: N, size: N, pvSize: number) => `An LVM metadata area (${size} bytes at byte ${offset}) lies outside the ${pvSize}-byte physical volume.`,
  (offset, size, pvSize) => `Ein LVM-Metadatenbereich (${size} Byte ab Byte ${offset}) liegt außerhalb des ${de(pvSize)} Byte großen physischen Volumes.`,
);

// --- the metadata area header and its text ---

export const mdaBadMagic = phrase(
  (offset: number) => `The LVM metadata area at byte ${offset} lacks its signature.`,
  (offset) => `Dem LVM-Metadatenbereich bei Byte ${offset} fehlt seine Signatur.`,
);
export const mdaBadChecksum = phrase(
  (offset: number, stored: string, computed: string) => `The LVM metadata area header at byte ${offset} has checksum ${stored}, but its contents give ${computed}.`,
  (offset, stored, computed) => `Der Header des LVM-Metadatenbereichs bei Byte ${offset} hat die Prüfsumme ${stored}, aus seinem Inhalt ergibt sich aber ${computed}.`,
);
export const mdaBadVersion = phrase(
  (offset: number, version: number) => `The LVM metadata area at byte ${offset} has version ${version}; only version 1 exists.`,
  (offset, version) => `Der LVM-Metadatenbereich bei Byte ${offset} hat die Version ${version}; es gibt nur Version 1.`,
);
export const mdaWrongStart = phrase(
  (offset: number, recorded: N) => `The LVM metadata area at byte ${offset} records its start as byte ${recorded}.`,
  (offset, recorded) => `Der LVM-Metadatenbereich bei Byte ${offset} gibt als seinen Anfang Byte ${recorded} an.`,
);
export const mdaBadSize = phrase(
  (offset: number, size: N) => `The LVM metadata area at byte ${offset} declares an impossible size of ${size} bytes.`,
  (offset, size) => `Der LVM-Metadatenbereich bei Byte ${offset} gibt die unmögliche Größe von ${size} Byte an.`,
);
export const textOutside = phrase(
  (offset: N, size: N, mdaSize: number) => `The LVM metadata text (${size} bytes at offset ${offset}) does not fit its ${mdaSize}-byte metadata area.`,
  (offset, size, mdaSize) => `Der LVM-Metadatentext (${size} Byte ab Offset ${offset}) passt nicht in seinen ${de(mdaSize)} Byte großen Metadatenbereich.`,
);
export const textTooLarge = phrase(
  (size: number, max: number) => `The LVM metadata text has ${size} bytes, more than the ${max} bytes vmarket reads.`,
  (size, max) => `Der LVM-Metadatentext hat ${de(size)} Byte, mehr als die ${de(max)} Byte, die vmarket liest.`,
);
export const textBadChecksum = phrase(
  (stored: string, computed: string) => `The LVM metadata text has checksum ${stored}, but its contents give ${computed}.`,
  (stored, computed) => `Der LVM-Metadatentext hat die Prüfsumme ${stored}, aus seinem Inhalt ergibt sich aber ${computed}.`,
);

// --- the text format (parser) ---

export const syntaxError = phrase(
  (line: number, detail: Localized) => `The LVM metadata text is malformed at line ${line}: ${detail.en}.`,
  (line, detail) => `Der LVM-Metadatentext ist in Zeile ${de(line)} fehlerhaft: ${detail.de}.`,
);
export const unexpectedEnd = fixed('it ends in the middle of a value', 'er endet mitten in einem Wert');
export const unexpectedToken = phrase((token: string) => `"${printable(token)}" is not expected here`, (token) => `„${printable(token)}“ ist hier nicht erwartet`);
export const unterminatedString = fixed('a string is not closed', 'eine Zeichenkette ist nicht geschlossen');
export const badNumber = phrase((token: string) => `"${printable(token.slice(0, 40))}" is not a number vmarket can read exactly`, (token) => `„${printable(token.slice(0, 40))}“ ist keine Zahl, die vmarket exakt lesen kann`);
export const tooDeep = phrase((max: number) => `sections are nested deeper than ${max} levels`, (max) => `Abschnitte sind tiefer als ${max} Ebenen verschachtelt`);
export const tooManyEntries = phrase((max: number) => `it holds more than ${max} entries`, (max) => `er enthält mehr als ${de(max)} Einträge`);
export const duplicateKey = phrase((key: string) => `"${printable(key.slice(0, 80))}" appears twice in one section`, (key) => `„${printable(key.slice(0, 80))}“ kommt in einem Abschnitt zweimal vor`);

// --- what the metadata means ---

export const noVolumeGroup = fixed('The LVM metadata text holds no volume group.', 'Der LVM-Metadatentext enthält keine Volume-Gruppe.');
export const severalVolumeGroups = fixed('The LVM metadata text holds more than one volume group.', 'Der LVM-Metadatentext enthält mehr als eine Volume-Gruppe.');
export const vgWhere = phrase((vg: string) => `volume group ${vg}`, (vg) => `der Volume-Gruppe ${vg}`);
export const pvWhere = phrase((vg: string, pv: string) => `physical volume ${pv} of volume group ${vg}`, (vg, pv) => `des physischen Volumes ${pv} der Volume-Gruppe ${vg}`);
export const lvWhere = phrase((lv: string) => `logical volume ${lv}`, (lv) => `des logischen Volumes ${lv}`);
export const segmentWhere = phrase((segment: string, lv: string) => `${segment} of logical volume ${lv}`, (segment, lv) => `${segment} des logischen Volumes ${lv}`);
export const fieldMissing = phrase(
  (where: Localized, key: string) => `The LVM metadata of ${where.en} lacks "${key}" or gives it a wrong type.`,
  (where, key) => `In den LVM-Metadaten ${where.de} fehlt „${key}“ oder hat einen falschen Typ.`,
);
export const fieldInvalid = phrase(
  (where: Localized, key: string, value: string) => `The LVM metadata of ${where.en} gives "${key}" the impossible value ${value}.`,
  (where, key, value) => `Die LVM-Metadaten ${where.de} geben „${key}“ den unmöglichen Wert ${value}.`,
);
export const badName = phrase(
  (name: string) => `The LVM metadata names a volume "${printable(name.slice(0, 80))}", which is not a name lvm2 allows.`,
  (name) => `Die LVM-Metadaten nennen ein Volume „${printable(name.slice(0, 80))}“, was kein von lvm2 erlaubter Name ist.`,
);
export const tooMany = phrase(
  (where: Localized, what: Localized, count: number, max: number) => `The LVM metadata of ${where.en} lists ${count} ${what.en}, more than the ${max} vmarket reads.`,
  (where, what, count, max) => `Die LVM-Metadaten ${where.de} listen ${de(count)} ${what.de}, mehr als die ${de(max)}, die vmarket liest.`,
);
export const physicalVolumes = fixed('physical volumes', 'physische Volumes');
export const logicalVolumes = fixed('logical volumes', 'logische Volumes');
export const segments = fixed('segments', 'Segmente');
export const stripes = fixed('stripes', 'Stripes');
export const segmentsNotContiguous = phrase(
  (lv: string, extent: number) => `The segments of logical volume ${lv} do not follow each other at extent ${extent}.`,
  (lv, extent) => `Die Segmente des logischen Volumes ${lv} schließen bei Extent ${de(extent)} nicht aneinander an.`,
);

// --- the volume group on this disk ---

export const pvsMissing = phrase(
  (vg: string, pvs: string[]) =>
    `volume group ${vg} lacks physical volume${pvs.length === 1 ? '' : 's'} ${pvs.join(', ')}: ${pvs.length === 1 ? 'it is' : 'they are'} not on this disk, so none of its logical volumes is read`,
  (vg, pvs) =>
    `der Volume-Gruppe ${vg} ${pvs.length === 1 ? 'fehlt das physische Volume' : 'fehlen die physischen Volumes'} ${pvs.join(', ')}: ${pvs.length === 1 ? 'es liegt' : 'sie liegen'} nicht auf diesem Datenträger, daher wird keines ihrer logischen Volumes gelesen`,
);
export const pvClaimedTwice = phrase(
  (vg: string, pv: string, owner: string) => `volume group ${vg} lists physical volume ${pv}, which volume group ${owner} already holds, so none of its logical volumes is read`,
  (vg, pv, owner) => `die Volume-Gruppe ${vg} führt das physische Volume ${pv}, das schon zur Volume-Gruppe ${owner} gehört, daher wird keines ihrer logischen Volumes gelesen`,
);
export const pvMarkedMissing = phrase(
  (vg: string, pv: string) => `volume group ${vg} marks its physical volume ${pv} as missing, so none of its logical volumes is read`,
  (vg, pv) => `die Volume-Gruppe ${vg} kennzeichnet ihr physisches Volume ${pv} als fehlend, daher wird keines ihrer logischen Volumes gelesen`,
);
const placeEn = (n: number | null) => (n === null ? 'the whole disk' : `partition ${n}`);
const placeDe = (n: number | null) => (n === null ? 'dem ganzen Datenträger' : `Partition ${n}`);
export const pvTwice = phrase(
  (uuid: string, first: number | null, second: number | null) => `the LVM physical volume ${uuid} is on ${placeEn(first)} and again on ${placeEn(second)}; only the first is read`,
  (uuid, first, second) => `das physische LVM-Volume ${uuid} liegt auf ${placeDe(first)} und noch einmal auf ${placeDe(second)}; nur das erste wird gelesen`,
);
export const extentsOutsidePv = phrase(
  (vg: string, pv: string, end: number, size: number) => `physical volume ${pv} of volume group ${vg} declares extents up to byte ${end}, beyond its ${size} bytes`,
  (vg, pv, end, size) => `das physische Volume ${pv} der Volume-Gruppe ${vg} gibt Extents bis Byte ${de(end)} an, über seine ${de(size)} Byte hinaus`,
);
export const lvOutsidePv = phrase(
  (lv: string, pv: string, last: number, count: number) => `logical volume ${lv} uses extent ${last} of physical volume ${pv}, which has ${count} extents; it is not read`,
  (lv, pv, last, count) => `das logische Volume ${lv} belegt Extent ${de(last)} des physischen Volumes ${pv}, das ${de(count)} Extents hat; es wird nicht gelesen`,
);
export const lvUnknownPv = phrase(
  (lv: string, pv: string) => `logical volume ${lv} lies on ${pv}, which its volume group does not list; it is not read`,
  (lv, pv) => `das logische Volume ${lv} liegt auf ${pv}, das seine Volume-Gruppe nicht auflistet; es wird nicht gelesen`,
);
export const lvOverlaps = phrase(
  (lv: string, other: string, pv: string) => `logical volume ${lv} uses extents of physical volume ${pv} that ${other} uses too; it is not read`,
  (lv, other, pv) => `das logische Volume ${lv} belegt Extents des physischen Volumes ${pv}, die auch ${other} belegt; es wird nicht gelesen`,
);
export const badStripes = phrase(
  (lv: string, count: number, stripes: number) => `logical volume ${lv} has a segment of ${count} extents that ${stripes} stripes cannot share evenly; it is not read`,
  (lv, count, stripes) => `das logische Volume ${lv} hat ein Segment aus ${de(count)} Extents, das sich nicht gleichmäßig auf ${stripes} Stripes verteilen lässt; es wird nicht gelesen`,
);
export const badStripeSize = phrase(
  (lv: string, stripeSize: number) => `logical volume ${lv} has a stripe size of ${stripeSize} bytes that does not divide its stripes; it is not read`,
  (lv, stripeSize) => `das logische Volume ${lv} hat eine Stripe-Größe von ${de(stripeSize)} Byte, die seine Stripes nicht teilt; es wird nicht gelesen`,
);
export const lvRefused = phrase(
  (lv: string, what: Localized) => `logical volume ${lv} is ${what.en}, which vmarket does not read: only linear and striped logical volumes can be certified`,
  (lv, what) => `das logische Volume ${lv} ist ${what.de}; vmarket liest das nicht: nur lineare und gestreifte (striped) logische Volumes können zertifiziert werden`,
);

/** What a refused logical volume is, by its segment type (lvm2's names in lib/metadata/segtype.h). */
export function segmentKind(type: string): Localized {
  if (type === 'thin-pool') return fixed('a thin pool (thin-pool)', 'ein Thin-Pool (thin-pool)');
  if (type === 'thin') return fixed('a thin volume (thin)', 'ein Thin-Volume (thin)');
  if (type === 'mirror' || type.startsWith('raid')) return say({ en: (t: string) => `a RAID volume (${t})`, de: (t: string) => `ein RAID-Volume (${t})` }, type);
  if (type === 'snapshot') return fixed('a snapshot (snapshot)', 'ein Snapshot (snapshot)');
  if (type === 'cache' || type === 'cache-pool' || type === 'writecache') return say({ en: (t: string) => `a cached volume (${t})`, de: (t: string) => `ein Volume mit Cache (${t})` }, type);
  if (type === 'vdo' || type === 'vdo-pool') return say({ en: (t: string) => `a VDO volume (${t})`, de: (t: string) => `ein VDO-Volume (${t})` }, type);
  if (type === 'integrity') return fixed('an integrity volume (integrity)', 'ein Integrity-Volume (integrity)');
  return say({ en: (t: string) => `a volume with segments of type ${t}`, de: (t: string) => `ein Volume mit Segmenten vom Typ ${t}` }, type);
}
export const snapshotOrigin = phrase(
  (snapshot: string) => `the origin of snapshot ${snapshot}`,
  (snapshot) => `der Ursprung des Snapshots ${snapshot}`,
);
export const snapshotStore = phrase(
  (origin: string) => `a snapshot of ${origin}`,
  (origin) => `ein Snapshot von ${origin}`,
);
