/** `linux.root-password`: root has no usable password hash and no empty password in /etc/shadow (evidence never holds the hash). */
import { fixed, type Localized, type Phrase, say } from '../../i18n/localized.ts';
import { readPasswd } from './guest-files.ts';
import { passwordState } from './shadow.ts';
import { shadowOf, withRoot } from './common.ts';
import type { CheckDefinition } from './types.ts';

const EMPTY_IN_PASSWD = fixed('root has an empty password in /etc/passwd', 'root hat ein leeres Passwort in /etc/passwd');
const HASH_IN_PASSWD = fixed('root has a password hash in /etc/passwd', 'root hat einen Passwort-Hash in /etc/passwd');
const EMPTY_FIELD = fixed('empty password field', 'leeres Passwortfeld');
const HASH_FIELD = fixed('password hash in /etc/passwd', 'Passwort-Hash in /etc/passwd');
const NO_SHADOW = fixed('no /etc/shadow, and /etc/passwd holds no password for root', 'kein /etc/shadow, und /etc/passwd enthält kein Passwort für root');
const NOT_IN_SHADOW = fixed('root has no entry in /etc/shadow', 'root hat keinen Eintrag in /etc/shadow');
const usableHash: Phrase<[scheme: Localized]> = {
  en: (scheme) => `root has a usable password hash (${scheme.en})`,
  de: (scheme) => `root hat einen verwendbaren Passwort-Hash (${scheme.de})`,
};
const EMPTY_SHADOW_FIELD = fixed('root has an empty password field', 'root hat ein leeres Passwortfeld');
const LOCKED = fixed('root\'s password is locked', 'das Passwort von root ist gesperrt');
const EMPTY_PASSWORD = fixed('root has an empty password', 'root hat ein leeres Passwort');

export const rootPassword: CheckDefinition = {
  id: 'linux.root-password',
  title: fixed('The root account has no password', 'Das Root-Konto hat kein Passwort'),
  severity: 'error',
  remediation: fixed(
    'Lock the root password (`passwd -l root`, or `usermod -p \'*\' root`) and sign in with SSH keys provisioned at deployment.',
    'Sperren Sie das Passwort von root (`passwd -l root` oder `usermod -p \'*\' root`) und melden Sie sich mit SSH-Schlüsseln an, die bei der Bereitstellung eingerichtet werden.',
  ),
  async run(context) {
    return withRoot(context, async (root) => {
      const shadow = await shadowOf(context, root);
      const passwdRoot = (await readPasswd(root)).find((e) => e.name === 'root');
      if (passwdRoot && passwordState(passwdRoot.password) !== 'locked' && passwdRoot.password !== 'x') {
        const empty = passwdRoot.password === '';
        return { status: 'failed', message: empty ? EMPTY_IN_PASSWD : HASH_IN_PASSWD, evidence: [{ image: 'os', path: '/etc/passwd', line: passwdRoot.line, detail: empty ? EMPTY_FIELD : HASH_FIELD }] };
      }
      if (shadow === null) return { status: 'passed', message: NO_SHADOW };
      const entry = shadow.find((e) => e.name === 'root');
      if (!entry) return { status: 'passed', message: NOT_IN_SHADOW };
      const evidence = [{ image: 'os' as const, path: '/etc/shadow', line: entry.line, detail: entry.state === 'usable' ? say(usableHash, entry.scheme) : entry.state === 'empty' ? EMPTY_SHADOW_FIELD : LOCKED }];
      if (entry.state === 'locked') return { status: 'passed', message: LOCKED, evidence };
      return { status: 'failed', message: entry.state === 'empty' ? EMPTY_PASSWORD : say(usableHash, entry.scheme), evidence };
    });
  },
};
