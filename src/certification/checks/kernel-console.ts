/**
 * `linux.kernel-console`: the boot loader's kernel command line holds `console=ttyS0` (serial
 * console for boot diagnostics); `earlyprintk=ttyS0` missing is a warning, and so is
 * `rootdelay=300` under the `azure` profile only (Azure asks for it; elsewhere it slows every
 * boot by minutes, so it is not asked for).
 * grub.cfg/BLS entries are what boots; /etc/default/grub is used when they are absent, and a
 * warning when it would drop the console at the next `update-grub`.
 */
import { formatNumber } from '../../i18n/format.ts';
import { fixed, type Localized, type Phrase, say, verbatim } from '../../i18n/localized.ts';
import { withRoot } from './common.ts';
import { type BootSource, bootLoaderCommandLines, defaultGrubCommandLines, hasArgument, type KernelCommandLine } from './kernel-cmdline.ts';
import type { CheckDefinition, FoundEvidence } from './types.ts';
import { distinct } from './wording.ts';

function evidenceOf(line: KernelCommandLine, detail: Localized): FoundEvidence & { detail: Localized } {
  return { image: 'os', path: line.path, line: line.line, detail };
}

const NO_COMMAND_LINE = fixed('no kernel command line found (no grub.cfg, BLS entry or /etc/default/grub)', 'keine Kernel-Befehlszeile gefunden (kein grub.cfg, kein BLS-Eintrag und kein /etc/default/grub)');
const NO_BOOT_CONFIG = fixed('no boot loader configuration found', 'keine Bootloader-Konfiguration gefunden');
const consoleMissing: Phrase<[count: number, first: KernelCommandLine]> = {
  en: (n, first) => `${n} kernel command line${n === 1 ? ' lacks' : 's lack'} console=ttyS0 (first: ${first.path}:${first.line})`,
  de: (n, first) => `${n === 1 ? 'einer Kernel-Befehlszeile' : `${formatNumber(n, 'de')} Kernel-Befehlszeilen`} fehlt console=ttyS0 (erste: ${first.path}:${first.line})`,
};
const noConsoleIn: Phrase<[args: string]> = {
  en: (args) => `no console=ttyS0 in: ${args}`,
  de: (args) => `kein console=ttyS0 in: ${args}`,
};
const missingArguments: Phrase<[missing: string[]]> = {
  en: (missing) => `missing ${missing.join(' and ')}`,
  de: (missing) => `es ${missing.length === 1 ? 'fehlt' : 'fehlen'} ${missing.join(' und ')}`,
};
const DEFAULTS_DROP_CONSOLE = fixed(
  'GRUB_CMDLINE_LINUX lacks console=ttyS0: the next update-grub would drop it from grub.cfg',
  'in GRUB_CMDLINE_LINUX fehlt console=ttyS0: Das nächste update-grub würde es aus grub.cfg entfernen',
);
const consoleButWarnings: Phrase<[warnings: Localized[]]> = {
  en: (warnings) => `console=ttyS0 is set, but ${warnings.map((w) => w.en).join('; ')}`,
  de: (warnings) => `console=ttyS0 ist gesetzt, aber ${warnings.map((w) => w.de).join('; ')}`,
};
const allSet: Phrase<[count: number, paths: string[], args: string[]]> = {
  en: (n, paths, args) => `${args.join(', ')} on ${n} kernel command line${n === 1 ? '' : 's'} (${paths.join(', ')})`,
  de: (n, paths, args) => `${args.join(', ')} auf ${formatNumber(n, 'de')} ${n === 1 ? 'Kernel-Befehlszeile' : 'Kernel-Befehlszeilen'} (${paths.join(', ')})`,
};

export const kernelConsole: CheckDefinition = {
  id: 'linux.kernel-console',
  title: fixed('The kernel logs to the serial console', 'Der Kernel schreibt auf die serielle Konsole'),
  severity: 'error',
  remediation: fixed(
    'Add `console=ttyS0 earlyprintk=ttyS0` (and, for Azure, `rootdelay=300`) to GRUB_CMDLINE_LINUX in /etc/default/grub (or a file in /etc/default/grub.d), then run `update-grub` (`grub2-mkconfig -o /boot/grub2/grub.cfg`; `grubby --update-kernel=ALL --args=...` on BLS systems).',
    'Fügen Sie `console=ttyS0 earlyprintk=ttyS0` (und für Azure `rootdelay=300`) zu GRUB_CMDLINE_LINUX in /etc/default/grub (oder in einer Datei unter /etc/default/grub.d) hinzu und führen Sie anschließend `update-grub` aus (`grub2-mkconfig -o /boot/grub2/grub.cfg`; auf BLS-Systemen `grubby --update-kernel=ALL --args=...`).',
  ),
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
        return { status: 'failed', message: NO_COMMAND_LINE, evidence: [{ image: 'os', path: '/boot', detail: NO_BOOT_CONFIG }] };
      }
      const combinedDefaults = defaults.map((l) => l.args).join(' ');
      const considered = bootLines.length > 0 ? bootLines : [{ ...defaults[0], args: combinedDefaults }];
      const missingConsole = considered.filter((l) => !hasArgument(l.args, 'console', 'ttyS0'));
      if (missingConsole.length > 0) {
        return {
          status: 'failed',
          message: say(consoleMissing, missingConsole.length, missingConsole[0]),
          evidence: missingConsole.slice(0, 20).map((l) => evidenceOf(l, say(noConsoleIn, l.args))),
        };
      }
      const warnings: ReturnType<typeof evidenceOf>[] = [];
      const azure = context.config.profile === 'azure';
      for (const l of considered) {
        const missing = [hasArgument(l.args, 'earlyprintk', 'ttyS0') ? '' : 'earlyprintk=ttyS0', !azure || hasArgument(l.args, 'rootdelay', '300') ? '' : 'rootdelay=300'].filter(Boolean);
        if (missing.length) warnings.push(evidenceOf(l, say(missingArguments, missing)));
      }
      if (bootLines.length > 0 && defaults.length > 0 && !hasArgument(combinedDefaults, 'console', 'ttyS0')) {
        warnings.push(evidenceOf(defaults[0], DEFAULTS_DROP_CONSOLE));
      }
      if (warnings.length > 0) {
        return { status: 'warning', message: say(consoleButWarnings, distinct(warnings.map((w) => w.detail))), evidence: warnings.slice(0, 20) };
      }
      return { status: 'passed', message: say(allSet, considered.length, [...new Set(considered.map((l) => l.path))], ['console=ttyS0', 'earlyprintk=ttyS0', ...(azure ? ['rootdelay=300'] : [])]), evidence: considered.slice(0, 5).map((l) => evidenceOf(l, verbatim(l.args))) };
    });
  },
};
