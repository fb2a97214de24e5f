/** `linux.ssh-password-auth`: the effective PasswordAuthentication is not `yes` (sshd's default is yes). */
import { fixed, type Localized, type Phrase } from '../../i18n/localized.ts';
import { checkSshdSetting } from './common.ts';
import type { CheckDefinition } from './types.ts';

const passwordsAllowed: Phrase<[setting: Localized]> = {
  en: (setting) => `${setting.en}: password logins are allowed`,
  de: (setting) => `${setting.de}: Anmeldungen mit Passwort sind erlaubt`,
};

export const sshPasswordAuth: CheckDefinition = {
  id: 'linux.ssh-password-auth',
  title: fixed('SSH password authentication is disabled', 'SSH-Anmeldung mit Passwort ist deaktiviert'),
  severity: 'error',
  remediation: fixed(
    'Set `PasswordAuthentication no` in /etc/ssh/sshd_config before any Match block (and check drop-ins under /etc/ssh/sshd_config.d/: the first value sshd reads wins).',
    'Setzen Sie `PasswordAuthentication no` in /etc/ssh/sshd_config vor jedem Match-Block (und prüfen Sie die Drop-in-Dateien unter /etc/ssh/sshd_config.d/: Es gilt der erste Wert, den sshd liest).',
  ),
  async run(context) {
    return checkSshdSetting(context, 'PasswordAuthentication', (value) => value.toLowerCase() !== 'yes', passwordsAllowed);
  },
};
