import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { checkOutboundUrl, isNonPublicAddress, safeFetch } from '../../src/security/urls.ts';
import { rejectsWith } from '../helpers/assert.ts';
import { loadConfig } from '../../src/config/load.ts';


test('a URL walking out of its prefix with percent-encoded dots or slashes is refused', async () => {
  const prefixed = { allowPrivateNetworks: true, allowedPrefixes: ['https://127.0.0.1/images/'] };
  for (const url of [
    'https://127.0.0.1/images/%2e%2e/secret',
    'https://127.0.0.1/images/.%2E/secret',
    'https://127.0.0.1/images/..%2fsecret',
    'https://127.0.0.1/images/..%5csecret',
    'https://127.0.0.1/images/%252e%252e/secret',
    'https://127.0.0.1/images\\..\\secret',
  ]) {
    await rejectsWith(checkOutboundUrl(url, prefixed), 'URL_NOT_ALLOWED', 'prefix');
  }
});

test('a prefix matches its origin only, and its path on a segment boundary', async () => {
  // no trailing slash: neither another host, nor another port, nor a longer path segment
  await rejectsWith(checkOutboundUrl('https://127.0.0.10/x.vhd', { allowPrivateNetworks: true, allowedPrefixes: ['https://127.0.0.1'] }), 'URL_NOT_ALLOWED', 'prefix');
  await rejectsWith(checkOutboundUrl('https://127.0.0.1:8443/x.vhd', { allowPrivateNetworks: true, allowedPrefixes: ['https://127.0.0.1'] }), 'URL_NOT_ALLOWED', 'prefix');
  await rejectsWith(checkOutboundUrl('https://127.0.0.1/imgs/x.vhd', { allowPrivateNetworks: true, allowedPrefixes: ['https://127.0.0.1/img'] }), 'URL_NOT_ALLOWED', 'prefix');
  await rejectsWith(checkOutboundUrl('https://127.0.0.1@127.0.0.2/x.vhd', { allowPrivateNetworks: true, allowedPrefixes: ['https://127.0.0.1'] }), 'URL_NOT_ALLOWED', 'credentials');
  // what the operator meant is still allowed, in any spelling the URL standard treats as equal
  for (const [url, prefix] of [
    ['https://127.0.0.1/x.vhd', 'https://127.0.0.1'],
    ['https://127.0.0.1:443/img/x.vhd', 'https://127.0.0.1/img'],
    ['https://127.0.0.1/img', 'https://127.0.0.1/img'],
    ['https://127.0.0.1/img/a/../b.vhd', 'https://127.0.0.1/img/'],
  ]) {
    const ok = await checkOutboundUrl(url, { allowPrivateNetworks: true, allowedPrefixes: [prefix] });
    assert.ok(ok.url.pathname.startsWith('/'), url);
  }
});

test('an unusable URL prefix stops the server at config load (CONFIG_INVALID)', () => {
  for (const prefix of ['images.example.com/', 'http://images.example.com/', 'https://u:p@images.example.com/', 'https://images.example.com/a%2e%2e/', 'https://images.example.com/?x=1']) {
    assert.throws(
      () => loadConfig({ env: {}, overrides: { imports: { allowedUrlPrefixes: [prefix] } } }),
      (error: any) => error.code === 'CONFIG_INVALID' && error.message.includes('allowedUrlPrefixes'),
      prefix,
    );
  }
  assert.deepEqual(loadConfig({ env: {}, overrides: { imports: { allowedUrlPrefixes: ['https://images.example.com/r'] } } }).imports.allowedUrlPrefixes, ['https://images.example.com/r']);
});

test('the refusal of a non-public host does not tell the publisher which address it resolves to', async () => {
  const error = await checkOutboundUrl('https://localhost/x', { allowPrivateNetworks: false }).catch((e) => e);
  assert.equal(error.code, 'URL_NOT_ALLOWED');
  for (const text of [error.message, error.localized?.de ?? '']) {
    assert.ok(!/127\.0\.0\.1|::1/.test(text), `no resolved address in: ${text}`);
  }
});

test('without private networks, a host that does not resolve reads like one that resolves to a private address', async () => {
  // .invalid never resolves (RFC 6761); localhost resolves to loopback
  const missing = await checkOutboundUrl('https://no-such-host.invalid/x', { allowPrivateNetworks: false }).catch((e) => e);
  const internal = await checkOutboundUrl('https://localhost/x', { allowPrivateNetworks: false }).catch((e) => e);
  for (const language of ['en', 'de'] as const) {
    const a = missing.localized[language].replace('no-such-host.invalid', 'HOST');
    const b = internal.localized[language].replace('localhost', 'HOST');
    assert.equal(a, b, `one text for both (${language})`);
  }
  // where the operator allows private networks there is nothing to hide: the host is named
  const allowed = await checkOutboundUrl('https://no-such-host.invalid/x', { allowPrivateNetworks: true }).catch((e) => e);
  assert.equal(allowed.code, 'UNREACHABLE');
  assert.match(allowed.message, /The host no-such-host\.invalid .* does not resolve/);
});

test('non-public addresses are recognised, including IPv4-mapped IPv6', () => {
  for (const address of [
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '100.64.0.1', '169.254.169.254', '0.0.0.0', '224.0.0.1', '255.255.255.255',
    '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '64:ff9b::a00:1',
  ]) {
    assert.equal(isNonPublicAddress(address), true, address);
  }
  for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
    assert.equal(isNonPublicAddress(address), false, address);
  }
});

test('http, credentials and URLs outside the prefixes are refused before any lookup', async () => {
  await rejectsWith(checkOutboundUrl('http://example.com/x', { allowPrivateNetworks: true }), 'URL_NOT_ALLOWED', 'https');
  await rejectsWith(checkOutboundUrl('https://u:p@127.0.0.1/x', { allowPrivateNetworks: true }), 'URL_NOT_ALLOWED', 'credentials');
  await rejectsWith(checkOutboundUrl('not a url', { allowPrivateNetworks: true }), 'URL_NOT_ALLOWED', 'not a url');
  await rejectsWith(
    checkOutboundUrl('https://127.0.0.1/other/x', { allowPrivateNetworks: true, allowedPrefixes: ['https://127.0.0.1/images/'] }),
    'URL_NOT_ALLOWED',
    'prefix',
  );
  const ok = await checkOutboundUrl('https://127.0.0.1/images/a.vhd', { allowPrivateNetworks: true, allowedPrefixes: ['https://127.0.0.1/images/'] });
  assert.deepEqual(ok.addresses, [{ address: '127.0.0.1', family: 4 }]);
});

test('loopback and private hosts are refused unless private networks are allowed', async () => {
  await rejectsWith(checkOutboundUrl('https://127.0.0.1/x', { allowPrivateNetworks: false }), 'URL_NOT_ALLOWED', '127.0.0.1');
  await rejectsWith(checkOutboundUrl('https://localhost/x', { allowPrivateNetworks: false }), 'URL_NOT_ALLOWED', 'non-public');
  await rejectsWith(checkOutboundUrl('https://[::ffff:127.0.0.1]/x', { allowPrivateNetworks: false }), 'URL_NOT_ALLOWED', 'non-public');
  await rejectsWith(checkOutboundUrl('https://10.0.0.8/x', { allowPrivateNetworks: false }), 'URL_NOT_ALLOWED', '10.0.0.8');
  const allowed = await checkOutboundUrl('https://localhost/x', { allowPrivateNetworks: true });
  assert.ok(allowed.addresses.length > 0);
});

test('safeFetch reaches an allowed http server on the checked address', async (t) => {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.host}`);
    res.end('hello');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  // "localhost" is resolved once, checked, and the connection goes to that address
  const res = await safeFetch(`http://localhost:${port}/ping`, { method: 'GET' }, { allowPrivateNetworks: true, requireHttps: false });
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), 'hello');
  assert.deepEqual(seen, [`GET /ping localhost:${port}`]);
  await rejectsWith(safeFetch(`http://localhost:${port}/ping`, {}, { allowPrivateNetworks: false, requireHttps: false }), 'URL_NOT_ALLOWED', 'non-public');
});
