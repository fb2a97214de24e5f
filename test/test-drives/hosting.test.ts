/**
 * Test-drive hosting with a stand-in VM (test/helpers/fake-vm.ts): the customer's start, state,
 * key, console and end over HTTP; the limits naming their config keys; expiry, hot instances and
 * the sweep after a restart (a manager on the server's context with a clock the test moves); the
 * operator's list and stop; no VM left when the server closes. QEMU itself boots in
 * test/web/test-drive.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestDriveManager } from '../../src/test-drives/index.ts';
import { type FakeVm, fakeVms, type FakeVms } from '../helpers/fake-vm.ts';
import { imageFile, publishSlot, validOffer } from '../helpers/offers.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const CUSTOMER = '00000000-0000-4000-8000-00000000c001';
const OTHER = '00000000-0000-4000-8000-00000000c002';
const contact = { name: 'Ada Customer', email: 'ada@example.com', company: 'Analytical' };
const HOUR = 60 * 60 * 1000;

let server: TestServer;
let vms: FakeVms;
let token: string;
let image: { sha256: string; size: number };

/** Publishes `id` live with a test drive whose image is in westeurope, as the pipeline leaves it. */
async function liveOfferWithTestDrive(id: string, testDrive: Record<string, unknown> = {}): Promise<void> {
  const offer = await validOffer(server, {
    id,
    publisher: 'contoso',
    testDrive: { enabled: true, regions: ['westeurope'], hotInstances: 0, durationHours: 1, userManualUrl: 'https://example.com/manual', ...testDrive },
  });
  const operationId = `op-${id}`;
  await publishSlot(server, token, 'live', offer, operationId);
  const source = (offer.plans as { images: { osDisk: string }[] }[])[0].images[0].osDisk;
  await server.ctx.db.kysely
    .insertInto('operations')
    .values({
      id: operationId,
      publisher_id: 'contoso',
      offer_id: id,
      status: 'succeeded',
      snapshot: JSON.stringify(offer),
      snapshot_etag: 'x',
      notify_emails: '[]',
      created_by: 'test',
      artifacts: JSON.stringify({
        'test-drive': { planId: 'standard', source, ...image, regions: ['westeurope'] },
        certify: { images: { [source]: { ...image, format: 'raw' } } },
      }),
    })
    .execute();
}

function start(offer: string, subscriptionId = CUSTOMER) {
  return server.api('POST', `/api/v1/catalog/offers/contoso.${offer}/test-drives`, { body: { subscriptionId, contact } });
}

function asCustomer(method: string, started: { accessToken: string; testDrive: { id: string } }, suffix = '') {
  return server.api(method, `/api/v1/test-drives/${started.testDrive.id}${suffix}`, { headers: { 'x-test-drive-token': started.accessToken } });
}

/** Waits (bounded) until `check` holds. */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await sleep(25);
  }
  assert.fail(`timed out waiting for ${what}`);
}

before(async () => {
  vms = fakeVms();
  server = await startTestServer({
    workers: false,
    startVm: vms.start,
    config: { testDrives: { enabled: true, maxRunning: 3, maxPerCustomer: 1, startsPerCustomerPerDay: 3, loginUser: 'testdrive', password: true } },
  });
  token = await server.createPublisher('contoso');
  const bytes = Buffer.alloc(4096, 7);
  image = { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
  const file = await imageFile(server, 'td.raw');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(file, bytes);
  await server.ctx.regions.get('westeurope')!.store.putFile(file, image.sha256);
  await liveOfferWithTestDrive('drive');
});
after(() => server?.close());

describe('a customer test drive', () => {
  test('start, state with credentials, the key once, the console, end: the VM is gone', async () => {
    const answer = await start('drive');
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    const started = answer.body;
    assert.match(started.accessToken, /^vmk_/);
    assert.equal(started.testDrive.offer, 'contoso.drive');
    assert.equal(started.testDrive.login.user, 'testdrive');
    assert.ok(started.testDrive.login.password, 'a generated password');
    assert.equal(started.testDrive.userManualUrl, 'https://example.com/manual');
    assert.ok(started.testDrive.secondsLeft > 3500 && started.testDrive.secondsLeft <= 3600);

    await until(async () => (await asCustomer('GET', started)).body.status === 'running', 'the VM to run');
    const vm = vms.started.at(-1)!;
    assert.equal(vm.options.login.user, 'testdrive');
    assert.equal(vm.options.login.password, started.testDrive.login.password);
    assert.equal(vm.options.format, 'raw');
    assert.match(vm.options.image, new RegExp(image.sha256));

    const lead = await server.ctx.db.kysely.selectFrom('leads').selectAll().where('id', '=', started.testDrive.leadId).executeTakeFirstOrThrow();
    assert.equal(lead.kind, 'test-drive');
    assert.equal(lead.subscription_id, CUSTOMER);
    assert.equal(lead.contact.email, 'ada@example.com');
    const leads = await server.api('GET', '/api/v1/publishers/contoso/leads', { token });
    assert.ok(leads.body.leads.some((l: any) => l.id === lead.id && l.kind === 'test-drive'), JSON.stringify(leads.body));

    const key = await asCustomer('GET', started, '/private-key');
    assert.equal(key.status, 200);
    assert.match(key.body, /^-----BEGIN OPENSSH PRIVATE KEY-----/);
    assert.equal((await asCustomer('GET', started, '/private-key')).status, 404, 'the key is handed out once');
    assert.equal((await asCustomer('GET', started)).body.login.privateKeyAvailable, false);

    // the console: the token first, then the recorded text, live output, and keystrokes
    vm.print('Debian GNU/Linux 12 test-drive ttyS0\r\n\r\n');
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/test-drives/${started.testDrive.id}/console`);
    ws.binaryType = 'arraybuffer';
    let seen = '';
    ws.onmessage = (event) => (seen += Buffer.from(event.data as ArrayBuffer).toString());
    await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
    ws.send(started.accessToken);
    await until(() => seen.includes('ttyS0'), 'the recorded console');
    vm.print('test-drive login: ');
    await until(() => seen.includes('login:'), 'live console output');
    ws.send('testdrive\r');
    await until(() => vm.input.join('') === 'testdrive\r', 'keystrokes to the guest');

    const closed = new Promise<number>((resolve) => (ws.onclose = (event) => resolve(event.code)));
    const ended = await asCustomer('DELETE', started);
    assert.equal(ended.status, 200);
    assert.equal(ended.body.status, 'ended');
    assert.equal(ended.body.endReason, 'customer');
    assert.equal(ended.body.login.password, null);
    assert.equal(vm.stopped, true, 'the VM is stopped when the end answers');
    assert.equal(await closed, 4000);
    assert.equal((await asCustomer('DELETE', started)).body.status, 'ended', 'ending again answers the same');
  });

  test('a wrong token opens nothing', async () => {
    const started = (await start('drive', OTHER)).body;
    const wrong = { ...started, accessToken: 'vmk_not-it' };
    for (const [method, suffix] of [['GET', ''], ['DELETE', ''], ['GET', '/private-key']] as const) {
      const answer = await asCustomer(method, wrong, suffix);
      assert.equal(answer.status, 404, `${method} ${suffix}`);
    }
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/test-drives/${started.testDrive.id}/console`);
    await new Promise((resolve) => (ws.onopen = resolve));
    const code = new Promise<number>((resolve) => (ws.onclose = (event) => resolve(event.code)));
    ws.send('vmk_not-it');
    assert.equal(await code, 4001);
    await asCustomer('DELETE', started);
  });

  test('a VM that does not start marks the test drive failed', async () => {
    vms.failWith = new Error('qemu: could not open the image');
    try {
      const started = (await start('drive')).body;
      await until(async () => (await asCustomer('GET', started)).body.status === 'failed', 'the failure');
      assert.equal((await asCustomer('GET', started)).body.endReason, 'start-failed');
    } finally {
      vms.failWith = undefined;
    }
  });
});

describe('limits', () => {
  test('per customer running, per customer per day, and in total, each naming its key', async () => {
    await server.ctx.db.kysely.deleteFrom('test_drives').execute();
    const first = (await start('drive')).body;
    const again = await start('drive');
    assert.equal(again.status, 429);
    assert.match(again.body.error.message, /testDrives\.maxPerCustomer/);
    await asCustomer('DELETE', first);
    await asCustomer('DELETE', (await start('drive')).body);
    await asCustomer('DELETE', (await start('drive')).body);
    const today = await start('drive');
    assert.equal(today.status, 429);
    assert.match(today.body.error.message, /testDrives\.startsPerCustomerPerDay/);

    const others = [];
    for (let i = 0; i < 3; i++) others.push((await start('drive', `00000000-0000-4000-8000-0000000001${i}0`)).body);
    const full = await start('drive', OTHER.replace('c002', 'c0ff'));
    assert.equal(full.status, 429);
    assert.match(full.body.error.message, /testDrives\.maxRunning/);
    for (const o of others) await asCustomer('DELETE', o);
  });

  test('the offer page says hosting is on; an offer without a test drive refuses', async () => {
    const page = await server.api('GET', '/api/v1/catalog/offers/contoso.drive');
    assert.equal(page.body.testDrive.hosted, true);
    await publishSlot(server, token, 'live', await validOffer(server, { id: 'plain', publisher: 'contoso' }));
    const refused = await start('plain');
    assert.equal(refused.status, 404);
    assert.match(refused.body.error.message, /no test drive/);
  });
});

describe('the operator', () => {
  test('lists running test drives and stops one, audited', async () => {
    await server.ctx.db.kysely.deleteFrom('test_drives').execute();
    const started = (await start('drive', OTHER)).body;
    await until(async () => (await asCustomer('GET', started)).body.status === 'running', 'the VM to run');
    const list = await server.api('GET', '/api/v1/test-drives', { token: server.operatorToken });
    assert.equal(list.status, 200);
    const row = list.body.testDrives.find((d: any) => d.id === started.testDrive.id);
    assert.equal(row.subscriptionId, OTHER);
    assert.equal(row.email, contact.email);
    assert.equal((await server.api('GET', '/api/v1/test-drives', { token })).status, 403, 'publishers do not see them');

    const before = vms.running().length;
    const stopped = await server.api('POST', `/api/v1/test-drives/${started.testDrive.id}/stop`, { token: server.operatorToken });
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    assert.equal(stopped.body.status, 'ended');
    assert.equal(vms.running().length, before - 1);
    assert.equal((await asCustomer('GET', started)).body.endReason, 'operator');
    assert.equal((await server.api('POST', `/api/v1/test-drives/${started.testDrive.id}/stop`, { token: server.operatorToken })).status, 409);
    const audit = await server.ctx.db.kysely.selectFrom('audit_events').selectAll().where('route', '=', '/api/v1/test-drives/:drive/stop').orderBy('at').execute();
    assert.equal(audit[0].actor_kind, 'operator');
    assert.equal(audit[0].outcome, 'succeeded');
    assert.match(audit[0].target ?? '', new RegExp(started.testDrive.id));
  });
});

describe('expiry, hot instances, restarts', () => {
  test('a test drive past durationHours is destroyed by the sweep', async () => {
    await server.ctx.db.kysely.deleteFrom('test_drives').execute();
    let now = new Date();
    const manager = new TestDriveManager(server.ctx, { startVm: vms.start, settings: server.ctx.config.boot, now: () => now });
    try {
      const started = await manager.startTestDrive({ publisherId: 'contoso', offerId: 'drive', subscriptionId: CUSTOMER, contact });
      await until(() => manager.runningVm(started.testDrive.id) !== undefined, 'the VM');
      const vm = vms.started.at(-1)!;
      now = new Date(now.getTime() + HOUR - 1000);
      await manager.sweep();
      assert.equal(vm.stopped, false, 'still within its hour');
      now = new Date(now.getTime() + 2000);
      await manager.sweep();
      assert.equal(vm.stopped, true);
      const view = await manager.get(started.testDrive.id, started.accessToken);
      assert.equal(view.status, 'ended');
      assert.equal(view.endReason, 'expired');
    } finally {
      await manager.close();
    }
  });

  test('hot instances are booted in advance, taken by a start, and refilled', async () => {
    await server.ctx.db.kysely.deleteFrom('test_drives').execute();
    await liveOfferWithTestDrive('hot', { hotInstances: 1 });
    const manager = new TestDriveManager(server.ctx, { startVm: vms.start, settings: server.ctx.config.boot });
    try {
      await manager.sweep();
      const open = () => server.ctx.db.kysely.selectFrom('test_drives').selectAll().where('offer_id', '=', 'hot').where('status', 'in', ['starting', 'running']).execute();
      await until(async () => (await open()).some((r) => r.hot && r.status === 'running'), 'a hot instance');
      const hotVm = vms.started.at(-1)!;
      const booted = vms.started.length;
      const started = await manager.startTestDrive({ publisherId: 'contoso', offerId: 'hot', subscriptionId: CUSTOMER, contact });
      assert.equal(started.testDrive.status, 'running', 'a hot instance runs already');
      assert.equal(manager.runningVm(started.testDrive.id), hotVm, 'the hot VM was taken');
      assert.equal(started.testDrive.login.password, hotVm.options.login.password);
      await until(async () => (await open()).filter((r) => r.hot).length === 1 && vms.started.length === booted + 1, 'the pool refilled');
      await manager.end(started.testDrive.id, started.accessToken);
    } finally {
      await manager.close();
    }
    assert.equal((await server.ctx.db.kysely.selectFrom('test_drives').select('id').where('offer_id', '=', 'hot').where('status', 'in', ['starting', 'running']).execute()).length, 0);
    await server.ctx.db.kysely.updateTable('offers').set({ live: null }).where('id', '=', 'hot').execute();
  });

  test('a VM whose row another process ended is stopped by the sweep', async () => {
    await server.ctx.db.kysely.deleteFrom('test_drives').execute();
    const manager = new TestDriveManager(server.ctx, { startVm: vms.start, settings: server.ctx.config.boot });
    try {
      const started = await manager.startTestDrive({ publisherId: 'contoso', offerId: 'drive', subscriptionId: CUSTOMER, contact });
      await until(() => manager.runningVm(started.testDrive.id) !== undefined, 'the VM');
      const vm = manager.runningVm(started.testDrive.id) as FakeVm;
      await server.ctx.db.kysely.updateTable('test_drives').set({ status: 'ended', end_reason: 'operator', ended_at: new Date() }).where('id', '=', started.testDrive.id).execute();
      await manager.sweep();
      assert.equal(vm.stopped, true);
    } finally {
      await manager.close();
    }
  });

  test('under KVM the VM is on trial: a kernel that reaches user space keeps KVM, a silent one boots again under TCG', async () => {
    await server.ctx.db.kysely.deleteFrom('test_drives').execute();
    const kvm = fakeVms();
    kvm.accelerator = (options) => (options.settings.accelerator === 'tcg' ? 'tcg' : 'kvm');
    const manager = new TestDriveManager(server.ctx, { startVm: kvm.start, settings: { ...server.ctx.config.boot, accelerator: 'auto' }, kvmSilenceMs: 300 });
    const running = async (id: string) => (await server.ctx.db.kysely.selectFrom('test_drives').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status === 'running';
    try {
      kvm.onStart = (vm) => setTimeout(() => vm.print('[    0.912345] Run /sbin/init as init process\r\n'), 50);
      const good = await manager.startTestDrive({ publisherId: 'contoso', offerId: 'drive', subscriptionId: CUSTOMER, contact });
      await until(() => running(good.testDrive.id), 'the KVM VM to run');
      assert.deepEqual(kvm.started.map((vm) => vm.accelerator), ['kvm']);
      await manager.end(good.testDrive.id, good.accessToken);

      kvm.onStart = (vm) => vm.print('Welcome to GRUB!\r\n[    0.100000] Memory: 260860K/1048044K available\r\n');
      const hung = await manager.startTestDrive({ publisherId: 'contoso', offerId: 'drive', subscriptionId: OTHER, contact });
      assert.equal(hung.testDrive.status, 'starting');
      await until(() => running(hung.testDrive.id), 'the VM booted again under TCG');
      assert.deepEqual(kvm.started.map((vm) => vm.accelerator), ['kvm', 'kvm', 'tcg']);
      assert.equal(kvm.started[1].stopped, true, 'the hung KVM guest was stopped');
      assert.equal(manager.runningVm(hung.testDrive.id), kvm.started[2]);
      assert.equal(kvm.started[2].options.login.password, kvm.started[1].options.login.password, 'the same credentials');
    } finally {
      await manager.close();
    }
    assert.equal(kvm.running().length, 0);
  });

  test('rows of a process that stopped beating are ended by the sweep', async () => {
    const id = randomUUID();
    await server.ctx.db.kysely
      .insertInto('test_drives')
      .values({ id, publisher_id: 'contoso', offer_id: 'drive', plan_id: 'standard', region: 'westeurope', image_sha256: image.sha256, status: 'running', owner: 'td-gone', heartbeat_at: new Date(Date.now() - 10 * 60_000) })
      .execute();
    const manager = new TestDriveManager(server.ctx, { startVm: vms.start, settings: server.ctx.config.boot });
    try {
      await manager.sweep();
    } finally {
      await manager.close();
    }
    const row = await server.ctx.db.kysely.selectFrom('test_drives').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.status, 'ended');
    assert.equal(row.end_reason, 'process-stopped');
  });
});

describe('closing the server', () => {
  test('stops every VM and a restart finds the rows ended', async () => {
    await server.ctx.db.kysely.deleteFrom('test_drives').execute();
    const started = (await start('drive', OTHER)).body;
    await until(() => vms.running().length > 0, 'a VM');
    // a VM of a process that died (no close): its row is still open when the server starts again
    const crashed = randomUUID();
    await server.ctx.db.kysely
      .insertInto('test_drives')
      .values({ id: crashed, publisher_id: 'contoso', offer_id: 'drive', plan_id: 'standard', region: 'westeurope', image_sha256: image.sha256, status: 'running', owner: 'td-crashed' })
      .execute();
    await server.close({ keep: true });
    assert.equal(vms.running().length, 0, 'no VM outlives the server');
    server = await startTestServer({ root: server.root, workers: false, startVm: vms.start, config: { testDrives: { enabled: true } } });
    const view = await asCustomer('GET', started);
    assert.equal(view.body.status, 'ended');
    assert.equal(view.body.endReason, 'shutdown');
    const row = await server.ctx.db.kysely.selectFrom('test_drives').selectAll().where('id', '=', crashed).executeTakeFirstOrThrow();
    assert.deepEqual([row.status, row.end_reason], ['ended', 'process-stopped']);
  });
});
