/**
 * Private networks are allowed per kind of outbound request: an operator's internal image mirror
 * (imports.allowPrivateNetworks) does not let publishers aim lead deliveries at the internal
 * network (deliveries.allowPrivateNetworks), and the legacy top-level switch still means both.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { deliverLead, type Lead } from '../../src/leads/index.ts';
import { downloadToFile } from '../../src/security/urls.ts';
import { rejectsWith } from '../helpers/assert.ts';
import { hasOpenssl, startHttpsReceiver } from '../helpers/receivers.ts';

const lead: Lead = {
  id: '5b0f3c1e-0000-4000-8000-0000000000aa',
  offer: 'contoso.mirror',
  plan: 'standard',
  subscriptionId: '2f3c9a10-1111-4222-8333-444455556666',
  contact: { name: 'Ada Lovelace', email: 'ada@example.com' },
  createdAt: '2026-12-03T12:00:00.000Z',
  kind: 'lead',
};

test('image imports from a private mirror are allowed while a lead URL on a private address is still refused', async (t) => {
  if (!(await hasOpenssl())) return t.skip('openssl not installed');
  const mirror = await startHttpsReceiver([200], Buffer.from('mirrored image'));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmarket-private-'));
  t.after(async () => {
    await mirror.close();
    await rm(dir, { recursive: true, force: true });
  });
  const origin = new URL(mirror.url).origin;
  const config = loadConfig({ env: {}, overrides: { imports: { allowPrivateNetworks: true, allowedUrlPrefixes: [`${origin}/`] }, trustedCaFiles: [mirror.caFile] } });

  const file = path.join(dir, 'image.vhd');
  await downloadToFile(`${origin}/images/os.vhd`, file, { config });
  assert.equal(await readFile(file, 'utf8'), 'mirrored image');

  const destination = { destination: 'https' as const, https: { url: mirror.url } };
  await rejectsWith(deliverLead(destination, lead, { config, env: {}, signingSecret: async () => 'k', retry: { baseDelayMs: 1 } }), 'URL_NOT_ALLOWED', 'non-public');
  assert.deepEqual(mirror.requests.map((r) => r.url), ['/images/os.vhd'], 'the lead never reached the internal address');
});

test('the split keys default to false; the legacy allowPrivateNetworks sets those not given, with a warning', () => {
  const strict = loadConfig({ env: {}, overrides: {} });
  assert.deepEqual([strict.imports.allowPrivateNetworks, strict.deliveries.allowPrivateNetworks, strict.warnings], [false, false, []]);

  const legacy = loadConfig({ env: {}, overrides: { allowPrivateNetworks: true } });
  assert.deepEqual([legacy.imports.allowPrivateNetworks, legacy.deliveries.allowPrivateNetworks], [true, true]);
  assert.equal(legacy.warnings.length, 1);
  assert.match(legacy.warnings[0], /deprecated.*imports\.allowPrivateNetworks.*deliveries\.allowPrivateNetworks/);
  assert.equal('allowPrivateNetworks' in legacy, false, 'nothing reads the legacy switch after load');

  const mixed = loadConfig({ env: {}, overrides: { allowPrivateNetworks: true, deliveries: { allowPrivateNetworks: false } } });
  assert.deepEqual([mixed.imports.allowPrivateNetworks, mixed.deliveries.allowPrivateNetworks], [true, false], 'a split key wins over the legacy one');
});
