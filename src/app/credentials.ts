/**
 * The CLI's credentials file: the server URL and token `serve`, `demo` and `login` leave behind,
 * so later commands need no flags. JSON, mode 0600, at `$VMARKET_CREDENTIALS` or
 * `~/.config/vmarket/credentials.json` (XDG_CONFIG_HOME respected).
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VmarketError } from '../errors.ts';

export interface Credentials {
  url: string;
  /** A publisher's token (or the operator's, after `login` with it). */
  token?: string;
  publisher?: string;
  operatorToken?: string;
}

export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VMARKET_CREDENTIALS) return path.resolve(env.VMARKET_CREDENTIALS);
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'vmarket', 'credentials.json');
}

/** The stored credentials, or null when there is no file. A corrupt file is a clear error. */
export function readCredentials(env: NodeJS.ProcessEnv = process.env): Credentials | null {
  const file = credentialsPath(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new VmarketError('FILE_UNREADABLE', `The credentials file ${file} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  try {
    const parsed = JSON.parse(text) as Credentials;
    if (!parsed || typeof parsed !== 'object' || typeof parsed.url !== 'string') throw new Error('it has no "url"');
    return parsed;
  } catch (error) {
    throw new VmarketError('FILE_UNREADABLE', `The credentials file ${file} is not valid (${(error as Error).message}); delete it or run \`vmarket login\`.`, {
      cause: error,
    });
  }
}

/** Writes the file atomically with mode 0600 (it holds bearer tokens). */
export function writeCredentials(credentials: Credentials, env: NodeJS.ProcessEnv = process.env): string {
  const file = credentialsPath(env);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return file;
}
