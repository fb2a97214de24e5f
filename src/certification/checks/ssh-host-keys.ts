/**
 * `linux.ssh-host-keys` (warning): SSH host keys baked into an image are shared by every VM
 * started from it (one VM can impersonate all others), unless something replaces them at first
 * boot: cloud-init's ssh module (its `ssh_deletekeys` defaults to true, `ssh_genkeytypes` to rsa,
 * ecdsa, ed25519), or a systemd unit started at boot that deletes the keys and runs
 * `ssh-keygen -A` (Debian's and Raspberry Pi OS's regenerate-ssh-host-keys). `ssh-keygen -A` and
 * Red Hat's `sshd-keygen@.service` only create keys that are missing: they replace nothing, but
 * they do make an image without keys bootable. Without keys and without anything creating them
 * sshd does not start.
 */
import { formatNumber } from '../../i18n/format.ts';
import { fixed, join, type Localized, type Phrase, say } from '../../i18n/localized.ts';
import type { GuestFs } from '../fs/types.ts';
import { CLOUD_INIT_DISABLED, cloudBool, cloudList, moduleStage, readCloudConfig } from './cloud-init-config.ts';
import { packagesOf, SKIPPED_NO_SSH, sshServerOf, withRoot } from './common.ts';
import { isFile, listDir } from './guest-files.ts';
import { findInstalled } from './packages.ts';
import { UnitGraph } from './systemd-units.ts';
import type { CheckContext, CheckDefinition, FoundEvidence } from './types.ts';

const SSH_DIR = '/etc/ssh';
const HOST_KEY = /^ssh_host_[a-z0-9]+_key$/;
/** cloud-init's defaults (cc_ssh): keys deleted, these types generated. */
const CLOUD_INIT_KEY_TYPES = ['rsa', 'ecdsa', 'ed25519'];
const REGENERATE_UNIT = /^regenerate[-_]ssh[-_]host[-_]keys\.service$/;

/** Something in the image that makes host keys at first boot. */
interface KeyMaker {
  path: string;
  description: Localized;
  /** Deletes the keys the image holds before it creates new ones. */
  replaces: boolean;
}

const cloudInitMaker: Phrase<[stage: string, deleteKeys: boolean, types: string[], files: string[]]> = {
  en: (stage, deleteKeys, types, files) =>
    `cloud-init's ssh module (in ${stage}; ssh_deletekeys ${deleteKeys}, ssh_genkeytypes ${types.join(', ') || 'none'}; from ${files.join(', ')})`,
  de: (stage, deleteKeys, types, files) =>
    `das ssh-Modul von cloud-init (in ${stage}; ssh_deletekeys ${deleteKeys}, ssh_genkeytypes ${types.join(', ') || 'keine'}; aus ${files.join(', ')})`,
};
const unitMaker: Phrase<[unit: string, replaces: boolean]> = {
  en: (unit, replaces) => `systemd unit ${unit}, started at boot (${replaces ? 'deletes the keys and runs' : 'creates missing keys only:'} ssh-keygen)`,
  de: (unit, replaces) => `systemd-Unit ${unit}, beim Start gestartet (${replaces ? 'löscht die Schlüssel und ruft ssh-keygen auf' : 'erzeugt nur fehlende Schlüssel mit ssh-keygen'})`,
};
const HOST_KEY_DETAIL = fixed('SSH host private key', 'privater SSH-Hostschlüssel');
const NO_KEY_FILE = fixed('no ssh_host_*_key file', 'keine ssh_host_*_key-Datei');

const replacedAtBoot: Phrase<[keys: string[], makers: Localized[]]> = {
  en: (keys, makers) => `${keys.length} SSH host key${keys.length === 1 ? '' : 's'} in the image, replaced at first boot by ${join(makers, '; ').en}`,
  de: (keys, makers) => `${formatNumber(keys.length, 'de')} SSH-Hostschlüssel im Image, beim ersten Start ersetzt durch ${join(makers, '; ').de}`,
};
const sharedKeys: Phrase<[keys: string[], others: Localized[]]> = {
  en: (keys, others) =>
    `${keys.length} SSH host key${keys.length === 1 ? ' is' : 's are'} baked into the image (${keys.join(', ')}) and nothing replaces them at first boot: every VM started from it shares them${others.length ? ` (${join(others, '; ').en})` : ''}`,
  de: (keys, others) =>
    `${formatNumber(keys.length, 'de')} SSH-Hostschlüssel ${keys.length === 1 ? 'ist' : 'sind'} fest im Image (${keys.join(', ')}) und nichts ersetzt sie beim ersten Start: Jede daraus gestartete VM teilt sie${others.length ? ` (${join(others, '; ').de})` : ''}`,
};
const createdAtBoot: Phrase<[makers: Localized[]]> = {
  en: (makers) => `no SSH host keys in the image; created at first boot by ${join(makers, '; ').en}`,
  de: (makers) => `keine SSH-Hostschlüssel im Image; beim ersten Start erzeugt durch ${join(makers, '; ').de}`,
};
const NOTHING_CREATES = fixed(
  'no SSH host keys in the image and nothing creates them at first boot: sshd will not start',
  'keine SSH-Hostschlüssel im Image und nichts erzeugt sie beim ersten Start: sshd wird nicht starten',
);

/** The host private keys in /etc/ssh (regular, non-empty files). */
async function hostKeys(root: GuestFs): Promise<string[]> {
  const keys: string[] = [];
  for (const name of (await listDir(root, SSH_DIR)).filter((n) => HOST_KEY.test(n))) {
    const stat = await root.lstat(`${SSH_DIR}/${name}`).catch(() => null);
    if (stat?.type === 'file' && stat.size > 0) keys.push(`${SSH_DIR}/${name}`);
  }
  return keys;
}

/** cloud-init, when it is installed, not disabled, and its configuration runs the ssh module with key types to generate. */
async function cloudInitMakerOf(context: CheckContext, root: GuestFs): Promise<KeyMaker | null> {
  const installed = (await isFile(root, '/usr/bin/cloud-init')) || findInstalled(await packagesOf(context, root), ['cloud-init']) !== null;
  if (!installed || (await root.lstat(CLOUD_INIT_DISABLED).catch(() => null))) return null;
  const config = await readCloudConfig(root);
  const stage = moduleStage(config, 'ssh');
  if (!stage) return null;
  const deleteKeys = cloudBool(config, 'ssh_deletekeys', true);
  const types = cloudList(config, 'ssh_genkeytypes', CLOUD_INIT_KEY_TYPES);
  if (types.length === 0) return null;
  const files = [...new Set([stage, 'ssh_deletekeys', 'ssh_genkeytypes'].map((key) => config.setBy.get(key)).filter((f): f is string => f !== undefined))];
  return { path: config.setBy.get(stage) ?? '/etc/cloud/cloud.cfg', description: say(cloudInitMaker, stage, deleteKeys, types, files), replaces: deleteKeys };
}

/** Units started at boot that run ssh-keygen -A (or Red Hat's sshd-keygen), and whether they delete the keys first. */
async function unitMakers(root: GuestFs): Promise<KeyMaker[]> {
  const makers: KeyMaker[] = [];
  for (const unit of await new UnitGraph(root).startedAtBoot()) {
    const commands = ['execstartpre', 'execstart', 'execstartpost'].flatMap((key) => unit.settings.get(key) ?? []).join('\n');
    const creates = /\bssh-keygen\b.*\s-A\b/.test(commands) || /\bsshd-keygen\b/.test(commands);
    if (!creates) continue;
    const replaces = REGENERATE_UNIT.test(unit.name) || /\brm\b.*ssh_host_/.test(commands);
    makers.push({ path: unit.path, description: say(unitMaker, unit.name, replaces), replaces });
  }
  return makers;
}

export const sshHostKeys: CheckDefinition = {
  id: 'linux.ssh-host-keys',
  title: fixed('SSH host keys are created for each VM at first boot', 'SSH-Hostschlüssel werden für jede VM beim ersten Start erzeugt'),
  severity: 'warning',
  remediation: fixed(
    'Delete the host keys before capturing the image (`rm -f /etc/ssh/ssh_host_*`) and let cloud-init create new ones (its ssh module with `ssh_deletekeys: true`, the default), or enable a unit that runs `ssh-keygen -A` at boot.',
    'Löschen Sie die Hostschlüssel, bevor Sie das Image erfassen (`rm -f /etc/ssh/ssh_host_*`), und lassen Sie cloud-init neue erzeugen (sein ssh-Modul mit `ssh_deletekeys: true`, der Voreinstellung), oder aktivieren Sie eine Unit, die beim Start `ssh-keygen -A` ausführt.',
  ),
  async run(context) {
    return withRoot(context, async (root) => {
      if (!(await sshServerOf(context, root))) return SKIPPED_NO_SSH;
      const keys = await hostKeys(root);
      const cloudInit = await cloudInitMakerOf(context, root);
      const makers = [...(cloudInit ? [cloudInit] : []), ...(await unitMakers(root))];
      const evidence: FoundEvidence[] = [
        ...keys.map((path) => ({ image: 'os' as const, path, detail: HOST_KEY_DETAIL })),
        ...makers.map((m) => ({ image: 'os' as const, path: m.path, detail: m.description })),
      ];
      if (keys.length === 0) {
        if (makers.length) return { status: 'passed', message: say(createdAtBoot, makers.map((m) => m.description)), evidence };
        return { status: 'warning', message: NOTHING_CREATES, evidence: [{ image: 'os', path: SSH_DIR, detail: NO_KEY_FILE }] };
      }
      const replacing = makers.filter((m) => m.replaces);
      if (replacing.length) return { status: 'passed', message: say(replacedAtBoot, keys, replacing.map((m) => m.description)), evidence };
      return { status: 'warning', message: say(sharedKeys, keys, makers.map((m) => m.description)), evidence };
    });
  },
};
