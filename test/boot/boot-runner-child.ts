/** A runner process for boot.test.ts to SIGKILL mid-boot: boots argv[2] with VM directories under argv[3]. */
import { bootImage } from '../../src/boot/boot-check.ts';
import { bootSettings } from '../../src/boot/vm.ts';
import { configSchema } from '../../src/config/schema.ts';

const [image, runtimeDir] = process.argv.slice(2);
await bootImage({ image, runtimeDir, settings: { ...bootSettings(configSchema.parse({}).boot), accelerator: 'tcg' } });
