/** `npm run build:web`: builds the web app now (the server also does it on start when stale). */
import { ensureWebBuilt } from '../src/server/web-build.ts';

const force = process.argv.includes('--force');
const result = await ensureWebBuilt({ force });
process.stdout.write(result.built ? `web app built in ${Math.round(result.durationMs)} ms: ${result.distDir}\n` : `web app is current: ${result.distDir}\n`);
