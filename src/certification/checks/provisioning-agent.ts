/** `linux.provisioning-agent`: cloud-init or the Azure Linux agent (waagent) is installed, as files or in the package database. */
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

export const provisioningAgent: CheckDefinition = {
  id: 'linux.provisioning-agent',
  title: 'A provisioning agent (cloud-init or waagent) is installed',
  severity: 'error',
  remediation: 'Install cloud-init (`apt-get install cloud-init`, `dnf install cloud-init`) or the Azure Linux agent (walinuxagent / WALinuxAgent) so the VM can be provisioned.',
  async run(context) {
    return withRoot(context, async (root) => {
      const files: string[] = [];
      for (const file of AGENT_FILES) {
        const stat = await root.stat(file).catch(() => null);
        if (stat?.type === 'file') files.push(file);
      }
      const packages = await packagesOf(context, root);
      const pkg = await findInstalled(root, packages, AGENT_PACKAGES);
      const evidence = [
        ...files.map((path) => ({ image: 'os' as const, path, detail: 'installed file' })),
        ...(pkg ? [{ image: 'os' as const, path: pkg.source.split(', ')[0], detail: `package ${pkg.name} installed` }] : []),
      ];
      if (evidence.length > 0) {
        const what = pkg ? `package ${pkg.name}` : files[0];
        return { status: 'passed', message: `found ${what}${files.length && pkg ? ` and ${files.length} agent file${files.length === 1 ? '' : 's'}` : ''}`, evidence };
      }
      const looked = packages.sources.length || packages.bdbPath ? `package databases read: ${[...packages.sources, ...(packages.bdbPath ? [packages.bdbPath] : [])].join(', ')}` : 'no package database found';
      return {
        status: 'failed',
        message: `neither cloud-init nor waagent is installed (${looked}${packages.problems.length ? `; ${packages.problems.join('; ')}` : ''})`,
        evidence: [{ image: 'os', detail: `none of ${AGENT_FILES.join(', ')} exists; ${looked}` }],
      };
    });
  },
};
