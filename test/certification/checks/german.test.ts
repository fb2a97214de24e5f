/**
 * Every check speaks German too: titles as the web app's German check names, remediations
 * translated, findings in German with the paths and values they name; a real failing image's
 * report carries the German texts under `translations` and reads in either language as JSON.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { CHECKS } from '../../../src/certification/checks/registry.ts';
import { certifyImages } from '../../../src/certification/index.ts';
import { reportToJson } from '../../../src/certification/report/json.ts';
import type { CertificationReport, CheckResult } from '../../../src/certification/types.ts';
import type { Localized } from '../../../src/i18n/localized.ts';
import { baseLinuxTree, buildImage, type FileSpec } from '../../fixtures/images.ts';
import { runCheck, treeWith } from '../context.ts';

/** The German titles the interface has always shown (they were the web app's own until the server spoke German). */
const GERMAN_TITLES: Record<string, string> = {
  'image.format': 'Die Disk-Images haben ein akzeptiertes, sicheres Format',
  'image.size': 'Die Disk-Größen entsprechen den Regeln des Marktplatzes',
  'image.partitions': "Die Partitionstabellen sind gültig und ausgerichtet",
  'linux.os-release': "Das Betriebssystem ist eine unterstützte Linux-Distribution",
  'linux.os-end-of-life': 'Die Version des Betriebssystems erhält noch Sicherheitsupdates',
  'linux.architecture': "Die Systemprogramme sind 64-Bit (x86-64 oder aarch64)",
  'linux.provisioning-agent': "Ein Bereitstellungsagent (cloud-init oder waagent) ist installiert",
  'linux.kernel-console': "Der Kernel schreibt auf die serielle Konsole",
  'linux.swap': "Kein Swap auf dem Betriebssystemdatenträger",
  'linux.root-partition': "Genau ein Root-Dateisystem auf dem Betriebssystemdatenträger",
  'linux.shell-history': "Kein Shell-Verlauf in den Home-Verzeichnissen",
  'linux.root-password': "Das Root-Konto hat kein Passwort",
  'linux.empty-passwords': "Kein Konto hat ein leeres Passwort",
  'linux.ssh-server': "Ein SSH-Server ist installiert",
  'linux.ssh-client-alive': "SSH-ClientAliveInterval liegt zwischen 30 und 235 Sekunden",
  'linux.ssh-password-auth': "SSH-Anmeldung mit Passwort ist deaktiviert",
  'linux.ssh-root-login': "SSH-Anmeldung als root mit Passwort ist nicht erlaubt",
  'linux.ssh-host-keys': 'SSH-Hostschlüssel werden für jede VM beim ersten Start erzeugt',
  'linux.authorized-keys': "Keine SSH-Schlüssel in authorized_keys im Image",
  'linux.private-keys': "Keine privaten Schlüssel im Image",
  'linux.cloud-credentials': "Keine Cloud-Zugangsdaten im Image",
  'linux.machine-id': 'Das Image enthält keine Maschinen-ID',
  'linux.package-files': 'Von Paketen installierte Dateien sind unverändert',
  'packages.vulnerabilities': 'Installierte Pakete haben keine bekannten Schwachstellen, für die es eine Korrektur gibt',
  'malware.scan': "Keine Schadsoftware in den Images",
  'image.readable': 'Jede Datei jedes Images ist innerhalb der Grenzen lesbar',
};

function germanTitle(id: string): string | undefined {
  return GERMAN_TITLES[id];
}

const asLocalized = (text: string | Localized): Localized => (typeof text === 'string' ? { en: text, de: text } : text);

test('every check has its German title and a German remediation', () => {
  assert.equal(CHECKS.length, 26);
  for (const check of CHECKS) {
    const title = asLocalized(check.title);
    assert.equal(title.de, germanTitle(check.id), check.id);
    assert.notEqual(title.de, title.en, check.id);
    const remediation = asLocalized(check.remediation);
    assert.notEqual(remediation.de, remediation.en, `${check.id} has a German remediation`);
    assert.match(remediation.de, /Sie /, `${check.id} addresses the reader formally`);
    // commands and config keywords stay as they are
    for (const code of remediation.en.match(/`[^`]+`/g) ?? []) assert.ok(remediation.de.includes(code), `${check.id} keeps ${code}`);
  }
});

test('findings read in German and keep the paths and values they name', async () => {
  const history = treeWith({ '/home/ubuntu/.bash_history': 'ls -la\n'.repeat(200), '/root/.python_history': 'print(1)\n' });
  const en = await runCheck('linux.shell-history', history);
  const de = await runCheck('linux.shell-history', history, { locale: 'de' });
  assert.equal(en.message, 'shell history over 1 KiB left in /home/ubuntu/.bash_history');
  assert.equal(de.status, 'failed');
  assert.equal(de.message, 'zurückgelassener Shell-Verlauf über 1 KiB in /home/ubuntu/.bash_history');
  assert.deepEqual(de.evidence.map((e) => [e.path, e.detail]), [
    ['/home/ubuntu/.bash_history', '1.400 Byte Verlauf'],
    ['/root/.python_history', '9 Byte Verlauf'],
  ]);
  assert.equal(en.evidence[0].detail, '1400 bytes of history');

  const rootLogin = treeWith({ '/etc/ssh/sshd_config': 'PermitRootLogin yes\nInclude /etc/ssh/sshd_config.d/*.conf\n' });
  const login = await runCheck('linux.ssh-root-login', rootLogin, { locale: 'de' });
  assert.equal(login.status, 'failed');
  assert.equal(login.message, 'PermitRootLogin yes (/etc/ssh/sshd_config:1): root darf sich mit einem Passwort anmelden');
  assert.notEqual(login.message, (await runCheck('linux.ssh-root-login', rootLogin)).message);
  const unset = await runCheck('linux.ssh-client-alive', treeWith({ '/etc/ssh/sshd_config': 'PermitRootLogin no\n' }), { locale: 'de' });
  assert.equal(unset.message, 'ClientAliveInterval nicht gesetzt: Standardwert von sshd 0: nicht zwischen 30 und 235 Sekunden');

  const missing = await runCheck('linux.os-release', treeWith({ '/etc/os-release': null, '/etc/fstab': 'UUID=x / ext4 defaults 0 1\n' }), { locale: 'de' });
  assert.equal(missing.message, 'kein lesbares Linux-Root-Dateisystem mit /etc/os-release: gefunden: ext4 auf Partition 1 ohne /etc/os-release');
  const byDevice = await runCheck('linux.os-release', treeWith({ '/etc/os-release': null, '/etc/fstab': '/dev/sda1 / ext4 defaults 0 1\n' }), { locale: 'de' });
  assert.deepEqual([byDevice.message, byDevice.evidence[0].detail], ['/etc/os-release fehlt', 'fehlt']);
  const old = await runCheck('linux.os-release', treeWith({ '/etc/os-release': 'ID=ubuntu\nVERSION_ID="18.04"\n' }), { locale: 'de' });
  assert.match(old.message, /: Version „18\.04“ von ubuntu wird nicht unterstützt \(unterstützt: [\d., ]+\)$/);
  // raw data stays as the file says it
  assert.equal(old.evidence[0].detail, 'ID=ubuntu VERSION_ID=18.04');
  const arch = await runCheck('linux.os-release', treeWith({ '/etc/os-release': 'ID=arch\nVERSION_ID=rolling\n' }), { locale: 'de' });
  assert.match(arch.message, /Die Distribution „arch“ wird nicht unterstützt/);

  // a check with nothing to read is skipped in German too
  const noSsh = treeWith({ '/usr/sbin/sshd': null, '/var/lib/dpkg/status': 'Package: cloud-init\nStatus: install ok installed\n' });
  const skipped = await runCheck('linux.ssh-password-auth', noSsh, { locale: 'de' });
  assert.deepEqual([skipped.status, skipped.message], ['skipped', 'übersprungen: Es ist kein SSH-Server installiert']);
  const server = await runCheck('linux.ssh-server', noSsh, { locale: 'de' });
  assert.deepEqual([server.status, server.message, server.evidence[0].path, server.evidence[0].detail], ['warning', 'kein SSH-Server installiert (kein /usr/sbin/sshd, kein Paket openssh-server)', '/usr/sbin/sshd', 'fehlt']);
  const noRoot = await runCheck('linux.swap', null, { locale: 'de' });
  assert.equal(noRoot.message, 'keine Swap-Partition (kein Linux-Root, aus dem /etc/fstab gelesen werden könnte)');
  const skippedNoRoot = await runCheck('linux.shell-history', null, { locale: 'de' });
  assert.match(skippedNoRoot.message, /^übersprungen: Auf dem Betriebssystemdatenträger wurde kein Linux-Root-Dateisystem gefunden/);
});

/** A failing image (shell history, root login with a password, an authorized key), built once and cached by its spec. */
const FAILING: FileSpec[] = [
  ...baseLinuxTree().files.filter((f) => f.path !== '/etc/ssh/sshd_config'),
  { path: '/etc/ssh/sshd_config', content: 'PermitRootLogin yes\nInclude /etc/ssh/sshd_config.d/*.conf\n' },
  { path: '/root/.bash_history', content: 'sudo cat /etc/shadow\n'.repeat(80) },
  { path: '/root/.ssh/authorized_keys', content: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGVtb3J5 admin@corp\n', mode: 0o600 },
];

async function cachedImage(files: FileSpec[]): Promise<string> {
  const key = createHash('sha256').update(JSON.stringify(files, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v))).digest('hex').slice(0, 16);
  const output = path.join(os.tmpdir(), `vmarket-german-report-${key}.vhd`);
  if (!existsSync(output)) await buildImage({ files, output });
  return output;
}

let report: CertificationReport;
before(async () => {
  report = await certifyImages({ osDisk: await cachedImage(FAILING), config: { clamav: { mode: 'off', databaseDir: '/nonexistent' } } });
});

function checkIn(checks: CheckResult[], id: string): CheckResult {
  const found = checks.find((c) => c.id === id);
  assert.ok(found, id);
  return found;
}

test('a failing image\'s report stores English in the contract\'s fields and German under translations', () => {
  assert.equal(report.result, 'failed');
  for (const id of ['linux.shell-history', 'linux.ssh-root-login', 'linux.authorized-keys']) assert.equal(checkIn(report.checks, id).status, 'failed', id);
  for (const check of report.checks) {
    const de = check.translations?.de;
    assert.ok(de, `${check.id} has German texts`);
    assert.equal(de.title, germanTitle(check.id), check.id);
    assert.ok(de.remediation && de.remediation !== check.remediation, check.id);
  }
  const history = checkIn(report.checks, 'linux.shell-history');
  assert.equal(history.message, 'shell history over 1 KiB left in /root/.bash_history');
  assert.equal(history.translations?.de?.message, 'zurückgelassener Shell-Verlauf über 1 KiB in /root/.bash_history');
  assert.deepEqual(history.evidence[0].translations, { de: { detail: '1.680 Byte Verlauf' } });
  const keys = checkIn(report.checks, 'linux.authorized-keys');
  assert.equal(keys.translations?.de?.message, '1 autorisierter Schlüssel in /root/.ssh/authorized_keys');
});

test('reportToJson answers in German or in English, always in the contract\'s shape without translations', () => {
  const german = reportToJson(report, 'de');
  const english = reportToJson(report);
  for (const json of [german, english]) assert.doesNotMatch(JSON.stringify(json), /"translations"/);
  assert.deepEqual(Object.keys(german.checks[0]), ['id', 'status', 'severity', 'title', 'message', 'evidence', 'remediation']);
  assert.deepEqual(Object.keys(german.checks[0]), Object.keys(english.checks[0]));

  const login = checkIn(german.checks, 'linux.ssh-root-login');
  assert.equal(login.title, 'SSH-Anmeldung als root mit Passwort ist nicht erlaubt');
  assert.equal(login.message, 'PermitRootLogin yes (/etc/ssh/sshd_config:1): root darf sich mit einem Passwort anmelden');
  assert.equal(login.remediation, 'Setzen Sie `PermitRootLogin prohibit-password` (oder `no`) in /etc/ssh/sshd_config vor jedem Match-Block.');
  assert.equal(checkIn(german.checks, 'linux.shell-history').evidence[0].detail, '1.680 Byte Verlauf');
  // a passed check reads in German too
  assert.match(checkIn(german.checks, 'linux.swap').message, /^keine Swap-Partition und kein Swap-Eintrag in \/etc\/fstab$/);
  assert.match(checkIn(german.checks, 'malware.scan').message, /^\d+ Dateien geprüft, kein Treffer; Engines: EICAR-Testsignatur; ClamAV per Konfiguration ausgeschaltet$/);

  const englishLogin = checkIn(english.checks, 'linux.ssh-root-login');
  assert.deepEqual([englishLogin.title, englishLogin.message], ['SSH root login with a password is not permitted', 'PermitRootLogin yes (/etc/ssh/sshd_config:1): root may log in with a password']);
  assert.equal(checkIn(english.checks, 'linux.shell-history').evidence[0].detail, '1680 bytes of history');
  // the English document is the stored report minus translations
  assert.deepEqual(english.checks.map((c) => [c.title, c.message, c.remediation]), report.checks.map((c) => [c.title, c.message, c.remediation]));
});
