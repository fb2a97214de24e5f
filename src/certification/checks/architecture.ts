/** `linux.architecture`: /bin/sh (following the usrmerge symlink) and the ELF binaries in /usr/bin are 64-bit x86-64 or aarch64. */
import { formatNumber } from '../../i18n/format.ts';
import { fixed, type Localized, type Phrase, say } from '../../i18n/localized.ts';
import { withRoot } from './common.ts';
import { describeElf, isAccepted, parseElfIdent } from './elf.ts';
import type { CheckDefinition, FoundEvidence } from './types.ts';
import { inEveryLanguage, MISSING } from './wording.ts';

const NOT_ELF = fixed('/bin/sh is not an ELF binary', '/bin/sh ist keine ELF-Binärdatei');
const shIs: Phrase<[path: string, elf: Localized]> = {
  en: (path, elf) => `/bin/sh${path !== '/bin/sh' ? ` → ${path}` : ''} is ${elf.en}`,
  de: (path, elf) => `/bin/sh${path !== '/bin/sh' ? ` → ${path}` : ''} ist ${elf.de}`,
};
const notAccepted: Phrase<[count: number, first: FoundEvidence]> = {
  en: (n, first) => `${n} system binar${n === 1 ? 'y is' : 'ies are'} not 64-bit x86-64/aarch64 (first: ${first.path} ${inEveryLanguage(first.detail).en})`,
  de: (n, first) => `${formatNumber(n, 'de')} ${n === 1 ? 'Systemprogramm ist' : 'Systemprogramme sind'} nicht 64-Bit x86-64/aarch64 (erstes: ${first.path} ${inEveryLanguage(first.detail).de})`,
};
const NO_ELF = fixed('no ELF binaries found in /bin/sh or /usr/bin', 'keine ELF-Binärdateien in /bin/sh oder /usr/bin gefunden');
const NO_ELF_DETAIL = fixed('no ELF binaries', 'keine ELF-Binärdateien');
const allAccepted: Phrase<[sh: Localized | null, elf: number, sampled: number]> = {
  en: (sh, elf, sampled) => `${sh?.en || '/bin/sh missing'}; ${elf} of ${sampled} sampled /usr/bin files are ELF, all 64-bit x86-64/aarch64`,
  de: (sh, elf, sampled) => `${sh?.de || '/bin/sh fehlt'}; ${formatNumber(elf, 'de')} von ${formatNumber(sampled, 'de')} geprüften Dateien in /usr/bin sind ELF, alle 64-Bit x86-64/aarch64`,
};

/** Enough binaries to tell the system's architecture without reading a whole /usr/bin. */
export const USR_BIN_SAMPLE = 200;

export const architecture: CheckDefinition = {
  id: 'linux.architecture',
  title: fixed('System binaries are 64-bit x86-64 or aarch64', 'Die Systemprogramme sind 64-Bit (x86-64 oder aarch64)'),
  severity: 'error',
  remediation: fixed(
    'Build the image for x86-64 (or aarch64 for Arm offers) with a 64-bit userland; 32-bit systems are not supported.',
    'Erstellen Sie das Image für x86-64 (oder aarch64 für Arm-Angebote) mit einem 64-Bit-Userland; 32-Bit-Systeme werden nicht unterstützt.',
  ),
  async run(context) {
    return withRoot(context, async (root) => {
      const evidence: FoundEvidence[] = [];
      const bad: FoundEvidence[] = [];
      let shDescription: Localized | null = null;
      const shPath = (await root.realpath('/bin/sh').catch(() => null)) ?? '/bin/sh';
      const sh = await root.readFile('/bin/sh', 64).catch(() => null);
      const shIdent = sh ? parseElfIdent(sh) : null;
      if (!sh) bad.push({ image: 'os', path: '/bin/sh', detail: MISSING });
      else if (!shIdent) bad.push({ image: 'os', path: shPath, detail: NOT_ELF });
      else {
        shDescription = say(shIs, shPath, describeElf(shIdent));
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
        return { status: 'failed', message: say(notAccepted, bad.length, bad[0]), evidence: shown };
      }
      if (elfCount === 0 && !shIdent) return { status: 'failed', message: NO_ELF, evidence: [{ image: 'os', path: '/usr/bin', detail: NO_ELF_DETAIL }] };
      return { status: 'passed', message: say(allAccepted, shDescription, elfCount, sampled), evidence };
    });
  },
};
