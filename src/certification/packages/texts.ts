/**
 * The sentences the package-database readers write, in English and German side by side: why a
 * database or one of its files could not be read. Guest paths and numbers stay as they are.
 */
import { formatNumber } from '../../i18n/format.ts';
import type { Localized, Phrase } from '../../i18n/localized.ts';

export const fileTooLarge: Phrase<[file: string, size: number, limit: number]> = {
  en: (file, size, limit) => `${file} is ${size} bytes, more than the ${limit} bytes a real package database file holds`,
  de: (file, size, limit) => `${file} ist ${formatNumber(size, 'de')} Byte groß, mehr als die ${formatNumber(limit, 'de')} Byte einer echten Paketdatenbankdatei`,
};
export const tooManyPackages: Phrase<[file: string, limit: number]> = {
  en: (file, limit) => `${file} lists more than ${limit} packages`,
  de: (file, limit) => `${file} führt mehr als ${formatNumber(limit, 'de')} Pakete auf`,
};
export const tooManyFiles: Phrase<[database: string, limit: number]> = {
  en: (database, limit) => `the packages of ${database} list more than ${limit} files (certification.limits.packageFiles); the rest were not read`,
  de: (database, limit) => `die Pakete in ${database} führen mehr als ${formatNumber(limit, 'de')} Dateien auf (certification.limits.packageFiles); der Rest wurde nicht gelesen`,
};
export const listMissing: Phrase<[name: string, directory: string]> = {
  en: (name, directory) => `package ${name} is installed but ${directory} has no list of its files`,
  de: (name, directory) => `das Paket ${name} ist installiert, aber ${directory} enthält keine Liste seiner Dateien`,
};
export const fileUnreadable: Phrase<[file: string, reason: Localized]> = {
  en: (file, reason) => `${file} could not be read: ${reason.en}`,
  de: (file, reason) => `${file} konnte nicht gelesen werden: ${reason.de}`,
};
export const moreProblems: Phrase<[count: number]> = {
  en: (n) => `${n} more problems of the same kind`,
  de: (n) => `${formatNumber(n, 'de')} weitere Probleme dieser Art`,
};
export const badLine: Phrase<[file: string, line: number]> = {
  en: (file, line) => `line ${line} of ${file} is not a checksum followed by a path`,
  de: (file, line) => `Zeile ${line} von ${file} ist keine Prüfsumme mit folgendem Pfad`,
};
export const oddDiversions: Phrase<[file: string]> = {
  en: (file) => `${file} does not hold whole diversions (three lines each); the incomplete last one was ignored`,
  de: (file) => `${file} enthält keine vollständigen Umleitungen (je drei Zeilen); die unvollständige letzte wurde ignoriert`,
};
