/** `linux.swap`: no swap entry in /etc/fstab and no swap partition on the OS disk (the platform provides swap on the resource disk). */
import type { Evidence } from '../types.ts';
import { fstabEntries } from './root.ts';
import type { CheckDefinition } from './types.ts';

export const swap: CheckDefinition = {
  id: 'linux.swap',
  title: 'No swap on the OS disk',
  severity: 'error',
  remediation: 'Remove swap entries from /etc/fstab and the swap partition from the OS disk; configure swap on the resource disk through cloud-init or waagent (ResourceDisk.EnableSwap) instead.',
  async run(context) {
    const evidence: Evidence[] = [];
    const os = context.disks[0].disk;
    for (const p of os.table.partitions) {
      if (/swap/i.test(p.typeName)) evidence.push({ image: 'os', detail: `partition ${p.number} has the swap partition type (${p.typeName})` });
    }
    for (const f of os.fileSystems) {
      if (f.kind === 'swap' && !evidence.some((e) => f.partition && e.detail.startsWith(`partition ${f.partition.number} `))) {
        evidence.push({ image: 'os', detail: `${f.partition ? `partition ${f.partition.number}` : 'the whole disk'} holds a swap signature` });
      }
    }
    const root = context.rootSearch.root;
    if (root) {
      for (const entry of await fstabEntries(root)) {
        if (entry.type === 'swap') evidence.push({ image: 'os', path: '/etc/fstab', line: entry.line, detail: `swap entry: ${entry.text}` });
      }
    }
    if (evidence.length > 0) return { status: 'failed', message: `swap is configured on the OS disk: ${evidence.map((e) => e.detail).join('; ')}`, evidence };
    return { status: 'passed', message: root ? 'no swap partition and no swap entry in /etc/fstab' : 'no swap partition (no Linux root to read /etc/fstab from)' };
  },
};
