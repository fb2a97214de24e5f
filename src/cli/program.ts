/**
 * The `vmarket` command line (docs/contracts.md §1): builds the commander program with every command and
 * runs it, mapping every outcome to the contract's exit codes (0 ok, 1 the thing checked failed,
 * 2 bad usage, unreadable input or an unreachable server).
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerAuditCommand } from './commands/audit.ts';
import { registerCertifyCommand } from './commands/certify.ts';

import { registerDemoCommand } from './commands/demo.ts';
import { registerLeadsCommand } from './commands/leads.ts';
import { registerLifecycleCommands } from './commands/lifecycle.ts';
import { registerLoginCommand } from './commands/login.ts';
import { registerOfferCommand } from './commands/offer.ts';
import { registerOfferLifecycleCommands } from './commands/offer-lifecycle.ts';
import { registerOperatorCommands } from './commands/operator.ts';
import { registerPublishCommand } from './commands/publish.ts';
import { registerPullCommand } from './commands/pull.ts';
import { registerServeCommand } from './commands/serve.ts';
import { registerStatusCommand } from './commands/status.ts';
import { registerTicketsCommand } from './commands/tickets.ts';
import { registerWorkerCommand } from './commands/worker.ts';
import { registerVulndbCommand } from './commands/vulndb.ts';
import { reportFailure } from './output.ts';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Builds the program; commander errors are thrown (exitOverride) so `runCli` decides the exit code. */
export function buildProgram(): Command {
  const program = new Command('vmarket');
  program
    .description('Self-hosted marketplace for virtual-machine images: run the server, publish offers, certify images.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--debug', 'print stack traces with errors')
    .exitOverride()
    .showSuggestionAfterError()
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true });

  registerServeCommand(program);
  registerWorkerCommand(program);
  registerDemoCommand(program);
  registerCertifyCommand(program);
  registerVulndbCommand(program);
  registerOfferCommand(program);
  registerPublishCommand(program);
  registerStatusCommand(program);
  registerLifecycleCommands(program);
  registerOfferLifecycleCommands(program);
  registerTicketsCommand(program);
  registerLeadsCommand(program);
  registerPullCommand(program);
  registerLoginCommand(program);
  registerOperatorCommands(program);
  registerAuditCommand(program);
  return program;
}

/** Runs the CLI on `argv` (as `process.argv`) and resolves to the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const args = argv.slice(2);
  const optionArgs = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
  const flags = { debug: optionArgs.includes('--debug'), json: optionArgs.includes('--json') };
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportFailure(error, flags);
  }
}
