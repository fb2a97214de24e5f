/** `linux.provisioning-agent`: cloud-init or the Azure Linux agent (waagent) is installed, as files or in the package database. */
import { formatNumber } from '../../i18n/format.ts';
import { fixed, join, type Localized, type Phrase, say } from '../../i18n/localized.ts';
import { findInstalled } from './packages.ts';
import { packagesOf, withRoot } from './common.ts';
import type { CheckDefinition } from './types.ts';

export const AGENT_FILES = [
  '/usr/bin/cloud-init',
  '/usr/local/bin/cloud-init',
  '/etc/cloud/cloud.cfg',
  '/usr/sbin/waagent',
  '/usr/bin/waagent',
  '/usr/local/sbin/waagent',
  '/etc/waagent.conf',
];
export const AGENT_PACKAGES = ['cloud-init', 'walinuxagent', 'WALinuxAgent'];

const INSTALLED_FILE = fixed('installed file', 'installierte Datei');
const packageInstalled: Phrase<[name: string]> = {
  en: (name) => `package ${name} installed`,
  de: (name) => `Paket ${name} installiert`,
};
/** What was found: the package (and how many agent files besides), else the first agent file. */
const agentFound: Phrase<[pkg: string | null, files: string[]]> = {
  en: (pkg, files) => `found ${pkg ? `package ${pkg}` : files[0]}${files.length && pkg ? ` and ${files.length} agent file${files.length === 1 ? '' : 's'}` : ''}`,
  de: (pkg, files) => `gefunden: ${pkg ? `Paket ${pkg}` : files[0]}${files.length && pkg ? ` und ${formatNumber(files.length, 'de')} ${files.length === 1 ? 'Agent-Datei' : 'Agent-Dateien'}` : ''}`,
};
const databasesRead: Phrase<[databases: string[]]> = {
  en: (databases) => `package databases read: ${databases.join(', ')}`,
  de: (databases) => `gelesene Paketdatenbanken: ${databases.join(', ')}`,
};
const NO_DATABASE = fixed('no package database found', 'keine Paketdatenbank gefunden');
const noAgent: Phrase<[looked: Localized, problems: Localized[]]> = {
  en: (looked, problems) => `neither cloud-init nor waagent is installed (${looked.en}${problems.length ? `; ${join(problems, '; ').en}` : ''})`,
  de: (looked, problems) => `weder cloud-init noch waagent ist installiert (${looked.de}${problems.length ? `; ${join(problems, '; ').de}` : ''})`,
};
const noAgentFile: Phrase<[looked: Localized]> = {
  en: (looked) => `none of ${AGENT_FILES.join(', ')} exists; ${looked.en}`,
  de: (looked) => `keine der Dateien ${AGENT_FILES.join(', ')} existiert; ${looked.de}`,
};

export const provisioningAgent: CheckDefinition = {
  id: 'linux.provisioning-agent',
  title: fixed('A provisioning agent (cloud-init or waagent) is installed', 'Ein Bereitstellungsagent (cloud-init oder waagent) ist installiert'),
  severity: 'error',
  remediation: fixed(
    'Install cloud-init (`apt-get install cloud-init`, `dnf install cloud-init`) or the Azure Linux agent (walinuxagent / WALinuxAgent) so the VM can be provisioned.',
    'Installieren Sie cloud-init (`apt-get install cloud-init`, `dnf install cloud-init`) oder den Azure-Linux-Agent (walinuxagent / WALinuxAgent), damit die VM bereitgestellt werden kann.',
  ),
  async run(context) {
    return withRoot(context, async (root) => {
      const files: string[] = [];
      for (const file of AGENT_FILES) {
        const stat = await root.stat(file).catch(() => null);
        if (stat?.type === 'file') files.push(file);
      }
      const packages = await packagesOf(context, root);
      const pkg = findInstalled(packages, AGENT_PACKAGES);
      const evidence = [
        ...files.map((path) => ({ image: 'os' as const, path, detail: INSTALLED_FILE })),
        ...(pkg ? [{ image: 'os' as const, path: pkg.source.split(', ')[0], detail: say(packageInstalled, pkg.name) }] : []),
      ];
      if (evidence.length > 0) return { status: 'passed', message: say(agentFound, pkg?.name ?? null, files), evidence };
      const databases = packages.sources;
      const looked = databases.length ? say(databasesRead, databases) : NO_DATABASE;
      return {
        status: 'failed',
        message: say(noAgent, looked, packages.problems),
        evidence: [{ image: 'os', detail: say(noAgentFile, looked) }],
      };
    });
  },
};
