/** `linux.ssh-password-auth`: the effective PasswordAuthentication is not `yes` (sshd's default is yes). */
import { withSshd } from './common.ts';
import { describeSetting } from './sshd-config.ts';
import type { CheckDefinition } from './types.ts';

export const sshPasswordAuth: CheckDefinition = {
  id: 'linux.ssh-password-auth',
  title: 'SSH password authentication is disabled',
  severity: 'error',
  remediation: 'Set `PasswordAuthentication no` in /etc/ssh/sshd_config before any Match block (and check drop-ins under /etc/ssh/sshd_config.d/: the first value sshd reads wins).',
  async run(context) {
    return withSshd(context, (config) => {
      const setting = config.get('PasswordAuthentication');
      const evidence = [{ image: 'os' as const, path: setting.path ?? '/etc/ssh/sshd_config', ...(setting.line ? { line: setting.line } : {}), detail: describeSetting('PasswordAuthentication', setting) }];
      if (setting.value.toLowerCase() === 'yes') return { status: 'failed', message: `${describeSetting('PasswordAuthentication', setting)}: password logins are allowed`, evidence };
      return { status: 'passed', message: describeSetting('PasswordAuthentication', setting), evidence };
    });
  },
};
