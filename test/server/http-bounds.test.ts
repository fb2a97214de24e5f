/**
 * The HTTP server's own bounds (issue 9, findings 10 and 11), against real servers over real
 * sockets: a client that sends its headers slowly (slowloris) is cut by `http.requestTimeoutMs`;
 * a forged `X-Forwarded-For` changes nothing unless `trustProxy` names the proxy, and then the
 * rate limit keys on the forwarded client; `/metrics` needs the operator token unless
 * `metrics.access: public`.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function server(config: Parameters<typeof startTestServer>[0] extends infer O ? (O extends { config?: infer C } ? C : never) : never): Promise<TestServer> {
  const s = await startTestServer({ workers: false, config });
  servers.push(s);
  return s;
}

/**
 * Sends a request's header lines one every 200 ms and never finishes them; answers how long the
 * server kept the connection open (capped at `giveUpMs`) and whether it closed it.
 */
async function slowloris(url: string, giveUpMs: number): Promise<{ closed: boolean; ms: number; answer: string }> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const started = Date.now();
  let answer = '';
  socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise<boolean>((resolve) => socket.once('close', () => resolve(true)));
  socket.write('GET /healthz HTTP/1.1\r\nHost: vmarket\r\n');
  let n = 0;
  const drip = setInterval(() => {
    if (!socket.destroyed) socket.write(`X-Slow-${n++}: a\r\n`);
  }, 200);
  const result = await Promise.race([closed, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), giveUpMs))]);
  clearInterval(drip);
  socket.destroy();
  return { closed: result, ms: Date.now() - started, answer };
}

test('a request whose headers arrive slowly is cut by http.requestTimeoutMs', async () => {
  const s = await server({ http: { requestTimeoutMs: 1_000 } });
  const cut = await slowloris(s.url, 15_000);
  console.log(`# the slow request was cut after ${cut.ms} ms (requestTimeoutMs 1000): ${JSON.stringify(cut.answer.split('\r\n')[0])}`);
  assert.ok(cut.closed, `the server kept the slow request open for ${cut.ms} ms`);
  // and an ordinary request still works
  assert.equal((await s.api('GET', '/healthz')).status, 200);
});

test('the default request timeout cuts a slow request too', async () => {
  const s = await server({});
  assert.equal(s.ctx.config.http.requestTimeoutMs, 30_000);
  const cut = await slowloris(s.url, 45_000);
  console.log(`# default: the slow request was cut after ${cut.ms} ms`);
  assert.ok(cut.closed, `the server kept the slow request open for ${cut.ms} ms`);
});

test('without trustProxy a forged X-Forwarded-For does not get a client its own rate limit', async () => {
  const s = await server({ rateLimitPerMinute: 3 });
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await s.api('GET', '/api/v1/marketplace', { headers: { 'x-forwarded-for': `203.0.113.${i}` } })).status);
  assert.deepEqual(statuses, [200, 200, 200, 429, 429, 429], 'every request counts against the socket address');
});

test('with trustProxy the rate limit keys on the forwarded client address', async () => {
  const s = await server({ rateLimitPerMinute: 3, trustProxy: ['127.0.0.1'] });
  const as = async (client: string) => (await s.api('GET', '/api/v1/marketplace', { headers: { 'x-forwarded-for': client } })).status;
  const first: number[] = [];
  for (let i = 0; i < 4; i++) first.push(await as('203.0.113.7'));
  assert.deepEqual(first, [200, 200, 200, 429]);
  assert.equal(await as('203.0.113.8'), 200, 'another client behind the same proxy has its own limit');
  // a hop count works the same way
  const hops = await server({ rateLimitPerMinute: 1, trustProxy: 1 });
  assert.equal((await hops.api('GET', '/api/v1/marketplace', { headers: { 'x-forwarded-for': '198.51.100.1' } })).status, 200);
  assert.equal((await hops.api('GET', '/api/v1/marketplace', { headers: { 'x-forwarded-for': '198.51.100.2' } })).status, 200);
});

test('/metrics needs the operator token by default, and none with metrics.access: public', async () => {
  const s = await server({});
  const anonymous = await s.api('GET', '/metrics');
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.body.error.code, 'UNAUTHORIZED');
  const publisher = await s.createPublisher('contoso');
  assert.equal((await s.api('GET', '/metrics', { token: publisher })).status, 403);
  const operator = await s.api('GET', '/metrics', { token: s.operatorToken });
  assert.equal(operator.status, 200);
  assert.match(operator.body, /vmarket_/);

  const open = await server({ metrics: { access: 'public' } });
  const scraped = await open.api('GET', '/metrics');
  assert.equal(scraped.status, 200);
  assert.match(scraped.body, /vmarket_/);
});
