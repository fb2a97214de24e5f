/** Shared helpers of the disk-layer tests: a scratch directory, external tools, image bytes. */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { promisify } from 'node:util';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import type { RangeReader } from '../../../src/certification/disk/types.ts';
import type { Localized } from '../../../src/i18n/localized.ts';

export const run = promisify(execFile);
export const MiB = 1024 * 1024;

export function hasTool(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The reason to skip a test without `command`, said in one line, or false. */
export function needs(command: string): string | false {
  return hasTool(command) ? false : `${command} is not installed`;
}

/** A scratch directory for one test file, removed when its suite ends. Call at suite level. */
export function scratchDir(): () => string {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vmarket-disk-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));
  return () => dir;
}

export async function readerOf(path: string): Promise<RangeReader> {
  return bufferReader(await readFile(path));
}

/** The English of the disk readers' problems (each is a sentence in every language). */
export function english(problems: readonly Localized[]): string[] {
  return problems.map((problem) => problem.en);
}
