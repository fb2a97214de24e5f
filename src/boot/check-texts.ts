/** The sentences of the boot checks' outcomes (src/boot/boot-check.ts), in English and German. */
import { fixed, type Phrase } from '../i18n/localized.ts';

const list = (ports: number[]) => ports.join(', ');

export const checkTexts = {
  notStarted: fixed('the VM did not start (see boot.start)', 'die VM ist nicht gestartet (siehe boot.start)'),
  panicked: { en: (line) => `the kernel panicked: ${line}`, de: (line) => `der Kernel ist abgestürzt: ${line}` } satisfies Phrase<[string]>,
  reachedUserSpace: {
    en: (s, how) => `the kernel reached user space ${s} s after the VM started (${how})`,
    de: (s, how) => `der Kernel hat den User-Space ${s} s nach dem Start der VM erreicht (${how})`,
  } satisfies Phrase<[number, string]>,
  nothingToBoot: {
    en: (how) => `the firmware found nothing to boot on the disk (${how}): no boot loader in the MBR or on an EFI system partition`,
    de: (how) => `die Firmware hat auf dem Datenträger nichts zum Starten gefunden (${how}): kein Bootloader im MBR oder auf einer EFI-Systempartition`,
  } satisfies Phrase<[string]>,
  noBootCode: fixed(
    'the disk has no boot loader: sector 0 holds no boot code, so a BIOS has nothing to start',
    'der Datenträger hat keinen Bootloader: Sektor 0 enthält keinen Boot-Code, ein BIOS hat also nichts zu starten',
  ),
  zeroBootCode: fixed('the first 440 bytes of the disk (the MBR boot code) are all zero', 'die ersten 440 Bytes des Datenträgers (der MBR-Boot-Code) sind alle null'),
  loaderSilent: {
    en: (n) => `the firmware started the boot code in sector 0, which then wrote nothing for ${n} s and started no kernel`,
    de: (n) => `die Firmware hat den Boot-Code in Sektor 0 gestartet, der danach ${n} s lang nichts geschrieben und keinen Kernel gestartet hat`,
  } satisfies Phrase<[number]>,
  bootLoaderStopped: fixed('the boot loader stopped before starting a kernel', 'der Bootloader hat angehalten, bevor er einen Kernel gestartet hat'),
  stoppedBeforeKernel: fixed('the VM stopped before a kernel started', 'die VM hat angehalten, bevor ein Kernel gestartet ist'),
  stoppedBeforeUserSpace: fixed('the VM stopped (or rebooted) before the kernel reached user space', 'die VM hat angehalten (oder neu gestartet), bevor der Kernel den User-Space erreicht hat'),
  noKernelWithin: {
    en: (n) => `no kernel started within ${n} s`,
    de: (n) => `innerhalb von ${n} s ist kein Kernel gestartet`,
  } satisfies Phrase<[number]>,
  noUserSpaceWithin: {
    en: (n) => `the kernel started but did not reach user space within ${n} s`,
    de: (n) => `der Kernel ist gestartet, hat den User-Space aber nicht innerhalb von ${n} s erreicht`,
  } satisfies Phrase<[number]>,
  provisioned: {
    en: (s) => `cloud-init finished without errors ${s} s after the VM started`,
    de: (s) => `cloud-init ist ${s} s nach dem Start der VM fehlerfrei fertig geworden`,
  } satisfies Phrase<[number]>,
  cloudInitStatus: {
    en: (status) => `cloud-init ended with status "${status}"`,
    de: (status) => `cloud-init endete mit dem Status „${status}“`,
  } satisfies Phrase<[string]>,
  cloudInitErrors: fixed('cloud-init reported errors on the console', 'cloud-init hat auf der Konsole Fehler gemeldet'),
  seedNeverFetched: fixed(
    'cloud-init ran but never fetched its NoCloud seed (meta-data, user-data) from the seed address',
    'cloud-init lief, hat seine NoCloud-Daten (meta-data, user-data) aber nie von der Seed-Adresse geholt',
  ),
  noCloudInit: fixed('cloud-init did not run: the guest never asked for its NoCloud seed', 'cloud-init ist nicht gelaufen: Der Gast hat seine NoCloud-Daten nie angefragt'),
  neverFinished: {
    en: (n) => `cloud-init fetched its seed but did not finish within ${n} s`,
    de: (n) => `cloud-init hat seine Daten geholt, ist aber nicht innerhalb von ${n} s fertig geworden`,
  } satisfies Phrase<[number]>,
  loggedIn: {
    en: (user, s) => `logged in as ${user} with the provisioned key and ran a command, ${s} s after the VM started`,
    de: (user, s) => `als ${user} mit dem eingerichteten Schlüssel angemeldet und einen Befehl ausgeführt, ${s} s nach dem Start der VM`,
  } satisfies Phrase<[string, number]>,
  keyRefused: {
    en: (user) => `the SSH server answered but refused the key provisioned for ${user}`,
    de: (user) => `der SSH-Server antwortete, lehnte aber den für ${user} eingerichteten Schlüssel ab`,
  } satisfies Phrase<[string]>,
  sshUnitFailed: {
    en: (unit) => `the SSH server did not start: ${unit} failed`,
    de: (unit) => `der SSH-Server ist nicht gestartet: ${unit} ist fehlgeschlagen`,
  } satisfies Phrase<[string]>,
  sshSilent: {
    en: (reason) => `no SSH login was possible: ${reason}`,
    de: (reason) => `keine SSH-Anmeldung war möglich: ${reason}`,
  } satisfies Phrase<[string]>,
  noPorts: fixed('the plan lists no open ports', 'der Plan nennt keine offenen Ports'),
  onlyUdp: {
    en: (ports) => `only UDP ports (${list(ports)}), which are not probed`,
    de: (ports) => `nur UDP-Ports (${list(ports)}), die nicht geprüft werden`,
  } satisfies Phrase<[number[]]>,
  portsNeedSsh: fixed('not probed: the VM did not finish booting (see boot.ssh)', 'nicht geprüft: Die VM ist nicht fertig gestartet (siehe boot.ssh)'),
  portOpen: { en: (p) => `TCP ${p} accepted a connection`, de: (p) => `TCP ${p} hat eine Verbindung angenommen` } satisfies Phrase<[number]>,
  portClosed: { en: (p) => `TCP ${p} refused the connection`, de: (p) => `TCP ${p} hat die Verbindung abgelehnt` } satisfies Phrase<[number]>,
  portLoopbackOnly: {
    en: (p) => `TCP ${p} is listened on only on the guest's loopback address`,
    de: (p) => `auf TCP ${p} wird nur an der Loopback-Adresse des Gastes gelauscht`,
  } satisfies Phrase<[number]>,
  udpNotProbed: { en: (ports) => `UDP ${list(ports)} not probed`, de: (ports) => `UDP ${list(ports)} nicht geprüft` } satisfies Phrase<[number[]]>,
  portsClosed: {
    en: (ports) => `${ports.length} of the plan's open ports refused connections: ${list(ports)}`,
    de: (ports) => `${ports.length} der offenen Ports des Plans haben Verbindungen abgelehnt: ${list(ports)}`,
  } satisfies Phrase<[number[]]>,
  portsOpen: {
    en: (ports) => `every open port of the plan accepted a connection: ${list(ports)}`,
    de: (ports) => `jeder offene Port des Plans hat eine Verbindung angenommen: ${list(ports)}`,
  } satisfies Phrase<[number[]]>,
};
