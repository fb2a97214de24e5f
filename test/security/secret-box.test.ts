/**
 * The secret key and AES-256-GCM sealing of kept secrets (src/security/secret-box.ts): where the
 * key comes from, what a bad key answers, and that a sealed value opens only with its key, for its
 * owner, unchanged.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { generatedKeyFile, loadSecretKey, open, seal } from '../../src/security/secret-box.ts';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmarket-secret-box-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('the key is generated once under dataDir (0600) and read back; the environment and the key file win over it', async (t) => {
  const dataDir = await tempDir(t);
  const first = loadSecretKey({ dataDir, env: {} });
  assert.equal(first.created, true);
  assert.equal((await stat(generatedKeyFile(dataDir))).mode & 0o777, 0o600);
  const again = loadSecretKey({ dataDir, env: {} });
  assert.equal(again.created, false);
  assert.equal(again.key.id, first.key.id, 'a restart reads the same key');
  assert.equal((await readFile(generatedKeyFile(dataDir), 'utf8')).trim(), first.key.bytes.toString('base64'));

  const hex = randomBytes(32).toString('hex');
  const keyFile = path.join(dataDir, 'operator-key');
  await writeFile(keyFile, `${randomBytes(32).toString('base64')}\n`);
  const fromFile = loadSecretKey({ dataDir, keyFile, env: {} });
  assert.equal(fromFile.key.source, keyFile);
  assert.notEqual(fromFile.key.id, first.key.id);
  const fromEnv = loadSecretKey({ dataDir, keyFile, env: { VMARKET_SECRET_KEY: hex } });
  assert.equal(fromEnv.key.source, 'VMARKET_SECRET_KEY');
  assert.equal(fromEnv.key.bytes.toString('hex'), hex);
});

test('a key that is not 32 bytes, or a key file that cannot be read, is one clear CONFIG_INVALID without the key', async (t) => {
  const dataDir = await tempDir(t);
  for (const bad of ['short', randomBytes(16).toString('base64'), `${randomBytes(32).toString('hex')}00`, 'not base64 at all!!!!!!!!!!!!!!!!!!!!!!!!!!']) {
    assert.throws(
      () => loadSecretKey({ dataDir, env: { VMARKET_SECRET_KEY: bad } }),
      (error: any) => error.code === 'CONFIG_INVALID' && /VMARKET_SECRET_KEY is not 32 bytes/.test(error.message) && !error.message.includes(bad),
    );
  }
  assert.throws(
    () => loadSecretKey({ dataDir, keyFile: path.join(dataDir, 'missing'), env: {} }),
    (error: any) => error.code === 'CONFIG_INVALID' && /cannot be read: ENOENT/.test(error.message),
  );
  await writeFile(generatedKeyFile(dataDir), 'damaged\n');
  assert.throws(() => loadSecretKey({ dataDir, env: {} }), (error: any) => error.code === 'CONFIG_INVALID' && error.message.includes(generatedKeyFile(dataDir)));
});

test('a sealed secret opens only with its key, for its owner, unchanged; each seal uses a new nonce', async (t) => {
  const dataDir = await tempDir(t);
  const { key } = loadSecretKey({ dataDir, env: {} });
  const other = loadSecretKey({ dataDir, env: { VMARKET_SECRET_KEY: randomBytes(32).toString('base64') } }).key;
  const sealed = seal(key, 'vmls_the-secret', 'offer-lead-secret:contoso/app');
  assert.ok(!sealed.includes('the-secret'));
  assert.notEqual(seal(key, 'vmls_the-secret', 'offer-lead-secret:contoso/app'), sealed, 'a random nonce per seal');
  assert.equal(open(key, sealed, 'offer-lead-secret:contoso/app'), 'vmls_the-secret');
  assert.equal(open(other, sealed, 'offer-lead-secret:contoso/app'), null, 'another key');
  assert.equal(open(key, sealed, 'offer-lead-secret:fabrikam/app'), null, 'moved to another offer');
  const [version, nonce, body] = sealed.split('.');
  const flipped = Buffer.from(body, 'base64url');
  flipped[0] ^= 1;
  assert.equal(open(key, `${version}.${nonce}.${flipped.toString('base64url')}`, 'offer-lead-secret:contoso/app'), null, 'changed bytes');
  for (const garbage of ['', 'v1', 'v2.a.b', 'v1.AAAA.AAAA', `${sealed}.extra`]) assert.equal(open(key, garbage, 'offer-lead-secret:contoso/app'), null, garbage);
});
