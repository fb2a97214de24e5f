/** `linux.root-password`: root has no usable password hash and no empty password in /etc/shadow (evidence never holds the hash). */
import { readPasswd } from './guest-files.ts';
import { passwordState } from './shadow.ts';
import { shadowOf, withRoot } from './common.ts';
import type { CheckDefinition } from './types.ts';

export const rootPassword: CheckDefinition = {
  id: 'linux.root-password',
  title: 'The root account has no password',
  severity: 'error',
  remediation: 'Lock the root password (`passwd -l root`, or `usermod -p \'*\' root`) and sign in with SSH keys provisioned at deployment.',
  async run(context) {
    return withRoot(context, async (root) => {
      const shadow = await shadowOf(context, root);
      const passwdRoot = (await readPasswd(root)).find((e) => e.name === 'root');
      if (passwdRoot && passwordState(passwdRoot.password) !== 'locked' && passwdRoot.password !== 'x') {
        const empty = passwdRoot.password === '';
        return { status: 'failed', message: `root has ${empty ? 'an empty password' : 'a password hash'} in /etc/passwd`, evidence: [{ image: 'os', path: '/etc/passwd', line: passwdRoot.line, detail: empty ? 'empty password field' : 'password hash in /etc/passwd' }] };
      }
      if (shadow === null) return { status: 'passed', message: 'no /etc/shadow, and /etc/passwd holds no password for root' };
      const entry = shadow.find((e) => e.name === 'root');
      if (!entry) return { status: 'passed', message: 'root has no entry in /etc/shadow' };
      const evidence = [{ image: 'os' as const, path: '/etc/shadow', line: entry.line, detail: entry.state === 'usable' ? `root has a usable password hash (${entry.scheme})` : entry.state === 'empty' ? 'root has an empty password field' : 'root\'s password is locked' }];
      if (entry.state === 'locked') return { status: 'passed', message: 'root\'s password is locked', evidence };
      return { status: 'failed', message: entry.state === 'empty' ? 'root has an empty password' : `root has a usable password hash (${entry.scheme})`, evidence };
    });
  },
};
