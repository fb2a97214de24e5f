/** `linux.ssh-server` (warning): an SSH server is installed, so the VM can be reached after deployment. */
import { sshServerOf, withRoot } from './common.ts';
import type { CheckDefinition } from './types.ts';

export const sshServer: CheckDefinition = {
  id: 'linux.ssh-server',
  title: 'An SSH server is installed',
  severity: 'warning',
  remediation: 'Install OpenSSH server (`apt-get install openssh-server`, `dnf install openssh-server`) and enable it, or document how customers reach the VM.',
  async run(context) {
    return withRoot(context, async (root) => {
      const found = await sshServerOf(context, root);
      if (found) return { status: 'passed', message: `SSH server found: ${found}`, evidence: [{ image: 'os', ...(found.startsWith('/') ? { path: found } : {}), detail: found }] };
      return { status: 'warning', message: 'no SSH server installed (no /usr/sbin/sshd, no openssh-server package)', evidence: [{ image: 'os', path: '/usr/sbin/sshd', detail: 'missing' }] };
    });
  },
};
