/** `linux.architecture`: /bin/sh (following the usrmerge symlink) and the ELF binaries in /usr/bin are 64-bit x86-64 or aarch64. */
import type { Evidence } from '../types.ts';
import { withRoot } from './common.ts';
import { describeElf, isAccepted, parseElfIdent } from './elf.ts';
import type { CheckDefinition } from './types.ts';

/** Enough binaries to tell the system's architecture without reading a whole /usr/bin. */
export const USR_BIN_SAMPLE = 200;

export const architecture: CheckDefinition = {
  id: 'linux.architecture',
  title: 'System binaries are 64-bit x86-64 or aarch64',
  severity: 'error',
  remediation: 'Build the image for x86-64 (or aarch64 for Arm offers) with a 64-bit userland; 32-bit systems are not supported.',
  async run(context) {
    return withRoot(context, async (root) => {
      const evidence: Evidence[] = [];
      const bad: Evidence[] = [];
      let shDescription = '';
      const shPath = (await root.realpath('/bin/sh').catch(() => null)) ?? '/bin/sh';
      const sh = await root.readFile('/bin/sh', 64).catch(() => null);
      const shIdent = sh ? parseElfIdent(sh) : null;
      if (!sh) bad.push({ image: 'os', path: '/bin/sh', detail: 'missing' });
      else if (!shIdent) bad.push({ image: 'os', path: shPath, detail: '/bin/sh is not an ELF binary' });
      else {
        shDescription = `/bin/sh${shPath !== '/bin/sh' ? ` → ${shPath}` : ''} is ${describeElf(shIdent)}`;
        const item = { image: 'os' as const, path: shPath, detail: describeElf(shIdent) };
        (isAccepted(shIdent) ? evidence : bad).push(item);
      }
      let sampled = 0;
      let elfCount = 0;
      const names = (await root.readdir('/usr/bin').catch(() => [])).filter((e) => e.type === 'file').map((e) => e.name).sort();
      for (const name of names.slice(0, USR_BIN_SAMPLE)) {
        const path = `/usr/bin/${name}`;
        const header = await root.readFile(path, 64).catch(() => null);
        sampled++;
        const ident = header ? parseElfIdent(header) : null;
        if (!ident) continue;
        elfCount++;
        if (!isAccepted(ident)) bad.push({ image: 'os', path, detail: describeElf(ident) });
      }
      if (bad.length > 0) {
        const shown = bad.slice(0, 20);
        return { status: 'failed', message: `${bad.length} system binar${bad.length === 1 ? 'y is' : 'ies are'} not 64-bit x86-64/aarch64 (first: ${bad[0].path} ${bad[0].detail})`, evidence: shown };
      }
      if (elfCount === 0 && !shIdent) return { status: 'failed', message: 'no ELF binaries found in /bin/sh or /usr/bin', evidence: [{ image: 'os', path: '/usr/bin', detail: 'no ELF binaries' }] };
      return { status: 'passed', message: `${shDescription || '/bin/sh missing'}; ${elfCount} of ${sampled} sampled /usr/bin files are ELF, all 64-bit x86-64/aarch64`, evidence };
    });
  },
};
