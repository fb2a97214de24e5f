/**
 * The kernel command lines a Linux image boots with, from where its boot loader keeps them:
 * the `linux`/`linux16`/`linuxefi` lines of grub.cfg, Boot Loader Specification entries
 * (`options`, with `$kernelopts` from grubenv as on RHEL 8), and — as what the next
 * `update-grub` writes — the `GRUB_CMDLINE_LINUX*` values of /etc/default/grub(.d).
 */
import type { GuestFs } from '../fs/types.ts';
import { listDir, numberedLines, readText } from './guest-files.ts';

export interface KernelCommandLine {
  /** Guest path of the file holding it (on the file system named by `fsLabel`). */
  path: string;
  line: number;
  args: string;
  source: 'grub.cfg' | 'bls' | 'default-grub';
}

/** Boot files are on the root's /boot or on a separate /boot file system (then at its top). */
export interface BootSource {
  fs: GuestFs;
  /** `/boot` on the root file system, `` on a separate boot file system. */
  bootDir: string;
}

const GRUB_LINUX = /^\s*(linux|linux16|linuxefi)\s+\S+(.*)$/;

function unquote(value: string): string {
  const v = value.trim();
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) return v.slice(1, -1);
  return v;
}

/** Command lines the boot loader uses (grub.cfg and BLS entries). */
export async function bootLoaderCommandLines(sources: BootSource[]): Promise<KernelCommandLine[]> {
  const lines: KernelCommandLine[] = [];
  for (const { fs, bootDir } of sources) {
    for (const dir of [`${bootDir}/grub`, `${bootDir}/grub2`]) {
      const file = `${dir}/grub.cfg`;
      const text = await readText(fs, file);
      if (text === null) continue;
      for (const { line, text: raw } of numberedLines(text)) {
        const match = GRUB_LINUX.exec(raw);
        if (match) lines.push({ path: file, line, args: match[2].trim(), source: 'grub.cfg' });
      }
    }
    const entries = `${bootDir}/loader/entries`;
    let kernelopts: string | null = null;
    for (const env of [`${bootDir}/grub2/grubenv`, `${bootDir}/grub/grubenv`]) {
      const text = await readText(fs, env);
      const value = text ? /^kernelopts=(.*)$/m.exec(text)?.[1] : undefined;
      if (value !== undefined) kernelopts = value;
    }
    for (const name of await listDir(fs, entries)) {
      if (!name.endsWith('.conf')) continue;
      const file = `${entries}/${name}`;
      const text = await readText(fs, file);
      if (text === null) continue;
      for (const { line, text: raw } of numberedLines(text)) {
        const match = /^\s*options\s+(.*)$/.exec(raw);
        if (!match) continue;
        const args = kernelopts === null ? match[1] : match[1].replace(/\$kernelopts\b|\$\{kernelopts\}/g, kernelopts);
        lines.push({ path: file, line, args: args.trim(), source: 'bls' });
      }
    }
  }
  return lines;
}

/** `GRUB_CMDLINE_LINUX` and `GRUB_CMDLINE_LINUX_DEFAULT` of /etc/default/grub and /etc/default/grub.d/*.cfg, in the order grub-mkconfig sources them. */
export async function defaultGrubCommandLines(fs: GuestFs): Promise<KernelCommandLine[]> {
  const files = ['/etc/default/grub', ...(await listDir(fs, '/etc/default/grub.d')).filter((n) => n.endsWith('.cfg')).map((n) => `/etc/default/grub.d/${n}`)];
  const lines: KernelCommandLine[] = [];
  for (const file of files) {
    const text = await readText(fs, file);
    if (text === null) continue;
    for (const { line, text: raw } of numberedLines(text)) {
      const match = /^\s*(?:export\s+)?GRUB_CMDLINE_LINUX(?:_DEFAULT)?=(.*)$/.exec(raw);
      if (match) lines.push({ path: file, line, args: unquote(match[1]), source: 'default-grub' });
    }
  }
  return lines;
}

/** Whether the arguments hold `name=value` (or `name=value,options` such as `console=ttyS0,115200n8`). */
export function hasArgument(args: string, name: string, value: string): boolean {
  return args.split(/\s+/).some((arg) => arg === `${name}=${value}` || arg.startsWith(`${name}=${value},`));
}
