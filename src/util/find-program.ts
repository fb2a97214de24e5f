/** Finding an external program the way a shell does, once, synchronously (config loading asks at startup). */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * `configured` when given (a path, or a bare name looked up in `searchPath`), else `name` looked
 * up in `searchPath`; the absolute path, or null when there is none.
 */
export function findProgram(name: string, configured: string | undefined, searchPath: string | undefined = process.env.PATH): string | null {
  const program = configured ?? name;
  if (program.includes('/')) return isExecutable(program) ? path.resolve(program) : null;
  for (const dir of (searchPath ?? '').split(':')) {
    if (dir === '') continue;
    const candidate = path.join(dir, program);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}
