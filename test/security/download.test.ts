import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { downloadToFile } from '../../src/security/urls.ts';
import { hasOpenssl, startHttpsReceiver } from '../helpers/receivers.ts';
import { rejectsWith } from '../helpers/assert.ts';

test('downloadToFile streams an allowed https URL, trusting the configured CA', async (t) => {
  if (!(await hasOpenssl())) return t.skip('openssl not installed');
  const content = Buffer.from('disk image bytes '.repeat(1000));
  const server = await startHttpsReceiver([200], content);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmarket-download-'));
  t.after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  const prefix = server.url.replace('/hook', '/');
  const config = { allowPrivateNetworks: true, trustedCaFiles: [server.caFile], imports: { allowedUrlPrefixes: [prefix] } };
  const file = path.join(dir, 'image.vhd');

  assert.deepEqual(await downloadToFile(server.url, file, { config }), { bytes: content.length });
  assert.deepEqual(await readFile(file), content);

  await rejectsWith(downloadToFile(server.url, file, { config: { ...config, imports: { allowedUrlPrefixes: ['https://images.example/'] } } }), 'URL_NOT_ALLOWED', 'prefix');
  await rejectsWith(downloadToFile(server.url, file, { config: { ...config, allowPrivateNetworks: false } }), 'URL_NOT_ALLOWED', 'non-public');
  await rejectsWith(downloadToFile(server.url, file, { config: { ...config, trustedCaFiles: [] } }), 'UNREACHABLE', 'self-signed');
  assert.equal(server.requests.length, 1, 'refused URLs are never requested; the untrusted one fails in TLS');
});
