/**
 * The marketplace's package signatures (docs/contracts.md §7): Ed25519 over the UTF-8 bytes of the
 * RFC 8785 (JCS) canonical JSON of a package, so a customer can verify a package whatever order
 * its keys were serialised in. Keys live in a `SigningKeyStore`; the newest key signs, every key
 * stays published in `/catalog/keys` so older signatures keep verifying.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import canonicalize from 'canonicalize';
import type { SigningKeys } from '../contracts/index.ts';
import { VmarketError } from '../errors.ts';

/** One signing key as a store keeps it. */
export interface StoredKey {
  /** First 16 hex digits of the SHA-256 of the DER SubjectPublicKeyInfo. */
  keyId: string;
  publicKeyPem: string;
  privateKeyPem: string;
  /** ISO 8601 time the key was made; the newest key signs. */
  createdAt: string;
}

/** Where signing keys are kept (files, or a database table in the server). */
export interface SigningKeyStore {
  load(): Promise<StoredKey[]>;
  save(key: StoredKey): Promise<void>;
}

/** The public half of a key, as `/catalog/keys` lists it. */
export type { PublicKeyEntry } from '../contracts/index.ts';

/** The RFC 8785 canonical JSON text of `value` (sorted keys, ES number form, no whitespace). */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new VmarketError('INTERNAL', 'The value to sign has no JSON form.');
  return text;
}

/** The key id of a public key: the first 16 hex digits of sha256(DER SPKI). */
export function keyIdOf(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/** Makes a new Ed25519 key (not stored). */
export function generateSigningKey(now: Date = new Date()): StoredKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { keyId: keyIdOf(publicKeyPem), publicKeyPem, privateKeyPem, createdAt: now.toISOString() };
}

/** The newest key of `keys` (by createdAt, then keyId so the choice is stable), or undefined. */
function newest(keys: StoredKey[]): StoredKey | undefined {
  return [...keys].sort((a, b) => (a.createdAt === b.createdAt ? a.keyId.localeCompare(b.keyId) : a.createdAt.localeCompare(b.createdAt))).at(-1);
}

/** The key that signs: the store's newest, or a new one saved to the store on first use. */
export async function getOrCreateSigningKey(store: SigningKeyStore): Promise<StoredKey> {
  const existing = newest(await store.load());
  if (existing) return existing;
  const key = generateSigningKey();
  await store.save(key);
  return key;
}

/** Signs `pkg`: base64 Ed25519 signature over the UTF-8 bytes of its canonical JSON. */
export function signPackage(pkg: unknown, key: Pick<StoredKey, 'keyId' | 'privateKeyPem'>): { signature: string; keyId: string } {
  const bytes = Buffer.from(canonicalJson(pkg), 'utf8');
  const signature = sign(null, bytes, createPrivateKey(key.privateKeyPem)).toString('base64');
  return { signature, keyId: key.keyId };
}

/** True when `signature` (base64) is `publicKeyPem`'s signature of `pkg`'s canonical JSON. */
export function verifyPackage(pkg: unknown, signature: string, publicKeyPem: string): boolean {
  try {
    const bytes = Buffer.from(canonicalJson(pkg), 'utf8');
    return verify(null, bytes, createPublicKey(publicKeyPem), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** Every key of the store without private parts, oldest first: the `/catalog/keys` body. */
export async function publicKeys(store: SigningKeyStore): Promise<SigningKeys> {
  const keys = [...(await store.load())].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return { keys: keys.map((k) => ({ keyId: k.keyId, publicKeyPem: k.publicKeyPem })) };
}

/**
 * Keys as files in `dir`, one `<keyId>.json` per key, readable by the owner only (mode 0600,
 * directory 0700) because each holds a private key.
 */
export class FileSigningKeyStore implements SigningKeyStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  async load(): Promise<StoredKey[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new VmarketError('FILE_UNREADABLE', `The signing key directory ${this.dir} cannot be read.`, { cause: error });
    }
    const keys: StoredKey[] = [];
    for (const name of names.filter((n) => /^[0-9a-f]{16}\.json$/.test(n)).sort()) {
      const file = path.join(this.dir, name);
      try {
        const key = JSON.parse(await readFile(file, 'utf8')) as StoredKey;
        keys.push({ keyId: key.keyId, publicKeyPem: key.publicKeyPem, privateKeyPem: key.privateKeyPem, createdAt: key.createdAt });
      } catch (error) {
        throw new VmarketError('FILE_UNREADABLE', `The signing key file ${file} is not a readable key.`, { cause: error });
      }
    }
    return keys;
  }

  async save(key: StoredKey): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = path.join(this.dir, `${key.keyId}.json`);
    const temp = `${file}.${process.pid}.tmp`;
    // Written under a temporary name with mode 0600 from the start, then renamed: a reader never
    // sees half a key and the private key is never world-readable, whatever the umask.
    await writeFile(temp, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, file);
  }
}
