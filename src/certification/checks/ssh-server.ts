/** `linux.ssh-server` (warning): an SSH server is installed, so the VM can be reached after deployment. */
import { sshServerOf, withRoot } from './common.ts';
import type { CheckDefinition } from './types.ts';
import { fixed, type Localized, type Phrase, say } from '../../i18n/localized.ts';
import { MISSING } from './wording.ts';

const serverFound: Phrase<[where: Localized]> = {
  en: (where) => `SSH server found: ${where.en}`,
  de: (where) => `SSH-Server gefunden: ${where.de}`,
};
const NOT_INSTALLED = fixed('no SSH server installed (no /usr/sbin/sshd, no openssh-server package)', 'kein SSH-Server installiert (kein /usr/sbin/sshd, kein Paket openssh-server)');

export const sshServer: CheckDefinition = {
  id: 'linux.ssh-server',
  title: fixed('An SSH server is installed', 'Ein SSH-Server ist installiert'),
  severity: 'warning',
  remediation: fixed(
    'Install OpenSSH server (`apt-get install openssh-server`, `dnf install openssh-server`) and enable it, or document how customers reach the VM.',
    'Installieren Sie den OpenSSH-Server (`apt-get install openssh-server`, `dnf install openssh-server`) und aktivieren Sie ihn, oder beschreiben Sie, wie Kunden die VM erreichen.',
  ),
  async run(context) {
    return withRoot(context, async (root) => {
      const found = await sshServerOf(context, root);
      if (found) return { status: 'passed', message: say(serverFound, found.description), evidence: [{ image: 'os', ...(found.path ? { path: found.path } : {}), detail: found.description }] };
      return { status: 'warning', message: NOT_INSTALLED, evidence: [{ image: 'os', path: '/usr/sbin/sshd', detail: MISSING }] };
    });
  },
};
