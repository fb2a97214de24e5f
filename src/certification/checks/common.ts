/** Pieces several checks share: the skip for images without a Linux root, and the shared memoized reads. */
import type { GuestFs } from '../fs/types.ts';
import { fixed, type Localized, type Phrase, say, verbatim } from '../../i18n/localized.ts';
import type { CertificationLimits } from '../../config/schema.ts';
import { type PackageDatabases, readPackageDatabases } from '../packages/databases.ts';
import { type OwnedFiles, ownedFilesIndex } from '../packages/owned-files.ts';
import { readInstalledPackages, type InstalledPackages, findInstalled } from './packages.ts';
import { readShadow, type ShadowEntry } from './shadow.ts';
import { describeSetting, readSshdConfig, type SshdConfig } from './sshd-config.ts';
import type { CheckContext, CheckOutcome, ContextDisk, FoundEvidence } from './types.ts';

export const NO_ROOT_MESSAGE = fixed(
  'skipped: no Linux root file system was found on the OS disk (see linux.os-release)',
  'übersprungen: Auf dem Betriebssystemdatenträger wurde kein Linux-Root-Dateisystem gefunden (siehe linux.os-release)',
);

/** Runs `body` with the Linux root, or skips the check when there is none. */
export async function withRoot(context: CheckContext, body: (root: GuestFs) => Promise<CheckOutcome>): Promise<CheckOutcome> {
  const root = context.rootSearch.root;
  if (!root) return { status: 'skipped', message: NO_ROOT_MESSAGE };
  return body(root);
}

/** The root's package databases with their files (dpkg, rpm), read once per certification. */
export function packageDatabasesOf(memo: CheckContext['memo'], root: GuestFs, limits: CertificationLimits): Promise<PackageDatabases> {
  return memo('package-databases', () => readPackageDatabases(root, limits));
}

/** The index of the files those databases own, built once (the malware pass needs it before the checks run). */
export function ownedFilesOf(memo: CheckContext['memo'], root: GuestFs, limits: CertificationLimits): Promise<OwnedFiles> {
  return memo('owned-files', async () => ownedFilesIndex(root, (await packageDatabasesOf(memo, root, limits)).databases));
}

export function packagesOf(context: CheckContext, root: GuestFs): Promise<InstalledPackages> {
  return context.memo('packages', async () => {
    return readInstalledPackages(root, context.config.limits, await packageDatabasesOf(context.memo, root, context.config.limits));
  });
}

export function shadowOf(context: CheckContext, root: GuestFs): Promise<ShadowEntry[] | null> {
  return context.memo('shadow', () => readShadow(root));
}

export function sshdConfigOf(context: CheckContext, root: GuestFs): Promise<SshdConfig> {
  return context.memo('sshd-config', () => readSshdConfig(root));
}

const SSHD_BINARIES = ['/usr/sbin/sshd', '/usr/bin/sshd', '/usr/local/sbin/sshd'];
const SSHD_PACKAGES = ['openssh-server'];

/** An installed SSH server: its binary's path, or the package database that lists it. */
export interface SshServer {
  path?: string;
  description: Localized;
}

const sshPackage: Phrase<[name: string, source: string]> = {
  en: (name, source) => `package ${name} (${source})`,
  de: (name, source) => `Paket ${name} (${source})`,
};

/** Where the SSH server was found (binary or package), or null when it is not installed. */
export function sshServerOf(context: CheckContext, root: GuestFs): Promise<SshServer | null> {
  return context.memo('ssh-server', async () => {
    for (const file of SSHD_BINARIES) {
      const stat = await root.stat(file).catch(() => null);
      if (stat?.type === 'file') return { path: file, description: verbatim(file) };
    }
    const found = findInstalled(await packagesOf(context, root), SSHD_PACKAGES);
    return found ? { description: say(sshPackage, found.name, found.source) } : null;
  });
}

export const SKIPPED_NO_SSH: CheckOutcome = { status: 'skipped', message: fixed('skipped: no SSH server is installed', 'übersprungen: Es ist kein SSH-Server installiert') };

/** For the SSH settings checks: skip without a root or without an SSH server, else run with the effective config. */
export async function withSshd(context: CheckContext, body: (config: SshdConfig) => CheckOutcome): Promise<CheckOutcome> {
  return withRoot(context, async (root) => {
    if (!(await sshServerOf(context, root))) return SKIPPED_NO_SSH;
    return body(await sshdConfigOf(context, root));
  });
}

/**
 * For the checks of one sshd setting: its effective value (file and line as evidence) passes when
 * `acceptable`, else fails with `failed` around the described setting.
 */
export function checkSshdSetting(
  context: CheckContext,
  keyword: string,
  acceptable: (value: string) => boolean,
  failed: Phrase<[setting: Localized]>,
): Promise<CheckOutcome> {
  return withSshd(context, (config) => {
    const setting = config.get(keyword);
    const described = describeSetting(keyword, setting);
    const evidence = [{ image: 'os' as const, path: setting.path ?? '/etc/ssh/sshd_config', ...(setting.line ? { line: setting.line } : {}), detail: described }];
    if (acceptable(setting.value)) return { status: 'passed', message: described, evidence };
    return { status: 'failed', message: say(failed, described), evidence };
  });
}

/** Evidence of the image checks: each disk's problems (`problemsOf`), one item a problem, on that disk. */
export function diskProblems(context: CheckContext, problemsOf: (disk: ContextDisk) => Localized[]): (FoundEvidence & { detail: Localized })[] {
  return context.disks.flatMap((disk) =>
    problemsOf(disk).map((problem) => ({ image: disk.role, ...(disk.lun === null ? {} : { lun: disk.lun }), detail: problem })),
  );
}
