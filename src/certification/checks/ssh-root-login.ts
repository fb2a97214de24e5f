/** `linux.ssh-root-login`: the effective PermitRootLogin is not `yes` (sshd's default is prohibit-password). */
import { withSshd } from './common.ts';
import { describeSetting } from './sshd-config.ts';
import type { CheckDefinition } from './types.ts';

export const sshRootLogin: CheckDefinition = {
  id: 'linux.ssh-root-login',
  title: 'SSH root login with a password is not permitted',
  severity: 'error',
  remediation: 'Set `PermitRootLogin prohibit-password` (or `no`) in /etc/ssh/sshd_config before any Match block.',
  async run(context) {
    return withSshd(context, (config) => {
      const setting = config.get('PermitRootLogin');
      const evidence = [{ image: 'os' as const, path: setting.path ?? '/etc/ssh/sshd_config', ...(setting.line ? { line: setting.line } : {}), detail: describeSetting('PermitRootLogin', setting) }];
      if (setting.value.toLowerCase() === 'yes') return { status: 'failed', message: `${describeSetting('PermitRootLogin', setting)}: root may log in with a password`, evidence };
      return { status: 'passed', message: describeSetting('PermitRootLogin', setting), evidence };
    });
  },
};
