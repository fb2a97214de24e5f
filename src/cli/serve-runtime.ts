/**
 * Starting and stopping the server from the CLI (`serve` and `demo`): config from --config and
 * flags, logs as JSON lines on stderr (stdout stays for what the user reads), the banner with
 * the URLs and the demo publisher's token, and a graceful close on SIGINT/SIGTERM.
 */
import type { Config } from '../config/load.ts';

export interface ServeFlags {
  config?: string;
  port?: number;
  host?: string;
  /** commander's `--no-workers` gives `workers: false`. */
  workers?: boolean;
}

export interface RunningServer {
  /** Base URL the server listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Base URL used in links (the config's publicUrl, else `url`). */
  publicUrl: string;
  config: Config;
  demoToken?: string;
  close(): Promise<void>;
}

export interface StartServerOptions {
  debug?: boolean;
  /** Default log level when `$VMARKET_LOG_LEVEL` is unset; default `info`. */
  logLevel?: string;
  /** Ask for the demo publisher even when the database is not embedded. */
  demoPublisher?: boolean;
  /** Changes the loaded configuration before the server starts (the demo adds its import dir). */
  adjust?: (config: Config) => void;
}

/** Loads the configuration, applies the flags and starts vmarket (db, queue, HTTP, workers). */
export async function startServer(flags: ServeFlags, options: StartServerOptions = {}): Promise<RunningServer> {
  const [{ loadConfig }, { startVmarket }, { pino }] = await Promise.all([
    import('../config/load.ts'),
    import('../app/start.ts'),
    import('pino'),
  ]);
  const config = loadConfig({ file: flags.config });
  if (flags.port !== undefined) config.listen = { ...config.listen, port: flags.port };
  if (flags.host !== undefined) config.listen = { ...config.listen, host: flags.host };
  if (flags.workers === false) config.workers = false;
  options.adjust?.(config);
  const level = options.debug ? 'debug' : (process.env.VMARKET_LOG_LEVEL ?? options.logLevel ?? 'info');
  const logger = pino({ level, base: { service: 'vmarket' } }, pino.destination({ fd: 2, sync: false }));
  await buildWebApp(logger);
  const started = await startVmarket(config, { logger, ...(options.demoPublisher ? { demoPublisher: true } : {}) });
  return {
    url: started.url,
    publicUrl: (started.ctx.publicUrl ?? started.url).replace(/\/+$/, ''),
    config,
    demoToken: started.demoToken,
    close: started.close,
  };
}

/**
 * Builds the web app when it is missing or stale. A failed build does not stop the server: the
 * API and the small server-rendered storefront still work, and the log says what went wrong.
 */
async function buildWebApp(logger: import('pino').Logger): Promise<void> {
  const { ensureWebBuilt } = await import('../server/web-build.ts');
  try {
    const result = await ensureWebBuilt({
      onBuild: (reason) =>
        process.stderr.write(`vmarket: building the web app (${reason === 'missing' ? 'it has not been built here yet' : 'its sources changed since the last build'})…\n`),
    });
    if (result.built) logger.info({ durationMs: Math.round(result.durationMs) }, 'web app built');
  } catch (error) {
    logger.error({ err: error }, 'the web app could not be built; serving the API and the plain storefront only');
    process.stderr.write(`vmarket: the web app could not be built: ${(error as Error).message}\n`);
  }
}

/** The lines `serve` and `demo` print once the server listens. */
export function serverBanner(server: RunningServer): string[] {
  const base = server.publicUrl;
  const lines = [
    `vmarket is running (${server.config.database === 'embedded' ? `embedded database in ${server.config.dataDir}` : 'PostgreSQL'}, workers ${server.config.workers ? 'in process' : 'off'})`,
    `  storefront   ${base}/`,
    `  portal       ${base}/portal`,
    `  operator     ${base}/operator`,
    `  API          ${base}/api/v1   (OpenAPI: ${base}/api/v1/openapi.json)`,
  ];
  if (server.demoToken) lines.push(`  demo publisher token   ${server.demoToken}`);
  lines.push('Press Ctrl+C to stop.');
  return lines;
}

/** Resolves once SIGINT or SIGTERM arrived and the server closed; a second signal exits at once. */
export async function waitForShutdown(server: RunningServer): Promise<void> {
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  const force = () => process.exit(130);
  process.on('SIGINT', force);
  process.on('SIGTERM', force);
  process.stderr.write('vmarket: stopping…\n');
  try {
    await server.close();
  } finally {
    process.removeListener('SIGINT', force);
    process.removeListener('SIGTERM', force);
  }
  // everything is closed; should a library still hold a handle, do not hang on it
  setTimeout(() => process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0), 5000).unref();
}
