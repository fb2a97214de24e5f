/** The boot runner's sentences, in English and German (src/i18n). */
import type { Phrase } from '../i18n/localized.ts';

export const bootTexts = {
  toolMissing: {
    en: (what, pkg) => `Booting images needs ${what}, which is not installed; install the Debian package ${pkg} (apt-get install ${pkg}) or set it in the boot section of the configuration.`,
    de: (what, pkg) => `Zum Starten von Images wird ${what} benötigt, das nicht installiert ist; installieren Sie das Debian-Paket ${pkg} (apt-get install ${pkg}) oder setzen Sie es im Abschnitt boot der Konfiguration.`,
  } satisfies Phrase<[string, string]>,
  overlayFailed: {
    en: (why) => `The copy-on-write overlay over the image could not be made: ${why}`,
    de: (why) => `Das Copy-on-Write-Overlay über dem Image konnte nicht angelegt werden: ${why}`,
  } satisfies Phrase<[string]>,
  qemuFailed: {
    en: (why) => `QEMU could not start the VM: ${why}`,
    de: (why) => `QEMU konnte die VM nicht starten: ${why}`,
  } satisfies Phrase<[string]>,
};
