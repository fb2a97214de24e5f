/**
 * What a console line says about a boot, from what Linux, systemd, cloud-init, GRUB and the
 * firmware really print (seen on Debian 12's cloud kernel under QEMU; the patterns are loose
 * enough for the other distributions' wording of the same events).
 */

export type MarkerKind =
  | 'kernel' // the kernel started
  | 'user-space' // init runs: the kernel reached user space
  | 'panic'
  | 'failed-unit'
  | 'cloud-init-error'
  | 'cloud-init-warning'
  | 'cloud-init-finished'
  | 'login-prompt'
  | 'boot-loader-error';

export interface Marker {
  kind: MarkerKind;
  line: string;
  /** A systemd unit's name (`failed-unit`). */
  unit?: string;
}

const RULES: { kind: MarkerKind; pattern: RegExp; unit?: (m: RegExpMatchArray) => string }[] = [
  { kind: 'panic', pattern: /Kernel panic - not syncing:/ },
  { kind: 'kernel', pattern: /(?:^|\] )Linux version \d|Booting Linux on physical CPU|Decompressing Linux/ },
  // systemd names the unit: "[FAILED] Failed to start ssh.service - OpenBSD Secure Shell server."
  { kind: 'failed-unit', pattern: /\[FAILED\] Failed to start (\S+?)(?: - |\.?$)/, unit: (m) => m[1] },
  { kind: 'failed-unit', pattern: /systemd\[1\]: (\S+\.(?:service|mount|socket|target)): Failed with result/, unit: (m) => m[1] },
  { kind: 'cloud-init-finished', pattern: /Cloud-init v\. \S+ finished at/ },
  { kind: 'cloud-init-error', pattern: /cloud-init\[\d+\]: .*(?:\[(?:ERROR|CRITICAL)\]|Traceback)/ },
  // cloud-init warns of much that is harmless ("ifup: interface … already configured"): evidence, not a failure
  { kind: 'cloud-init-warning', pattern: /cloud-init\[\d+\]: .*\[WARNING\]/ },
  {
    kind: 'user-space',
    pattern: /Run \/\S*init as init process|systemd\[1\]: |Welcome to (?!GRUB).*!|INIT: version|Cloud-init v\. \S+ running|^\s*\[\s*OK\s*\] /,
  },
  { kind: 'login-prompt', pattern: /\blogin: ?$/ },
  { kind: 'boot-loader-error', pattern: /^error: .+|grub rescue>|Boot failed: |No bootable device/ },
];

/** The markers of one console line; most lines have none. */
export function markersOf(line: string): Marker[] {
  const found: Marker[] = [];
  for (const rule of RULES) {
    const match = line.match(rule.pattern);
    if (!match) continue;
    if (found.some((m) => m.kind === rule.kind)) continue;
    found.push({ kind: rule.kind, line: line.trim(), ...(rule.unit ? { unit: rule.unit(match) } : {}) });
  }
  return found;
}
