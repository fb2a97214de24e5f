/**
 * Pieces the server-talking commands share: the `--url/--token/--publisher` options, building a
 * client from them, finding the publisher id, reading offer files and parsing numeric flags.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseYamlOrJson } from '../config/load.ts';
import { VmarketError } from '../errors.ts';
import { ApiClient, type Connection, resolveConnection, seg } from './client.ts';

export interface ServerFlags {
  url?: string;
  token?: string;
  publisher?: string;
}

/** Adds `--url`, `--token` and (unless `publisher: false`) `--publisher` to a command. */
export function withServerOptions(command: Command, options: { publisher?: boolean } = {}): Command {
  command
    .addOption(new Option('--url <url>', 'server URL (default: $VMARKET_URL, else the credentials file, else http://127.0.0.1:8080)'))
    .addOption(new Option('--token <token>', 'bearer token (default: $VMARKET_TOKEN, else the credentials file)'));
  if (options.publisher !== false) {
    command.addOption(new Option('--publisher <id>', 'act as this publisher (default: the offer file, else the token\'s own publisher)'));
  }
  return command;
}

export interface CliSession {
  client: ApiClient;
  connection: Connection;
}

/** Builds the API client from a command's flags, the environment and the credentials file. */
export async function openSession(flags: ServerFlags, options: { operator?: boolean } = {}): Promise<CliSession> {
  const connection = await resolveConnection({ url: flags.url, token: flags.token, operator: options.operator });
  return { client: new ApiClient(connection), connection };
}

/**
 * The publisher the command acts for: `--publisher`, else the offer file's `publisher`, else the
 * credentials file's (when the token came from it), else the server's answer to `GET /me`.
 */
export async function resolvePublisher(session: CliSession, flags: ServerFlags, fromFile?: string): Promise<string> {
  const explicit = flags.publisher ?? fromFile ?? session.connection.publisher;
  if (explicit) return explicit;
  const me = (await session.client.get<Record<string, unknown>>('/me')).body;
  const id = publisherIdOf(me);
  if (!id) {
    throw new VmarketError('USAGE', 'this token does not belong to a publisher; pass --publisher ID');
  }
  return id;
}

/** Reads the publisher id out of a `GET /me` answer. */
export function publisherIdOf(me: Record<string, unknown> | undefined): string | undefined {
  if (!me) return undefined;
  const publisher = me.publisher;
  if (typeof publisher === 'string') return publisher;
  if (publisher && typeof publisher === 'object' && typeof (publisher as { id?: unknown }).id === 'string') {
    return (publisher as { id: string }).id;
  }
  if (typeof me.publisherId === 'string') return me.publisherId;
  return undefined;
}

/** `/publishers/{pub}/offers/{offer}` with both segments encoded. */
export function offerPath(publisher: string, offerId: string): string {
  return `/publishers/${seg(publisher)}/offers/${seg(offerId)}`;
}

/** Reads and parses an offer file (YAML or JSON); unreadable or unparsable input exits 2. */
export function readOfferFile(file: string): Record<string, unknown> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new VmarketError('FILE_UNREADABLE', `cannot read the offer file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const parsed = parseYamlOrJson(text, absolute);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new VmarketError('BAD_REQUEST', `the offer file ${file} must hold a mapping of keys (id, publisher, listing, plans, ...)`);
  }
  return parsed as Record<string, unknown>;
}

/** commander argument parser for a TCP port (0..65535; 0 picks a free one). */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535.');
  return port;
}

/** commander collector for repeatable options (`--notify a --notify b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The operation id of a 202 publish answer: the body's, else the Location header's last segment. */
export function operationIdOf(body: Record<string, unknown> | undefined, headers: Headers): string | undefined {
  if (body && typeof body.operationId === 'string') return body.operationId;
  if (body && typeof body.id === 'string') return body.id;
  const location = headers.get('location');
  return location ? decodeURIComponent(location.split('/').pop() ?? '') || undefined : undefined;
}
