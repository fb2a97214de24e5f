/**
 * Scaled out: an API-only server (no workers) and a separate `vmarket worker` process share one
 * PostgreSQL database and the same stores; the worker process runs every step and the offer goes
 * live. The embedded database is refused by `vmarket worker` with one sentence.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { baseLinuxTree, buildImage } from '../fixtures/images.ts';
import { postgresUnavailable, startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { BIN, cliEnv, NODE, ROOT, vmarket } from '../helpers/cli.ts';
import { offerDocument, step, waitForStatus } from '../helpers/offers.ts';

describe('an API-only server and a worker process on PostgreSQL', { skip: postgresUnavailable() ?? false }, () => {
  let pg: TestPostgres;
  let server: TestServer;
  let worker: ChildProcess | undefined;
  let workerOut = '';

  before(async () => {
    pg = await startPostgres();
    server = await startTestServer({ postgresUrl: pg.url, workers: false });
  });
  after(async () => {
    if (worker && worker.exitCode === null) worker.kill('SIGKILL');
    await server?.close();
    await pg?.stop();
  });

  test('the worker process runs every step to live', async () => {
    const token = await server.createPublisher('contoso');
    const image = path.join(server.importDirOf('contoso'), 'scale.vhd');
    await buildImage({ ...baseLinuxTree(), output: image });
    const base = '/api/v1/publishers/contoso/offers/scale-out';
    assert.equal((await server.api('PUT', base, { token, body: offerDocument({ id: 'scale-out', publisher: 'contoso', osDisk: image }) })).status, 201);
    assert.equal((await server.api('POST', `${base}/publish`, { token })).status, 202);
    await sleep(1500);
    const queued = (await server.api('GET', `${base}/status`, { token })).body;
    assert.equal(step(queued, 'validate').status, 'notStarted', 'the API-only server runs no step itself');

    const config = path.join(server.dataDir, 'worker.yaml');
    await writeFile(
      config,
      JSON.stringify({
        dataDir: server.dataDir,
        database: pg.url,
        imports: { allowedDirs: [server.importDir] },
        certification: { clamav: { mode: 'off' }, boot: 'off' },
        sweepIntervalSeconds: 1,
      }),
    );
    worker = spawn(NODE, [BIN, 'worker', '--config', config], { cwd: ROOT, env: cliEnv({ VMARKET_LOG_LEVEL: 'warn' }), stdio: ['ignore', 'pipe', 'pipe'] });
    worker.stdout!.setEncoding('utf8').on('data', (d: string) => (workerOut += d));
    worker.stderr!.setEncoding('utf8').on('data', (d: string) => (workerOut += d));

    const review = await waitForStatus(server.api, token, 'contoso', 'scale-out', (d) => d.status === 'waitingForPublisherReview', 90_000);
    assert.equal(step(review, 'certify').status, 'complete', workerOut);
    assert.equal((await server.api('POST', `${base}/golive`, { token })).status, 202);
    const live = await waitForStatus(server.api, token, 'contoso', 'scale-out', (d) => d.status === 'succeeded', 90_000);
    assert.ok(live.liveLinks.length > 0);
    assert.match(workerOut, /vmarket worker is running/);

    worker.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => (worker!.exitCode !== null ? resolve(worker!.exitCode) : worker!.once('exit', resolve)));
    assert.equal(code, 0, workerOut);
  });
});

test('vmarket worker refuses the embedded database with one sentence (exit 2)', async () => {
  const result = await vmarket(['worker']);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /needs a PostgreSQL database/);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
});
