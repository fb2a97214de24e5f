/**
 * `linux.kernel-console`: the boot loader's kernel command line holds `console=ttyS0` (serial
 * console for boot diagnostics); `earlyprintk=ttyS0` and `rootdelay=300` missing is a warning.
 * grub.cfg/BLS entries are what boots; /etc/default/grub is used when they are absent, and a
 * warning when it would drop the console at the next `update-grub`.
 */
import type { Evidence } from '../types.ts';
import { withRoot } from './common.ts';
import { type BootSource, bootLoaderCommandLines, defaultGrubCommandLines, hasArgument, type KernelCommandLine } from './kernel-cmdline.ts';
import type { CheckDefinition } from './types.ts';

function evidenceOf(line: KernelCommandLine, detail: string): Evidence {
  return { image: 'os', path: line.path, line: line.line, detail };
}

export const kernelConsole: CheckDefinition = {
  id: 'linux.kernel-console',
  title: 'The kernel logs to the serial console',
  severity: 'error',
  remediation: 'Add `console=ttyS0 earlyprintk=ttyS0 rootdelay=300` to GRUB_CMDLINE_LINUX in /etc/default/grub (or a file in /etc/default/grub.d), then run `update-grub` (`grub2-mkconfig -o /boot/grub2/grub.cfg`; `grubby --update-kernel=ALL --args=...` on BLS systems).',
  async run(context) {
    return withRoot(context, async (root) => {
      // a separate /boot file system on the OS disk keeps its files at its top
      const sources: BootSource[] = [{ fs: root, bootDir: '/boot' }];
      for (const entry of context.disks[0].disk.fileSystems) {
        if (entry.fs && entry.fs !== root && !context.rootSearch.candidates.includes(entry)) sources.push({ fs: entry.fs, bootDir: '' });
      }
      const bootLines = await bootLoaderCommandLines(sources);
      const defaults = await defaultGrubCommandLines(root);
      const lines = bootLines.length > 0 ? bootLines : defaults;
      if (lines.length === 0) {
        return { status: 'failed', message: 'no kernel command line found (no grub.cfg, BLS entry or /etc/default/grub)', evidence: [{ image: 'os', path: '/boot', detail: 'no boot loader configuration found' }] };
      }
      const combinedDefaults = defaults.map((l) => l.args).join(' ');
      const considered = bootLines.length > 0 ? bootLines : [{ ...defaults[0], args: combinedDefaults }];
      const missingConsole = considered.filter((l) => !hasArgument(l.args, 'console', 'ttyS0'));
      if (missingConsole.length > 0) {
        return {
          status: 'failed',
          message: `${missingConsole.length} kernel command line${missingConsole.length === 1 ? ' lacks' : 's lack'} console=ttyS0 (first: ${missingConsole[0].path}:${missingConsole[0].line})`,
          evidence: missingConsole.slice(0, 20).map((l) => evidenceOf(l, `no console=ttyS0 in: ${l.args}`)),
        };
      }
      const warnings: Evidence[] = [];
      for (const l of considered) {
        const missing = [hasArgument(l.args, 'earlyprintk', 'ttyS0') ? '' : 'earlyprintk=ttyS0', hasArgument(l.args, 'rootdelay', '300') ? '' : 'rootdelay=300'].filter(Boolean);
        if (missing.length) warnings.push(evidenceOf(l, `missing ${missing.join(' and ')}`));
      }
      if (bootLines.length > 0 && defaults.length > 0 && !hasArgument(combinedDefaults, 'console', 'ttyS0')) {
        warnings.push(evidenceOf(defaults[0], 'GRUB_CMDLINE_LINUX lacks console=ttyS0: the next update-grub would drop it from grub.cfg'));
      }
      if (warnings.length > 0) {
        return { status: 'warning', message: `console=ttyS0 is set, but ${warnings.map((w) => w.detail).filter((v, i, a) => a.indexOf(v) === i).join('; ')}`, evidence: warnings.slice(0, 20) };
      }
      return { status: 'passed', message: `console=ttyS0, earlyprintk=ttyS0 and rootdelay=300 on ${considered.length} kernel command line${considered.length === 1 ? '' : 's'} (${[...new Set(considered.map((l) => l.path))].join(', ')})`, evidence: considered.slice(0, 5).map((l) => evidenceOf(l, l.args)) };
    });
  },
};
