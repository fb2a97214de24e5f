/**
 * `vmarket demo` (`npm start`): `serve`, plus the sample offer published end to end through the
 * API so the storefront shows a live offer; then it keeps serving until Ctrl+C.
 */
import type { Command } from 'commander';
import { parsePort } from '../common.ts';
import { print } from '../output.ts';
import { startServer, serverBanner, waitForShutdown } from '../serve-runtime.ts';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('serve, plus a sample publisher and offer (with a sample image) published end to end, so the storefront shows a live offer')
    .option('--config <file>', 'server configuration, YAML or JSON (default: $VMARKET_CONFIG, else the embedded default)')
    .option('--port <n>', 'listen on this port (0: any free port; default: the config, else 8080)', parsePort)
    .action(async (flags: { config?: string; port?: number }, command: Command) => {
      const { publishSampleOffer, sampleImageDir } = await import('../../demo/run-demo.ts');
      const server = await startServer(
        { config: flags.config, port: flags.port },
        {
          debug: Boolean(command.optsWithGlobals().debug),
          logLevel: 'warn',
          demoPublisher: true,
          adjust: (config) => {
            // the sample image is written here, so the demo's offer may import it
            config.imports = { ...config.imports, allowedDirs: [...config.imports.allowedDirs, sampleImageDir(config.dataDir)] };
            // the sample image is a small generated disk with a Linux tree and no boot loader or
            // kernel: booting it could only fail boot.start (certify real images with `vmarket certify IMAGE --boot`)
            config.certification = { ...config.certification, boot: 'off' };
          },
        },
      );
      print(...serverBanner(server).slice(0, -1), 'Boot validation is off in the demo: the sample image has no boot loader (certification.boot: off).', '');
      const stop = new AbortController();
      const abort = () => stop.abort();
      process.once('SIGINT', abort);
      process.once('SIGTERM', abort);
      try {
        const result = await publishSampleOffer({ server, onLine: (line) => print(line), signal: stop.signal });
        process.removeListener('SIGINT', abort);
        process.removeListener('SIGTERM', abort);
        const base = server.publicUrl;
        print(
          '',
          `${result.outcome === 'published' ? 'The sample offer is live' : 'The sample offer is live (nothing changed)'}: ${result.publisher}/${result.offerId}`,
          `  storefront             ${base}/`,
          `  API                    ${base}/api/v1`,
          `  demo publisher token   ${server.demoToken}`,
          `Try: VMARKET_URL=${base} VMARKET_TOKEN=${server.demoToken} npx vmarket status ${result.offerId}`,
          'Press Ctrl+C to stop.',
        );
      } catch (error) {
        process.removeListener('SIGINT', abort);
        process.removeListener('SIGTERM', abort);
        await server.close();
        if (stop.signal.aborted) return;
        throw error;
      }
      await waitForShutdown(server);
    });
}
