/** `linux.root-partition`: exactly one file system on the OS disk is the Linux root (mounted at `/`). */
import { describeFileSystem } from './root.ts';
import type { CheckDefinition } from './types.ts';

export const rootPartition: CheckDefinition = {
  id: 'linux.root-partition',
  title: 'Exactly one root file system on the OS disk',
  severity: 'error',
  remediation: 'Keep one ext4 root file system (with /etc/os-release) on the OS disk; remove leftover copies of other systems and move data to data disks.',
  async run(context) {
    const { candidates, foundDescription } = context.rootSearch;
    if (candidates.length === 1) return { status: 'passed', message: `the root file system is ${describeFileSystem(candidates[0])}` };
    if (candidates.length === 0) {
      return { status: 'failed', message: `no file system on the OS disk is a Linux root: ${foundDescription}`, evidence: [{ image: 'os', detail: foundDescription }] };
    }
    return {
      status: 'failed',
      message: `${candidates.length} file systems on the OS disk look like a Linux root: ${candidates.map(describeFileSystem).join(', ')}`,
      evidence: candidates.map((c) => ({ image: 'os' as const, path: '/etc/os-release', detail: `root candidate on ${describeFileSystem(c)}` })),
    };
  },
};
