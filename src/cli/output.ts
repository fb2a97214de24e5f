/**
 * How the CLI talks to its user: one JSON document on stdout under `--json`, human text
 * otherwise, and every failure as one sentence on stderr (the stack only under `--debug`).
 */
import { CommanderError } from 'commander';
import { type VmarketError, toVmarketError } from '../errors.ts';
import { localizeTree } from '../i18n/localize-tree.ts';

/** Writes exactly one JSON document (pretty-printed, newline-terminated) to stdout. */
export function printJson(document: unknown): void {
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
}

/** Writes human-readable lines to stdout. */
export function print(...lines: string[]): void {
  process.stdout.write(lines.map((l) => `${l}\n`).join(''));
}

/** Formats an error as the one sentence the user sees, followed by one line per detail. */
export function describeError(error: VmarketError): string {
  const lines = [error.message];
  for (const detail of error.details) {
    lines.push(detail.path ? `  ${detail.path}: ${detail.message}` : `  ${detail.message}`);
  }
  return lines.join('\n');
}

/**
 * Reports a failure and returns the exit code it ends with: commander's usage errors exit 2
 * (commander already printed them), VmarketErrors exit with their table code, anything else 2.
 * With `json`, the error is also the one JSON document on stdout.
 */
export function reportFailure(error: unknown, options: { debug: boolean; json: boolean }): number {
  if (error instanceof CommanderError) {
    // help and --version end with 0; everything else commander rejects is bad usage
    return error.exitCode === 0 ? 0 : 2;
  }
  const vmError = toVmarketError(error);
  process.stderr.write(`vmarket: ${describeError(vmError)}\n`);
  if (options.debug) {
    // the whole chain: ours, then each cause (fetch failures keep the socket error two levels down)
    let current: unknown = vmError;
    for (let depth = 0; current instanceof Error && depth < 5; depth++) {
      process.stderr.write(`${depth ? 'caused by: ' : ''}${current.stack ?? current.message}\n`);
      current = current.cause;
    }
  }
  // the command line speaks English (the contracts' language); `translations` is for the API
  if (options.json) printJson(localizeTree(vmError.toJSON(), 'en'));
  return vmError.exitCode;
}
