/**
 * `vmarket worker --config FILE`: a worker process for scaling out. It runs the pipeline's step
 * handlers, the stuck-step sweeper and lead delivery against the shared PostgreSQL database and
 * object stores of the config, and serves no HTTP; pg-boss hands each job to one process.
 */
import type { Command } from 'commander';
import { print } from '../output.ts';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run pipeline and lead-delivery workers only, no HTTP (scale-out; needs a PostgreSQL database in the config)')
    .option('--config <file>', 'server configuration, YAML or JSON (default: $VMARKET_CONFIG)')
    .action(async (flags: { config?: string }, command: Command) => {
      const [{ loadConfig }, { startWorkers }, { pino }] = await Promise.all([import('../../config/load.ts'), import('../../app/start.ts'), import('pino')]);
      const config = loadConfig({ file: flags.config });
      const debug = Boolean(command.optsWithGlobals().debug);
      const logger = pino({ level: debug ? 'debug' : (process.env.VMARKET_LOG_LEVEL ?? 'info'), base: { service: 'vmarket-worker' } }, pino.destination({ fd: 2, sync: false }));
      const workers = await startWorkers(config, { logger });
      print(
        `vmarket worker is running (pipeline concurrency ${config.concurrency.pipeline}, certification ${config.concurrency.certify}, ${config.regions.length} region(s))`,
        'Press Ctrl+C to stop.',
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      process.stderr.write('vmarket worker: stopping…\n');
      await workers.close();
      setTimeout(() => process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0), 5000).unref();
    });
}
