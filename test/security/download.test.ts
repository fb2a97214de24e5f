import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { downloadToFile, type DownloadConfig } from '../../src/security/urls.ts';
import { hasOpenssl, startHttpsReceiver, type HttpsReceiver, type HttpsResponder } from '../helpers/receivers.ts';
import { rejectsWith } from '../helpers/assert.ts';

/** An HTTPS image server and a scratch directory, both removed after the test. */
async function imageServer(t: { after: (fn: () => Promise<void>) => void }, respond?: HttpsResponder, body?: Buffer) {
  const server = await startHttpsReceiver([200], body, respond);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmarket-download-'));
  t.after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { server, file: path.join(dir, 'image.vhd'), origin: new URL(server.url).origin };
}

/** The download settings of a server trusting `server`'s CA, allowing loopback and `prefix`. */
function configFor(server: HttpsReceiver, prefix: string, imports: Partial<DownloadConfig['imports']> = {}): DownloadConfig {
  return {
    trustedCaFiles: [server.caFile],
    imports: { allowedUrlPrefixes: [prefix], allowPrivateNetworks: true, maxDownloadBytes: 1024 ** 3, downloadTimeoutSeconds: 600, downloadStallSeconds: 60, ...imports },
  };
}

const exists = (file: string) => access(file).then(() => true, () => false);

test('downloadToFile streams an allowed https URL, trusting the configured CA', async (t) => {
  if (!(await hasOpenssl())) return t.skip('openssl not installed');
  const content = Buffer.from('disk image bytes '.repeat(1000));
  const { server, file, origin } = await imageServer(t, undefined, content);
  const config = configFor(server, `${origin}/`);

  assert.deepEqual(await downloadToFile(server.url, file, { config }), { bytes: content.length });
  assert.deepEqual(await readFile(file), content);

  await rejectsWith(downloadToFile(server.url, file, { config: configFor(server, 'https://images.example/') }), 'URL_NOT_ALLOWED', 'prefix');
  await rejectsWith(downloadToFile(server.url, file, { config: configFor(server, `${origin}/`, { allowPrivateNetworks: false }) }), 'URL_NOT_ALLOWED', 'non-public');
  await rejectsWith(downloadToFile(server.url, file, { config: { ...config, trustedCaFiles: [] } }), 'UNREACHABLE', 'self-signed');
  assert.equal(server.requests.length, 1, 'refused URLs are never requested; the untrusted one fails in TLS');
});

test('a redirect from an allowed URL to one outside the prefix is refused before it is requested', async (t) => {
  if (!(await hasOpenssl())) return t.skip('openssl not installed');
  let redirectClosed!: (finished: boolean) => void;
  const redirectEnded = new Promise<boolean>((resolve) => (redirectClosed = resolve));
  const timers = new Set<NodeJS.Timeout>();
  t.after(() => timers.forEach((timer) => clearInterval(timer)));
  const { server, file, origin } = await imageServer(t, (req, res) => {
    if (req.url === '/images/a.vhd') res.writeHead(302, { location: '/internal/secret' }).end();
    else if (req.url === '/images/b.vhd') res.writeHead(302, { location: '/images/sub/b.vhd' }).end();
    else if (req.url === '/images/c.vhd') {
      // a redirect with an endless body (64 KiB every 50 ms, bounded at 5 s so a reader that drains it still ends)
      res.writeHead(302, { location: '/images/sub/c.vhd' });
      let left = 100;
      const timer = setInterval(() => (--left <= 0 ? res.end() : res.write(Buffer.alloc(64 * 1024))), 50);
      timers.add(timer);
      res.on('close', () => {
        clearInterval(timer);
        redirectClosed(res.writableFinished);
      });
    } else res.end('content of ' + req.url);
  });
  const config = configFor(server, `${origin}/images/`);
  await rejectsWith(downloadToFile(`${origin}/images/a.vhd`, file, { config }), 'URL_NOT_ALLOWED', '/internal/secret');
  assert.deepEqual(server.requests.map((r) => r.url), ['/images/a.vhd'], 'the redirect target outside the prefix was never requested');
  assert.equal(await exists(file), false);

  // a redirect that stays under the prefix is followed
  await downloadToFile(`${origin}/images/b.vhd`, file, { config });
  assert.equal(await readFile(file, 'utf8'), 'content of /images/sub/b.vhd');
  // the body of a redirect is not read: its connection is closed at once
  await downloadToFile(`${origin}/images/c.vhd`, file, { config });
  assert.equal(await readFile(file, 'utf8'), 'content of /images/sub/c.vhd');
  assert.equal(await redirectEnded, false, 'the download hung up on the redirect before its body ended');
});

test('a download larger than imports.maxDownloadBytes fails with one error and leaves no file', async (t) => {
  if (!(await hasOpenssl())) return t.skip('openssl not installed');
  const chunk = Buffer.alloc(64 * 1024, 7);
  const { server, file, origin } = await imageServer(t, (req, res) => {
    if (req.url === '/announced.vhd') {
      // says up front that it is too large
      res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
      res.write(chunk);
      return;
    }
    // chunked, no length: streams 2 MiB (bounded, so an uncapped download still ends)
    res.writeHead(200);
    let sent = 0;
    const more = () => {
      while (sent < 32 && res.write(chunk)) sent++;
      if (sent >= 32) res.end();
      else res.once('drain', () => { sent++; more(); });
    };
    more();
  });
  const config = configFor(server, `${origin}/`, { maxDownloadBytes: 1024 * 1024 });
  await rejectsWith(downloadToFile(`${origin}/announced.vhd`, file, { config }), 'DOWNLOAD_TOO_LARGE', '1048576 bytes');
  assert.equal(await exists(file), false, 'nothing was written for an announced oversize');
  await rejectsWith(downloadToFile(`${origin}/streamed.vhd`, file, { config }), 'DOWNLOAD_TOO_LARGE', '1048576 bytes');
  assert.equal(await exists(file), false, 'the partial file is removed');
});

test('a download slower than imports.downloadTimeoutSeconds, or stalled, is stopped and leaves no file', async (t) => {
  if (!(await hasOpenssl())) return t.skip('openssl not installed');
  const timers = new Set<NodeJS.Timeout>();
  t.after(() => timers.forEach((timer) => clearInterval(timer)));
  const { server, file, origin } = await imageServer(t, (req, res) => {
    res.writeHead(200);
    if (req.url === '/stalled.vhd') {
      res.write('a');
      return; // never another byte
    }
    // a byte every 100 ms, for at most 10 s: always busy, never done in time
    let left = 100;
    const timer = setInterval(() => {
      if (--left <= 0) {
        clearInterval(timer);
        res.end();
      } else res.write('x');
    }, 100);
    timers.add(timer);
  });
  const started = Date.now();
  await rejectsWith(downloadToFile(`${origin}/slow.vhd`, file, { config: configFor(server, `${origin}/`, { downloadTimeoutSeconds: 1 }) }), 'UNREACHABLE', 'within 1 seconds');
  t.diagnostic(`the slow download was stopped after ${Date.now() - started} ms (limit 1 s)`);
  assert.equal(await exists(file), false);
  const stalledAt = Date.now();
  await rejectsWith(downloadToFile(`${origin}/stalled.vhd`, file, { config: configFor(server, `${origin}/`, { downloadStallSeconds: 1 }) }), 'UNREACHABLE', 'stalled.vhd');
  t.diagnostic(`the stalled download was stopped after ${Date.now() - stalledAt} ms (stall limit 1 s)`);
  assert.equal(await exists(file), false);
});
