/** `linux.swap`: no swap entry in /etc/fstab and no swap partition or swap logical volume on the OS disk (the platform provides swap on the resource disk). */
import { fixed, join, type Localized, type Phrase, say } from '../../i18n/localized.ts';
import { diskPlace, fstabEntries, placeOf } from './root.ts';
import type { CheckDefinition, FoundEvidence } from './types.ts';

const swapPartitionType: Phrase<[partition: number, typeName: string]> = {
  en: (n, typeName) => `partition ${n} has the swap partition type (${typeName})`,
  de: (n, typeName) => `Partition ${n} hat den Swap-Partitionstyp (${typeName})`,
};
const swapSignature: Phrase<[place: Localized]> = {
  en: (place) => `${place.en} holds a swap signature`,
  de: (place) => `${place.de} enthält eine Swap-Signatur`,
};
const swapEntry: Phrase<[line: string]> = {
  en: (line) => `swap entry: ${line}`,
  de: (line) => `Swap-Eintrag: ${line}`,
};
const swapConfigured: Phrase<[details: Localized]> = {
  en: (details) => `swap is configured on the OS disk: ${details.en}`,
  de: (details) => `auf dem Betriebssystemdatenträger ist Swap eingerichtet: ${details.de}`,
};
const NO_SWAP = fixed('no swap partition and no swap entry in /etc/fstab', 'keine Swap-Partition und kein Swap-Eintrag in /etc/fstab');
const NO_SWAP_PARTITION = fixed('no swap partition (no Linux root to read /etc/fstab from)', 'keine Swap-Partition (kein Linux-Root, aus dem /etc/fstab gelesen werden könnte)');

export const swap: CheckDefinition = {
  id: 'linux.swap',
  title: fixed('No swap on the OS disk', 'Kein Swap auf dem Betriebssystemdatenträger'),
  severity: 'error',
  remediation: fixed(
    'Remove swap entries from /etc/fstab and the swap partition from the OS disk; configure swap on the resource disk through cloud-init or waagent (ResourceDisk.EnableSwap) instead.',
    'Entfernen Sie die Swap-Einträge aus /etc/fstab und die Swap-Partition vom Betriebssystemdatenträger; richten Sie Swap stattdessen über cloud-init oder waagent (ResourceDisk.EnableSwap) auf dem Ressourcendatenträger ein.',
  ),
  async run(context) {
    const evidence: (FoundEvidence & { detail: Localized })[] = [];
    const os = context.disks[0].disk;
    const typed = new Set<number>();
    for (const p of os.table.partitions) {
      if (/swap/i.test(p.typeName)) {
        typed.add(p.number);
        evidence.push({ image: 'os', detail: say(swapPartitionType, p.number, p.typeName) });
      }
    }
    for (const f of os.fileSystems) {
      // a partition already reported by its type is not reported again for its signature
      if (f.kind === 'swap' && !(f.partition && typed.has(f.partition.number))) {
        evidence.push({ image: 'os', detail: say(swapSignature, say(diskPlace, placeOf(f))) });
      }
    }
    const root = context.rootSearch.root;
    if (root) {
      for (const entry of await fstabEntries(root)) {
        if (entry.type === 'swap') evidence.push({ image: 'os', path: '/etc/fstab', line: entry.line, detail: say(swapEntry, entry.text) });
      }
    }
    if (evidence.length > 0) return { status: 'failed', message: say(swapConfigured, join(evidence.map((e) => e.detail), '; ')), evidence };
    return { status: 'passed', message: root ? NO_SWAP : NO_SWAP_PARTITION };
  },
};
