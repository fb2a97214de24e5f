/** `linux.shell-history`: no shell history left under /root or /home/* (over 1 KiB fails, non-empty is a warning). */
import type { Evidence } from '../types.ts';
import { withRoot } from './common.ts';
import { homeDirectories } from './guest-files.ts';
import type { CheckDefinition } from './types.ts';

export const HISTORY_FILES = [
  '.bash_history',
  '.zsh_history',
  '.zhistory',
  '.sh_history',
  '.ash_history',
  '.history',
  '.python_history',
  '.mysql_history',
  '.psql_history',
  '.sqlite_history',
  '.node_repl_history',
  '.lesshst',
  '.local/share/fish/fish_history',
];
export const HISTORY_FAIL_BYTES = 1024;

export const shellHistory: CheckDefinition = {
  id: 'linux.shell-history',
  title: 'No shell history left in home directories',
  severity: 'error',
  remediation: 'Delete the history files before capturing the image (`rm -f /root/.bash_history /home/*/.bash_history; history -c`), and capture with history disabled (`unset HISTFILE`).',
  async run(context) {
    return withRoot(context, async (root) => {
      const failed: Evidence[] = [];
      const warned: Evidence[] = [];
      for (const home of await homeDirectories(root)) {
        for (const name of HISTORY_FILES) {
          const path = `${home}/${name}`;
          const stat = await root.lstat(path).catch(() => null);
          if (!stat || stat.type !== 'file' || stat.size === 0) continue;
          const item = { image: 'os' as const, path, detail: `${stat.size} bytes of history` };
          (stat.size > HISTORY_FAIL_BYTES ? failed : warned).push(item);
        }
      }
      if (failed.length) return { status: 'failed', message: `shell history over 1 KiB left in ${failed.map((e) => e.path).join(', ')}`, evidence: [...failed, ...warned] };
      if (warned.length) return { status: 'warning', message: `small shell history left in ${warned.map((e) => e.path).join(', ')}`, evidence: warned };
      return { status: 'passed', message: 'no shell history under /root or /home' };
    });
  },
};
