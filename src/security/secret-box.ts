/**
 * Encryption at rest for secrets the marketplace must read back (each offer's lead signing
 * secret): AES-256-GCM with a random 96-bit nonce per value and the value's owner as associated
 * data, so a ciphertext moved to another row does not open. The 32-byte key is the operator's
 * (`VMARKET_SECRET_KEY`, else the file `secrets.keyFile`) or one generated under dataDir at first
 * start. The key is never logged and never part of a message.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { VmarketError } from '../errors.ts';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** The format of a sealed value; a later format gets another prefix. */
const VERSION = 'v1';

export interface SecretKey {
  /** Names the key without revealing it (first 16 hex of SHA-256 of a derived value), stored with each sealed value. */
  readonly id: string;
  /** Where the key came from, for messages: `VMARKET_SECRET_KEY`, or the key file's path. */
  readonly source: string;
  readonly bytes: Buffer;
}

/** The file the generated key is kept in when the operator provides none. */
export function generatedKeyFile(dataDir: string): string {
  return path.join(dataDir, 'secret-key');
}

function keyFrom(bytes: Buffer, source: string): SecretKey {
  // the id hashes a label with the key, so it is no shortcut to the key itself
  const id = createHash('sha256').update('vmarket secret key id\0').update(bytes).digest('hex').slice(0, 16);
  return { id, source, bytes };
}

/** A key as written: base64 (44 characters) or hex (64) of exactly 32 bytes. */
function decodeKey(text: string, source: string): SecretKey {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (bytes.length !== KEY_BYTES || (!/^[0-9a-fA-F]{64}$/.test(trimmed) && bytes.toString('base64') !== trimmed)) {
    throw new VmarketError(
      'CONFIG_INVALID',
      `The secret key from ${source} is not 32 bytes in base64 or hex; make one with: openssl rand -base64 32`,
    );
  }
  return keyFrom(bytes, source);
}

function readKeyFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new VmarketError('CONFIG_INVALID', `The secret key file ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`, { cause: error });
  }
}

/**
 * The generated key under dataDir: read when it exists, else created. Creation writes a 0600
 * temporary file and links it into place, so a reader never sees a half-written key and two
 * processes starting at once agree on one (the loser of the link reads the winner's).
 */
function generatedKey(dataDir: string): { key: SecretKey; created: boolean } {
  const file = generatedKeyFile(dataDir);
  let existing: string | undefined;
  try {
    existing = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') existing = readKeyFile(file); // answers CONFIG_INVALID with the reason
  }
  if (existing !== undefined) return { key: decodeKey(existing, file), created: false };
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, file);
    return { key: decodeKey(readFileSync(file, 'utf8'), file), created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { key: decodeKey(readFileSync(file, 'utf8'), file), created: false };
  } finally {
    unlinkSync(temporary);
  }
}

/**
 * The marketplace's secret key: `VMARKET_SECRET_KEY` (base64/hex), else the file `keyFile`, else
 * the one generated under `dataDir` (`created` says this call made it).
 *
 * @throws VmarketError CONFIG_INVALID for a key that is not 32 bytes or a file that cannot be read.
 */
export function loadSecretKey(options: { dataDir: string; keyFile?: string; env: NodeJS.ProcessEnv }): { key: SecretKey; created: boolean } {
  const fromEnv = options.env.VMARKET_SECRET_KEY;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { key: decodeKey(fromEnv, 'VMARKET_SECRET_KEY'), created: false };
  if (options.keyFile) return { key: decodeKey(readKeyFile(options.keyFile), options.keyFile), created: false };
  return generatedKey(options.dataDir);
}

/** Encrypts `plaintext` for the owner `context` (e.g. `offer:contoso/app`): `v1.<nonce>.<ciphertext+tag>`, base64url. */
export function seal(key: SecretKey, plaintext: string, context: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.bytes, nonce);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${nonce.toString('base64url')}.${sealed.toString('base64url')}`;
}

/**
 * Decrypts a value `seal` made for `context`. Null when it does not open (another key, another
 * owner, changed bytes): the caller says what that means for its value.
 */
export function open(key: SecretKey, sealed: string, context: string): string | null {
  const [version, nonceText, bodyText, ...rest] = sealed.split('.');
  if (version !== VERSION || nonceText === undefined || bodyText === undefined || rest.length > 0) return null;
  const nonce = Buffer.from(nonceText, 'base64url');
  const body = Buffer.from(bodyText, 'base64url');
  if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, nonce);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
