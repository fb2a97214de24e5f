/**
 * `vmarket serve`: the API, portal, storefront and (unless --no-workers) the pipeline workers in
 * one process, until SIGINT or SIGTERM, then a graceful close.
 */
import type { Command } from 'commander';
import { parsePort } from '../common.ts';
import { print } from '../output.ts';
import { startServer, type ServeFlags, serverBanner, waitForShutdown } from '../serve-runtime.ts';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the API, web portal, storefront and in-process workers (no config: embedded database, file-system regions under ./data)')
    .option('--config <file>', 'server configuration, YAML or JSON (default: $VMARKET_CONFIG, else the embedded default)')
    .option('--port <n>', 'listen on this port (0: any free port; default: the config, else 8080)', parsePort)
    .option('--host <host>', 'listen on this address (default: the config, else 127.0.0.1)')
    .option('--no-workers', 'serve the API only; run `vmarket worker` processes elsewhere')
    .action(async (flags: ServeFlags, command: Command) => {
      const server = await startServer(flags, { debug: Boolean(command.optsWithGlobals().debug) });
      print(...serverBanner(server));
      await waitForShutdown(server);
    });
}
