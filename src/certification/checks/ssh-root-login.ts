/** `linux.ssh-root-login`: the effective PermitRootLogin is not `yes` (sshd's default is prohibit-password). */
import { fixed, type Localized, type Phrase } from '../../i18n/localized.ts';
import { checkSshdSetting } from './common.ts';
import type { CheckDefinition } from './types.ts';

const rootWithPassword: Phrase<[setting: Localized]> = {
  en: (setting) => `${setting.en}: root may log in with a password`,
  de: (setting) => `${setting.de}: root darf sich mit einem Passwort anmelden`,
};

export const sshRootLogin: CheckDefinition = {
  id: 'linux.ssh-root-login',
  title: fixed('SSH root login with a password is not permitted', 'SSH-Anmeldung als root mit Passwort ist nicht erlaubt'),
  severity: 'error',
  remediation: fixed(
    'Set `PermitRootLogin prohibit-password` (or `no`) in /etc/ssh/sshd_config before any Match block.',
    'Setzen Sie `PermitRootLogin prohibit-password` (oder `no`) in /etc/ssh/sshd_config vor jedem Match-Block.',
  ),
  async run(context) {
    return checkSshdSetting(context, 'PermitRootLogin', (value) => value.toLowerCase() !== 'yes', rootWithPassword);
  },
};
