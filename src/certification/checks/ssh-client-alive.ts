/** `linux.ssh-client-alive`: the effective ClientAliveInterval is 30..235 seconds (keeps idle sessions through the platform's load balancer). */
import { fixed, type Localized, type Phrase } from '../../i18n/localized.ts';
import { checkSshdSetting } from './common.ts';
import { sshdSeconds } from './sshd-config.ts';
import type { CheckDefinition } from './types.ts';

const outOfRange: Phrase<[setting: Localized]> = {
  en: (setting) => `${setting.en}: not between 30 and 235 seconds`,
  de: (setting) => `${setting.de}: nicht zwischen 30 und 235 Sekunden`,
};

export const sshClientAlive: CheckDefinition = {
  id: 'linux.ssh-client-alive',
  title: fixed('SSH ClientAliveInterval is between 30 and 235 seconds', 'SSH-ClientAliveInterval liegt zwischen 30 und 235 Sekunden'),
  severity: 'error',
  remediation: fixed(
    'Set `ClientAliveInterval 180` in /etc/ssh/sshd_config (before any Match block), or in a drop-in under /etc/ssh/sshd_config.d/ that sorts before any other setting it.',
    'Setzen Sie `ClientAliveInterval 180` in /etc/ssh/sshd_config (vor jedem Match-Block) oder in einer Drop-in-Datei unter /etc/ssh/sshd_config.d/, die vor jeder anderen Datei mit dieser Einstellung einsortiert wird.',
  ),
  async run(context) {
    return checkSshdSetting(context, 'ClientAliveInterval', (value) => {
      const seconds = sshdSeconds(value);
      return seconds >= 30 && seconds <= 235;
    }, outOfRange);
  },
};
