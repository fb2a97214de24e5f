import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  canonicalJson,
  FileSigningKeyStore,
  getOrCreateSigningKey,
  keyIdOf,
  publicKeys,
  signPackage,
  verifyPackage,
} from '../../src/catalog/signing.ts';

const pkg = {
  offer: 'contoso.ubuntu-hardened',
  plan: 'standard',
  version: '1.0.0',
  images: [{ role: 'os', lun: null, sha256: 'ab'.repeat(32), size: 1048576, locations: { westeurope: 'file:///x', eastus: 's3://b/k' } }],
  template: { kind: 'vmarket.vm/v1', price: 0.12, title: 'Überß €' },
};

test('signs with a stored key, verifies, rejects tampering, ignores key order', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmarket-keys-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = new FileSigningKeyStore(path.join(dir, 'keys'));
  const key = await getOrCreateSigningKey(store);
  assert.match(key.keyId, /^[0-9a-f]{16}$/);
  assert.equal(key.keyId, keyIdOf(key.publicKeyPem));
  // the same key on the next call, and its file is private
  assert.equal((await getOrCreateSigningKey(store)).keyId, key.keyId);
  const files = await readdir(path.join(dir, 'keys'));
  assert.deepEqual(files, [`${key.keyId}.json`]);
  assert.equal((await stat(path.join(dir, 'keys', files[0]))).mode & 0o777, 0o600);

  const { signature, keyId } = signPackage(pkg, key);
  assert.equal(keyId, key.keyId);
  assert.equal(Buffer.from(signature, 'base64').length, 64);
  assert.equal(verifyPackage(pkg, signature, key.publicKeyPem), true);

  const reordered = JSON.parse(JSON.stringify({ template: pkg.template, images: pkg.images, version: pkg.version, plan: pkg.plan, offer: pkg.offer }));
  assert.equal(verifyPackage(reordered, signature, key.publicKeyPem), true);
  assert.equal(verifyPackage({ ...pkg, version: '1.0.1' }, signature, key.publicKeyPem), false);
  assert.equal(verifyPackage(pkg, 'not-a-signature', key.publicKeyPem), false);

  assert.deepEqual(await publicKeys(store), { keys: [{ keyId: key.keyId, publicKeyPem: key.publicKeyPem }] });
});

test('canonical JSON follows RFC 8785 for key order, numbers and unicode', () => {
  assert.equal(canonicalJson({ b: 1, a: [1e21, 0.1, -0, 1e-7], '€': 'é\n', A: true }), '{"A":true,"a":[1e+21,0.1,0,1e-7],"b":1,"€":"é\\n"}');
  // keys sort by UTF-16 code units: U+10000 (a surrogate pair, 0xD800...) sorts before U+FB33
  assert.equal(canonicalJson({ '\u{fb33}': 1, '\u{10000}': 2 }), '{"\u{10000}":2,"\u{fb33}":1}');
});
