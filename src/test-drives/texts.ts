/** The test drives' sentences, in English and German: customers read them on the offer page. */
import type { Localized, Phrase } from '../i18n/localized.ts';

export const hostingOff: Localized = {
  en: 'This marketplace does not host test drives (testDrives.enabled is false).',
  de: 'Dieser Marktplatz bietet keine Testversionen an (testDrives.enabled ist false).',
};
export const noTestDrive: Phrase<[string]> = {
  en: (key) => `The offer ${key} has no test drive in the live catalogue.`,
  de: (key) => `Das Angebot ${key} hat im Live-Katalog keine Testversion.`,
};
export const imageNotReady: Phrase<[string]> = {
  en: (key) => `The test-drive image of ${key} is not in any of its test-drive regions; publish the offer again.`,
  de: (key) => `Das Image der Testversion von ${key} liegt in keiner ihrer Regionen; veröffentlichen Sie das Angebot erneut.`,
};
export const tooManyForCustomer: Phrase<[number]> = {
  en: (max) => `You already have ${max} test drive(s) running, the most one customer may have at once (testDrives.maxPerCustomer); end one first.`,
  de: (max) => `Sie haben bereits ${max} laufende Testversion(en), mehr darf ein Kunde nicht gleichzeitig haben (testDrives.maxPerCustomer); beenden Sie zuerst eine.`,
};
export const tooManyToday: Phrase<[number]> = {
  en: (max) => `You started ${max} test drive(s) in the last 24 hours, the most one customer may (testDrives.startsPerCustomerPerDay); try again later.`,
  de: (max) => `Sie haben in den letzten 24 Stunden ${max} Testversion(en) gestartet, mehr darf ein Kunde nicht (testDrives.startsPerCustomerPerDay); versuchen Sie es später erneut.`,
};
export const tooManyRunning: Phrase<[number]> = {
  en: (max) => `All ${max} test-drive machines of this marketplace are in use (testDrives.maxRunning); try again later.`,
  de: (max) => `Alle ${max} Testversions-Maschinen dieses Marktplatzes sind belegt (testDrives.maxRunning); versuchen Sie es später erneut.`,
};
export const unknownTestDrive: Localized = {
  en: 'There is no such test drive, or the access token does not open it.',
  de: 'Diese Testversion gibt es nicht, oder das Zugriffstoken öffnet sie nicht.',
};
export const keyGone: Localized = {
  en: 'The private key was already downloaded (it is handed out once) or the test drive is over.',
  de: 'Der private Schlüssel wurde bereits heruntergeladen (er wird nur einmal ausgegeben), oder die Testversion ist vorbei.',
};
export const notRunning: Localized = {
  en: 'The test drive is not running, so it has no console.',
  de: 'Die Testversion läuft nicht und hat daher keine Konsole.',
};
export const notOpen: Phrase<[string]> = {
  en: (id) => `The test drive ${id} is not running.`,
  de: (id) => `Die Testversion ${id} läuft nicht.`,
};
