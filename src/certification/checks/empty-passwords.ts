/** `linux.empty-passwords`: no account has an empty password field (/etc/shadow, or /etc/passwd without shadowing). */
import { formatNumber } from '../../i18n/format.ts';
import { fixed, type Phrase, say } from '../../i18n/localized.ts';
import { readPasswd } from './guest-files.ts';
import { shadowOf, withRoot } from './common.ts';
import type { CheckDefinition, FoundEvidence } from './types.ts';

const emptyField: Phrase<[account: string]> = {
  en: (account) => `${account} has an empty password field`,
  de: (account) => `${account} hat ein leeres Passwortfeld`,
};
const accountsWithEmptyPassword: Phrase<[accounts: string[]]> = {
  en: (accounts) => `accounts with an empty password: ${accounts.join(', ')}`,
  de: (accounts) => `Konten mit leerem Passwort: ${accounts.join(', ')}`,
};
const NO_SHADOW = fixed('no /etc/shadow; no empty password field in /etc/passwd', 'kein /etc/shadow; kein leeres Passwortfeld in /etc/passwd');
const noneAmong: Phrase<[accounts: number]> = {
  en: (n) => `no empty password field among ${n} accounts`,
  de: (n) => `kein leeres Passwortfeld unter ${formatNumber(n, 'de')} ${n === 1 ? 'Konto' : 'Konten'}`,
};

export const emptyPasswords: CheckDefinition = {
  id: 'linux.empty-passwords',
  title: fixed('No account has an empty password', 'Kein Konto hat ein leeres Passwort'),
  severity: 'error',
  remediation: fixed(
    'Lock every account without a password (`passwd -l NAME` or `usermod -p \'*\' NAME`).',
    'Sperren Sie jedes Konto ohne Passwort (`passwd -l NAME` oder `usermod -p \'*\' NAME`).',
  ),
  async run(context) {
    return withRoot(context, async (root) => {
      const evidence: FoundEvidence[] = [];
      const accounts = new Set<string>();
      const found = (path: string, line: number, name: string) => {
        accounts.add(name);
        evidence.push({ image: 'os', path, line, detail: say(emptyField, name) });
      };
      const shadow = await shadowOf(context, root);
      for (const entry of shadow ?? []) if (entry.state === 'empty') found('/etc/shadow', entry.line, entry.name);
      for (const entry of await readPasswd(root)) if (entry.password === '') found('/etc/passwd', entry.line, entry.name);
      if (evidence.length) return { status: 'failed', message: say(accountsWithEmptyPassword, [...accounts]), evidence };
      return { status: 'passed', message: shadow === null ? NO_SHADOW : say(noneAmong, shadow.length) };
    });
  },
};
