/**
 * Customers' test drives (issue 12): the hosting manager (./manager.ts), the rows
 * (./records.ts), the live image (./live-image.ts), the browser console (./console-bridge.ts).
 */
import type { AppContext } from '../app/context.ts';
import { bootSettings, startVm } from '../boot/vm.ts';
import { TestDriveManager, type TestDriveManagerOptions } from './manager.ts';

export { TestDriveManager, type StartTestDriveInput, type TestDriveManagerOptions, type VmStarter } from './manager.ts';

/** The manager of this process, booting with QEMU (src/boot/vm.ts) unless a test hands in its own starter. */
export function createTestDriveManager(ctx: AppContext, options: Partial<TestDriveManagerOptions> = {}): TestDriveManager {
  return new TestDriveManager(ctx, { startVm, settings: bootSettings(ctx.config.boot), ...options });
}
