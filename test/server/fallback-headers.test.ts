/**
 * The server-rendered stand-in pages (no built web app), their 404 pages and every other answer
 * carry the web app's Content-Security-Policy and security headers (issue 9, finding 11); the
 * stand-in holds no inline style the policy would block, its stylesheet comes from this server.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ workers: false });
});
after(async () => server?.close());

test('the stand-in pages, their 404s and error answers carry the CSP and security headers', async () => {
  for (const [path, status] of [
    ['/', 200],
    ['/portal', 200],
    ['/offers/contoso.missing', 404],
    ['/no-such-page', 404],
    ['/api/v1/publishers', 401],
  ] as const) {
    const answer = await fetch(server.url + path);
    assert.equal(answer.status, status, path);
    const csp = answer.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/, `${path}: ${csp}`);
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.equal(answer.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(answer.headers.get('referrer-policy'), 'same-origin', path);
    const text = await answer.text();
    if ((answer.headers.get('content-type') ?? '').includes('html')) {
      assert.doesNotMatch(text, /<style|style=|<script/, `${path}: nothing inline for the policy to block`);
    }
  }
  const css = await fetch(server.url + '/vmarket-fallback.css');
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
});
