/**
 * Whether a test-drive VM started under KVM is really running. Where KVM is nested inside another
 * VM, a guest kernel can stop early (here: right after "Memory: …", silent from then on) while
 * QEMU runs on. Under KVM a kernel reaches user space within seconds, so a console that goes
 * silent before it did is taken as KVM failing this machine: the caller boots the VM again under
 * software emulation and marks KVM broken for this process (src/boot/qemu.ts `markKvmBroken`),
 * as certification boots do.
 */
import type { RunningVm } from '../boot/types.ts';
import { canceledError } from '../util/abort.ts';

/**
 * Lines that say the kernel handed over to init: KVM ran a kernel through its start. (GRUB's
 * "Welcome to GRUB!" comes before the kernel, so systemd's welcome is matched without it.)
 */
const USER_SPACE = /Run \/sbin\/init|Freeing unused kernel|systemd\[1\]|Welcome to (?!GRUB)|login: ?$/i;

export type KvmVerdict = 'running' | 'hung' | 'exited';

/**
 * Watches `vm` until its console shows user space (`running`), stays silent for `silenceMs`
 * before that (`hung`), or QEMU exits (`exited`). Rejects with CANCELED when `signal` aborts.
 */
export async function kvmTrial(vm: RunningVm, silenceMs: number, signal?: AbortSignal): Promise<KvmVerdict> {
  let last = Date.now();
  const unsubscribe = vm.console.onData(() => (last = Date.now()));
  let exited = false;
  void vm.exited.then(() => (exited = true));
  try {
    for (;;) {
      if (signal?.aborted) throw canceledError('The boot');
      if (vm.console.lines().some((line) => USER_SPACE.test(line)) || USER_SPACE.test(vm.console.currentLine())) return 'running';
      if (exited) return 'exited';
      if (Date.now() - last > silenceMs) return 'hung';
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, silenceMs / 4)));
    }
  } finally {
    unsubscribe();
  }
}
