/** `linux.shell-history`: no shell history left under /root or /home/* (over 1 KiB fails, non-empty is a warning). */
import { formatNumber } from '../../i18n/format.ts';
import { fixed, type Phrase, say } from '../../i18n/localized.ts';
import { withRoot } from './common.ts';
import { homeDirectories } from './guest-files.ts';
import type { CheckDefinition, FoundEvidence } from './types.ts';

const historyBytes: Phrase<[bytes: number]> = {
  en: (bytes) => `${bytes} bytes of history`,
  de: (bytes) => `${formatNumber(bytes, 'de')} Byte Verlauf`,
};
const largeHistory: Phrase<[paths: string[]]> = {
  en: (paths) => `shell history over 1 KiB left in ${paths.join(', ')}`,
  de: (paths) => `zurückgelassener Shell-Verlauf über 1 KiB in ${paths.join(', ')}`,
};
const smallHistory: Phrase<[paths: string[]]> = {
  en: (paths) => `small shell history left in ${paths.join(', ')}`,
  de: (paths) => `kleiner zurückgelassener Shell-Verlauf in ${paths.join(', ')}`,
};
const NO_HISTORY = fixed('no shell history under /root or /home', 'kein Shell-Verlauf unter /root oder /home');

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
  title: fixed('No shell history left in home directories', 'Kein Shell-Verlauf in den Home-Verzeichnissen'),
  severity: 'error',
  remediation: fixed(
    'Delete the history files before capturing the image (`rm -f /root/.bash_history /home/*/.bash_history; history -c`), and capture with history disabled (`unset HISTFILE`).',
    'Löschen Sie die Verlaufsdateien, bevor Sie das Image erfassen (`rm -f /root/.bash_history /home/*/.bash_history; history -c`), und erfassen Sie es mit deaktiviertem Verlauf (`unset HISTFILE`).',
  ),
  async run(context) {
    return withRoot(context, async (root) => {
      const failed: FoundEvidence[] = [];
      const warned: FoundEvidence[] = [];
      for (const home of await homeDirectories(root)) {
        for (const name of HISTORY_FILES) {
          const path = `${home}/${name}`;
          const stat = await root.lstat(path).catch(() => null);
          if (!stat || stat.type !== 'file' || stat.size === 0) continue;
          const item = { image: 'os' as const, path, detail: say(historyBytes, stat.size) };
          (stat.size > HISTORY_FAIL_BYTES ? failed : warned).push(item);
        }
      }
      if (failed.length) return { status: 'failed', message: say(largeHistory, failed.map((e) => e.path ?? '')), evidence: [...failed, ...warned] };
      if (warned.length) return { status: 'warning', message: say(smallHistory, warned.map((e) => e.path ?? '')), evidence: warned };
      return { status: 'passed', message: NO_HISTORY };
    });
  },
};
