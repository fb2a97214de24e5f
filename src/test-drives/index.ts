/**
 * Customers' test drives (issue 12): the hosting manager (./manager.ts), the rows
 * (./records.ts), the live image (./live-image.ts), the browser console (./console-bridge.ts).
 */
import type { AppContext } from '../app/context.ts';
import type { VmOptions } from '../boot/types.ts';
import { TestDriveManager, type TestDriveManagerOptions, type VmStarter } from './manager.ts';

export { TestDriveManager, type StartTestDriveInput, type TestDriveManagerOptions, type VmStarter } from './manager.ts';

// src/boot/vm.ts is loaded when the first VM boots: a server that hosts no test drive never needs it
const BOOT_RUNNER = '../boot/vm.ts';

/** The boot runner's `startVm`. */
export const startVmWithQemu: VmStarter = async (options: VmOptions) => {
  const runner = (await import(BOOT_RUNNER)) as { startVm: VmStarter };
  return runner.startVm(options);
};

/** The manager of this process, booting with QEMU unless a test hands in its own starter. */
export function createTestDriveManager(ctx: AppContext, options: Partial<TestDriveManagerOptions> = {}): TestDriveManager {
  return new TestDriveManager(ctx, { startVm: startVmWithQemu, settings: { ...ctx.config.boot }, ...options });
}
