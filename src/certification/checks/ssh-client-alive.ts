/** `linux.ssh-client-alive`: the effective ClientAliveInterval is 30..235 seconds (keeps idle sessions through the platform's load balancer). */
import { withSshd } from './common.ts';
import { describeSetting, sshdSeconds } from './sshd-config.ts';
import type { CheckDefinition } from './types.ts';

export const sshClientAlive: CheckDefinition = {
  id: 'linux.ssh-client-alive',
  title: 'SSH ClientAliveInterval is between 30 and 235 seconds',
  severity: 'error',
  remediation: 'Set `ClientAliveInterval 180` in /etc/ssh/sshd_config (before any Match block), or in a drop-in under /etc/ssh/sshd_config.d/ that sorts before any other setting it.',
  async run(context) {
    return withSshd(context, (config) => {
      const setting = config.get('ClientAliveInterval');
      const seconds = sshdSeconds(setting.value);
      const evidence = [{ image: 'os' as const, path: setting.path ?? '/etc/ssh/sshd_config', ...(setting.line ? { line: setting.line } : {}), detail: describeSetting('ClientAliveInterval', setting) }];
      if (seconds >= 30 && seconds <= 235) return { status: 'passed', message: describeSetting('ClientAliveInterval', setting), evidence };
      return { status: 'failed', message: `${describeSetting('ClientAliveInterval', setting)}: not between 30 and 235 seconds`, evidence };
    });
  },
};
