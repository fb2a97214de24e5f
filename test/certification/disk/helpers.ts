/** Shared helpers of the disk-layer tests: running tools, image bytes, the readers' problems. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import type { RangeReader } from '../../../src/certification/disk/types.ts';
import type { Localized } from '../../../src/i18n/localized.ts';

export const run = promisify(execFile);
export const MiB = 1024 * 1024;

export async function readerOf(path: string): Promise<RangeReader> {
  return bufferReader(await readFile(path));
}

/** The English of the disk readers' problems (each is a sentence in every language). */
export function english(problems: readonly Localized[]): string[] {
  return problems.map((problem) => problem.en);
}
