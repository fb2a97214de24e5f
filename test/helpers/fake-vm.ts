/**
 * A stand-in for QEMU in the test-drive tests that are about limits, expiry and the routes, not
 * booting: a "VM" that records what it was started with, has a console whose text tests write,
 * and reports being stopped. The real boot is test/web/test-drive.test.ts's.
 */
import { randomUUID } from 'node:crypto';
import type { RunningVm, VmExit, VmOptions } from '../../src/boot/types.ts';
import type { VmStarter } from '../../src/test-drives/index.ts';

export interface FakeVm extends RunningVm {
  options: VmOptions;
  stopped: boolean;
  /** What the console received (keystrokes). */
  input: string[];
  /** The guest writes `text` to its console. */
  print(text: string): void;
  /** The guest powers off by itself. */
  powerOff(): void;
}

export interface FakeVms {
  start: VmStarter;
  started: FakeVm[];
  /** The next starts fail with this error (until cleared). */
  failWith?: Error;
  /** The accelerator a start reports (default `tcg`), as QEMU's `auto` would choose it. */
  accelerator?: (options: VmOptions) => 'kvm' | 'tcg';
  /** Called with each VM started, e.g. to have its guest write to the console. */
  onStart?: (vm: FakeVm) => void;
  running(): FakeVm[];
}

export function fakeVms(): FakeVms {
  const fakes: FakeVms = {
    started: [],
    running: () => fakes.started.filter((vm) => !vm.stopped),
    async start(options) {
      if (fakes.failWith) throw fakes.failWith;
      let text = '';
      const listeners = new Set<(chunk: Buffer) => void>();
      let resolveExit!: (exit: VmExit) => void;
      const exited = new Promise<VmExit>((resolve) => (resolveExit = resolve));
      const vm: FakeVm = {
        id: randomUUID(),
        pid: 0,
        accelerator: fakes.accelerator?.(options) ?? 'tcg',
        firmware: 'bios',
        architecture: 'x86_64',
        forwards: new Map([[22, 2222]]),
        options,
        stopped: false,
        input: [],
        console: {
          text: () => text,
          onData(listener) {
            listeners.add(listener);
            return () => listeners.delete(listener);
          },
          lines: () => text.split(/\r?\n/).slice(0, -1),
          onLine: () => () => {},
          currentLine: () => text.split(/\r?\n/).at(-1) ?? '',
          write(data) {
            vm.input.push(data.toString());
          },
        },
        seedRequests: async () => [],
        stderr: () => '',
        firmwareLog: async () => '',
        exited,
        print(more) {
          text += more;
          for (const l of listeners) l(Buffer.from(more));
        },
        powerOff() {
          vm.stopped = true;
          resolveExit({ code: 0, signal: null, stopped: false });
        },
        async stop() {
          if (!vm.stopped) resolveExit({ code: null, signal: 'SIGTERM', stopped: true });
          vm.stopped = true;
        },
      };
      fakes.started.push(vm);
      fakes.onStart?.(vm);
      return vm;
    },
  };
  return fakes;
}
