/**
 * `qemu-img convert` as provisioning runs it: finding the program, the arguments for each
 * delivery format, the progress it prints with `-p`, and a cancel that kills the child and
 * removes its partial output. The source format is always passed explicitly: qemu-img's
 * probing would let a raw image that happens to start with another format's magic be read as
 * that format (and a qcow2 header may name a backing file), so the format certification
 * established is the only one ever used.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { findProgram } from '../util/find-program.ts';
import type { DeliveryTarget } from '../contracts/catalog.ts';
import { VmarketError } from '../errors.ts';
import { type Phrase, say } from '../i18n/localized.ts';

/** The program and the Debian package that holds it, as the error and the startup warning name them. */
export const QEMU_IMG = 'qemu-img';
export const QEMU_IMG_PACKAGE = 'qemu-utils';

const toolMissing: Phrase<[string]> = {
  en: (where) =>
    `Converting disk images needs ${QEMU_IMG}, which is not installed (${where}); install the Debian package ${QEMU_IMG_PACKAGE} (apt-get install ${QEMU_IMG_PACKAGE}) or set conversion.qemuImg.`,
  de: (where) =>
    `Zum Umwandeln von Festplatten-Images wird ${QEMU_IMG} benötigt, das nicht installiert ist (${where}); installieren Sie das Debian-Paket ${QEMU_IMG_PACKAGE} (apt-get install ${QEMU_IMG_PACKAGE}) oder setzen Sie conversion.qemuImg.`,
};
const notConvertible: Phrase<[string]> = {
  en: (format) => `A ${format} image cannot be converted: qemu-img is only ever given a format certification read (raw, qcow2, vmdk, vhdx, vhd-fixed, vhd-dynamic).`,
  de: (format) => `Ein ${format}-Image kann nicht umgewandelt werden: qemu-img bekommt nur ein Format, das die Zertifizierung gelesen hat (raw, qcow2, vmdk, vhdx, vhd-fixed, vhd-dynamic).`,
};
const convertFailed: Phrase<[string, string, string]> = {
  en: (from, to, why) => `qemu-img could not convert the ${from} image to ${to}: ${why}`,
  de: (from, to, why) => `qemu-img konnte das ${from}-Image nicht nach ${to} umwandeln: ${why}`,
};

/**
 * The qemu-img to run: `configured` (conversion.qemuImg) when given, a bare name looked up in
 * `searchPath` like a shell does; null when there is none.
 */
export function findQemuImg(configured: string | undefined, searchPath: string | undefined): string | null {
  return findProgram(QEMU_IMG, configured, searchPath);
}

/** The qemu-img to run, or TOOL_MISSING naming the program and its Debian package. */
export function requireQemuImg(configured: string | undefined, searchPath: string | undefined): string {
  const found = findQemuImg(configured, searchPath);
  if (found) return found;
  throw new VmarketError('TOOL_MISSING', say(toolMissing, configured ? `conversion.qemuImg ${configured}` : `not on PATH`));
}

/** QEMU's driver name for each source format certification reads (`vpc` is VHD, both kinds). */
export const QEMU_SOURCE_DRIVERS: Readonly<Record<string, string>> = {
  raw: 'raw',
  qcow2: 'qcow2',
  vmdk: 'vmdk',
  vhdx: 'vhdx',
  'vhd-fixed': 'vpc',
  'vhd-dynamic': 'vpc',
};

/**
 * How qemu-img is told to read the source: a `json:` description naming the driver and the file,
 * so nothing about the source is left to qemu-img to guess.
 * - `backing: null` for the formats that can name a backing file (qcow2, VMDK): qemu-img never
 *   opens another file, whatever the header says (certification refuses such images anyway;
 *   this makes sure a converter never reads a server file a publisher named).
 * - a VHD with `force_size_calc: current_size`: by default QEMU sizes a VHD from its CHS geometry
 *   unless the footer names one of a few creator applications, which for other VHDs gives a
 *   smaller virtual disk than the footer's current size certification read.
 */
function sourceArguments(driver: string, input: string): string[] {
  const description: Record<string, unknown> = { driver, file: { driver: 'file', filename: input } };
  if (driver === 'qcow2' || driver === 'vmdk') description.backing = null;
  if (driver === 'vpc') description.force_size_calc = 'current_size';
  return [`json:${JSON.stringify(description)}`];
}

/**
 * What each delivery format is written as. VMDK is streamOptimized (the subformat clouds import);
 * a fixed VHD keeps the exact virtual size (`force_size`: without it qemu-img rounds the size to
 * its CHS geometry, and the virtual disk would no longer be the certified one).
 */
const QEMU_TARGET_OPTIONS: Record<DeliveryTarget, string[]> = {
  raw: ['-O', 'raw'],
  qcow2: ['-O', 'qcow2'],
  vmdk: ['-O', 'vmdk', '-o', 'subformat=streamOptimized'],
  'vhd-fixed': ['-O', 'vpc', '-o', 'subformat=fixed,force_size=on'],
  vhdx: ['-O', 'vhdx'],
};

/** The arguments of `qemu-img convert` from `sourceFormat` (vmarket's name) to `target`. */
export function convertArguments(sourceFormat: string, target: DeliveryTarget, input: string, output: string): string[] {
  const driver = Object.hasOwn(QEMU_SOURCE_DRIVERS, sourceFormat) ? QEMU_SOURCE_DRIVERS[sourceFormat] : undefined;
  if (!driver) throw new VmarketError('IMAGE_UNSUPPORTED', say(notConvertible, sourceFormat));
  return ['convert', '-p', ...sourceArguments(driver, input), ...QEMU_TARGET_OPTIONS[target], output];
}

/**
 * The last percentage in a piece of qemu-img's `-p` output (`    (12.34/100%)\r`), as a
 * fraction 0..1; undefined when the piece holds none. qemu-img rewrites one line with carriage
 * returns, so a read may hold several updates, or half of one (the caller keeps the tail).
 */
export function lastProgress(text: string): number | undefined {
  let last: number | undefined;
  for (const match of text.matchAll(/\((\d{1,3}(?:\.\d+)?)\/100%\)/g)) last = Math.min(1, Number(match[1]) / 100);
  return last;
}

export interface ConvertOptions {
  qemuImg: string;
  sourceFormat: string;
  target: DeliveryTarget;
  input: string;
  output: string;
  /** Kills qemu-img and removes the partial output; rejects with CANCELED. */
  signal?: AbortSignal;
  /** Fraction done, 0..1, as qemu-img reports it. */
  onProgress?: (fraction: number) => void;
}

/** What of qemu-img's output is kept for an error message (its last lines say what went wrong). */
const STDERR_KEPT = 4096;

/** Runs the conversion to its end. On failure or cancel nothing is left at `output`. */
export async function convertWithQemuImg(options: ConvertOptions): Promise<void> {
  const args = convertArguments(options.sourceFormat, options.target, options.input, options.output);
  if (options.signal?.aborted) throw new VmarketError('CANCELED', 'The conversion was canceled.');
  const child = spawn(options.qemuImg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let tail = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const text = tail + chunk;
    // keep an unfinished "(12.3" for the next read
    tail = text.slice(Math.max(0, text.lastIndexOf('(')));
    const fraction = lastProgress(text);
    if (fraction !== undefined) options.onProgress?.(fraction);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
  });
  const abort = () => child.kill('SIGKILL');
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    const exit = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
      child.once('error', (error) => resolve({ code: null, error }));
      child.once('close', (code) => resolve({ code }));
    });
    if (options.signal?.aborted) throw new VmarketError('CANCELED', 'The conversion was canceled.');
    if (exit.error) throw new VmarketError('TOOL_MISSING', say(toolMissing, `${options.qemuImg}: ${exit.error.message}`), { cause: exit.error });
    if (exit.code !== 0) {
      const why = stderr.trim().split('\n').slice(-3).join(' ') || `exit status ${exit.code}`;
      throw new VmarketError('IMAGE_UNSUPPORTED', say(convertFailed, options.sourceFormat, options.target, why));
    }
  } catch (error) {
    await rm(options.output, { force: true });
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}
