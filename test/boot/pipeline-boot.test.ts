/**
 * Boot validation in the pipeline, through the real server: an offer with a test drive on a real
 * Debian image (qcow2, as publishers upload it) is booted once by the test-drive step, the
 * certify step reuses that boot of the same bytes, the report carries the boot checks, and the
 * console log downloads from the API — for the offer's publisher only.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { bootableDebianImage, bootableDebianSkip } from '../fixtures/bootable-debian.ts';
import { offerDocument, step, waitForStatus } from '../helpers/offers.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { needs } from '../helpers/tools.ts';

const run = promisify(execFile);
const skip = bootableDebianSkip() || needs('qemu-system-x86_64') || needs('qemu-img');

describe('the pipeline boots the image', { skip }, () => {
  let server: TestServer;
  let token: string;
  before(async () => {
    server = await startTestServer({
      config: {
        certification: { manualReview: false, yaraRules: [], hashLists: [], clamav: { mode: 'off', databaseDir: '/var/lib/clamav' }, boot: 'required' },
        boot: { accelerator: 'tcg', timeoutSeconds: 400 },
      },
    });
    token = await server.createPublisher('contoso');
    const raw = await bootableDebianImage('hardened');
    await run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, path.join(server.importDirOf('contoso'), 'debian.qcow2')]);
  });
  after(async () => server?.close());

  test('test drive boots it, certification reuses the boot, the console downloads', async () => {
    const base = '/api/v1/publishers/contoso/offers/debian-boot';
    const doc = offerDocument({
      id: 'debian-boot',
      publisher: 'contoso',
      osDisk: 'debian.qcow2',
      testDrive: { enabled: true, regions: ['westeurope'], hotInstances: 0, durationHours: 1, userManualUrl: 'https://example.com/manual' },
      plans: [
        {
          id: 'standard',
          title: 'Standard',
          summary: 'Debian 12.',
          description: 'Debian 12 with cloud-init.',
          os: { family: 'linux', type: 'debian', name: 'Debian 12' },
          regions: ['westeurope'],
          openPorts: [{ protocol: 'tcp', port: 22 }],
          pricing: { model: 'free' },
          images: [{ version: '1.0.0', osDisk: 'debian.qcow2' }],
        },
      ],
    });
    assert.equal((await server.api('PUT', base, { token, body: doc })).status, 201);
    assert.equal((await server.api('POST', `${base}/publish`, { token })).status, 202);
    const waiting = await waitForStatus(server.api, token, 'contoso', 'debian-boot', (d) => d.status === 'waitingForPublisherReview', 900_000);
    const testDrive = step(waiting, 'test-drive');
    assert.ok(testDrive.messages.some((m: { text: string }) => /booted and accepted an SSH login/.test(m.text)), JSON.stringify(testDrive.messages));

    const report = (await server.api('GET', `${base}/certification`, { token })).body;
    assert.equal(report.result, 'passed', JSON.stringify(report.checks.filter((c: { status: string }) => c.status !== 'passed')));
    const boots = report.checks.filter((c: { id: string }) => c.id.startsWith('boot.'));
    assert.deepEqual(boots.map((c: { id: string; status: string }) => [c.id, c.status]), [['boot.start', 'passed'], ['boot.provisioning', 'passed'], ['boot.ssh', 'passed'], ['boot.ports', 'passed']]);
    assert.equal(report.boot.accelerator, 'tcg');
    assert.equal(report.bootConsole, `${base}/certification/console`);

    const console = await fetch(`${server.url}${report.bootConsole}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(console.status, 200);
    assert.match(console.headers.get('content-type') ?? '', /^text\/plain/);
    const log = await console.text();
    assert.match(log, /Linux version 6\.1/);
    assert.match(log, /Cloud-init v\. \S+ finished at/);
    // another publisher cannot read it
    const other = await server.api('GET', `${base}/certification/console`, { token: await server.createPublisher('northwind') });
    assert.equal(other.status, 403, JSON.stringify(other.body));
  });
});
