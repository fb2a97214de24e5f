/** `linux.empty-passwords`: no account has an empty password field (/etc/shadow, or /etc/passwd without shadowing). */
import type { Evidence } from '../types.ts';
import { readPasswd } from './guest-files.ts';
import { shadowOf, withRoot } from './common.ts';
import type { CheckDefinition } from './types.ts';

export const emptyPasswords: CheckDefinition = {
  id: 'linux.empty-passwords',
  title: 'No account has an empty password',
  severity: 'error',
  remediation: 'Lock every account without a password (`passwd -l NAME` or `usermod -p \'*\' NAME`).',
  async run(context) {
    return withRoot(context, async (root) => {
      const evidence: Evidence[] = [];
      const shadow = await shadowOf(context, root);
      for (const entry of shadow ?? []) {
        if (entry.state === 'empty') evidence.push({ image: 'os', path: '/etc/shadow', line: entry.line, detail: `${entry.name} has an empty password field` });
      }
      for (const entry of await readPasswd(root)) {
        if (entry.password === '') evidence.push({ image: 'os', path: '/etc/passwd', line: entry.line, detail: `${entry.name} has an empty password field` });
      }
      if (evidence.length) return { status: 'failed', message: `accounts with an empty password: ${[...new Set(evidence.map((e) => e.detail.split(' ')[0]))].join(', ')}`, evidence };
      return { status: 'passed', message: shadow === null ? 'no /etc/shadow; no empty password field in /etc/passwd' : `no empty password field among ${shadow.length} accounts` };
    });
  },
};
