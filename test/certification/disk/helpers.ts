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

/** Each fuzz case's budget: a reader that loops or stalls on a mutated image fails with the case's label. */
export const FUZZ_TIME_LIMIT_MS = 5000;

/** `promise`, or a rejection naming `label` when it has no result within FUZZ_TIME_LIMIT_MS. */
export async function withinTimeLimit<T>(promise: Promise<T>, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: no result within ${FUZZ_TIME_LIMIT_MS} ms`)), FUZZ_TIME_LIMIT_MS);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}
