/** The ELF identification of a binary: class, byte order and machine (enough to tell the architecture). */
import { type Localized, type Phrase, say } from '../../i18n/localized.ts';

export interface ElfIdent {
  bits: 32 | 64;
  machine: number;
  machineName: string;
}

const MACHINES: Record<number, string> = { 3: 'x86 (i386)', 8: 'MIPS', 20: 'PowerPC', 21: 'PowerPC64', 22: 's390', 40: 'ARM (32-bit)', 62: 'x86-64', 183: 'AArch64', 243: 'RISC-V' };

/** x86-64 and aarch64, the architectures a 64-bit cloud image may have. */
export const ACCEPTED_MACHINES = new Set([62, 183]);

/** Null when the bytes are not an ELF header (scripts, data). */
export function parseElfIdent(header: Buffer): ElfIdent | null {
  if (header.length < 20 || header.readUInt32BE(0) !== 0x7f454c46) return null;
  const bits = header[4] === 2 ? 64 : header[4] === 1 ? 32 : null;
  if (bits === null) return null;
  const machine = header[5] === 2 ? header.readUInt16BE(18) : header.readUInt16LE(18);
  return { bits, machine, machineName: MACHINES[machine] ?? `machine ${machine}` };
}

export function isAccepted(ident: ElfIdent): boolean {
  return ident.bits === 64 && ACCEPTED_MACHINES.has(ident.machine);
}

const elfKind: Phrase<[ident: ElfIdent]> = {
  en: (ident) => `ELF ${ident.bits}-bit ${ident.machineName}`,
  de: (ident) => `ELF ${ident.bits}-Bit ${ident.machineName.replace('(32-bit)', '(32-Bit)').replace(/^machine /, 'Maschinentyp ')}`,
};

export function describeElf(ident: ElfIdent): Localized {
  return say(elfKind, ident);
}
