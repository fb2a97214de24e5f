/** External programs some tests need: whether they are installed, and the reason to skip without them. */
import { execFileSync } from 'node:child_process';

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
