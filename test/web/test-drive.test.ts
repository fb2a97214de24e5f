/**
 * A real test drive in a real browser: a `vmarket serve` hosting test drives, an offer whose
 * test drive runs the real bootable Debian 12 image (test/fixtures/bootable-debian.ts) published
 * through the whole pipeline to live (certification's boot off: this test boots it itself), then
 * in Chromium: start the test drive on the offer page, the xterm.js console shows the guest's
 * `login:` prompt and logs in with the password the page shows, the operator sees it running,
 * the customer ends it, and no QEMU process is left (/proc has none naming the server's data).
 *
 * Skipped with the reason when Chromium, QEMU or the bootable image cannot be had. The VM boots
 * under software emulation (TCG) unless VMARKET_TEST_ACCELERATOR says `kvm` or `auto`: where KVM
 * is nested in another VM the guest kernel can hang early, and the test would only measure that.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, link, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { bootableDebianImage, bootableDebianSkip } from '../fixtures/bootable-debian.ts';
import { offerDocument } from '../helpers/offers.ts';
import { hasTool } from '../helpers/tools.ts';
import { browserUnavailable, launchBrowser, newPage, problemsOf, screenshot, signIn, startWebServer, type WebServer } from './harness.ts';

const PUB = 'contoso';
const OFFER = 'debian-drive';
const SUBSCRIPTION = '7e57d21e-0000-4000-8000-000000000001';
const ACCELERATOR = process.env.VMARKET_TEST_ACCELERATOR ?? 'tcg';
/** Software emulation on a busy machine takes minutes; the bound stops a boot that hangs. */
const BOOT_BOUND_MS = 8 * 60_000;

function skipReason(): string | false {
  const browser = browserUnavailable();
  if (browser) return browser;
  if (!hasTool('qemu-system-x86_64')) return 'qemu-system-x86_64 not installed (apt-get install qemu-system-x86): the real test drive is skipped';
  if (!hasTool('qemu-img')) return 'qemu-img not installed (apt-get install qemu-utils): the real test drive is skipped';
  const image = bootableDebianSkip();
  return image ? `no bootable Debian image: ${image}` : false;
}
const skip = skipReason();

/** The pids of processes whose command line names `dir` (the VMs' overlays and sockets live under it). */
async function processesNaming(dir: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('qemu-system') && cmdline.includes(dir)) found.push(Number(entry));
  }
  return found;
}

/** Polls the publication (bounded: a 3 GiB image is staged, certified and copied) until it is live. */
async function waitUntilLive(server: WebServer, token: string): Promise<void> {
  let last: any;
  for (let i = 0; i < 900; i++) {
    last = (await server.api('GET', `/publishers/${PUB}/offers/${OFFER}/status`, { token })).body;
    if (last.status === 'waitingForPublisherReview') {
      const golive = await server.api('POST', `/publishers/${PUB}/offers/${OFFER}/golive`, { token });
      assert.equal(golive.status, 202, JSON.stringify(golive.body));
    }
    if (last.status === 'succeeded') return;
    if (['failed', 'canceled'].includes(last.status)) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  assert.fail(`the offer never went live: ${JSON.stringify(last?.steps?.map((s: any) => [s.id, s.status, s.messages?.at(-1)?.message]))}\n${server.output()}`);
}

/** The text the terminal shows (xterm.js's rows). */
function terminalText(page: Page): Promise<string> {
  return page.locator('[data-testid="test-drive-terminal"] .xterm-rows').innerText();
}

async function waitForTerminal(page: Page, pattern: RegExp, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (pattern.test(await terminalText(page).catch(() => ''))) return;
    await page.waitForTimeout(500);
  }
  assert.fail(`the console never showed ${what}; it shows:\n${await terminalText(page).catch(() => '(nothing)')}`);
}

describe('web app: a real test drive', { skip }, () => {
  let server: WebServer;
  let browser: Browser;
  let token: string;

  before(async () => {
    const [image, started, launched] = await Promise.all([
      bootableDebianImage('hardened'),
      startWebServer({
        testDrives: { enabled: true, maxRunning: 2, maxPerCustomer: 1 },
        certification: { manualReview: false, yaraRules: [], hashLists: [], clamav: { mode: 'off', databaseDir: '/var/lib/clamav' }, boot: 'off' },
        boot: { accelerator: ACCELERATOR, memoryMiB: 1024, cpus: 1 },
        regions: [{ name: 'westeurope', storage: { type: 'fs', path: 'regions/westeurope' } }],
      }),
      launchBrowser(),
    ]);
    server = started;
    browser = launched;
    token = await server.createPublisher(PUB, 'Contoso Ltd');
    // the publisher's import directory holds the image as a hard link: nothing is copied, and
    // QEMU only ever reads it (the VM writes to its own overlay)
    await mkdir(path.join(server.importDir, PUB), { recursive: true });
    await link(image, path.join(server.importDir, PUB, 'debian-12.raw'));
    const doc = offerDocument({
      id: OFFER,
      publisher: PUB,
      osDisk: 'debian-12.raw',
      regions: ['westeurope'],
      listing: { title: 'Debian 12 test drive' },
      testDrive: { enabled: true, regions: ['westeurope'], hotInstances: 0, durationHours: 1, userManualUrl: 'https://example.com/manual' },
    });
    const plan = (doc.plans as Record<string, any>[])[0];
    plan.os = { family: 'linux', type: 'debian', name: 'Debian 12' };
    plan.images[0].osDiskFormat = 'raw';
    await server.submit(token, doc);
    await waitUntilLive(server, token);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('start it on the offer page, log in on the console, end it: QEMU is gone', async () => {
    const { context, page } = await newPage(browser);
    const started = Date.now();
    await page.goto(`${server.url}/offers/${PUB}.${OFFER}`);
    const section = page.locator('section.test-drive');
    await section.getByLabel('Subscription ID').fill(SUBSCRIPTION);
    await section.getByLabel('Name', { exact: true }).fill('Ada Customer');
    await section.getByLabel('Email').fill('ada@example.com');
    await section.getByRole('button', { name: 'Start test drive' }).click();
    await page
      .getByTestId('test-drive-status')
      .filter({ hasText: 'Running' })
      // under `auto` a KVM that cannot run the kernel costs its trial before software emulation
      .waitFor({ timeout: BOOT_BOUND_MS })
      .catch(async (error: Error) => {
        await screenshot(page, 'test-drive-not-running');
        assert.fail(`the test drive did not run (${error.message}): the page says ${await page.locator('section.test-drive').innerText()}\n${server.output()}`);
      });
    const password = await page.getByTestId('test-drive-password').innerText();
    assert.ok(password.length >= 12, 'a generated password is shown');

    const vms = await processesNaming(server.dataDir);
    assert.equal(vms.length, 1, 'one QEMU runs for the test drive');

    await waitForTerminal(page, /login:/, 'a login prompt', BOOT_BOUND_MS);
    const loginAfter = Math.round((Date.now() - started) / 1000);
    // cloud-init may still write after getty's prompt: Enter asks getty for a fresh one
    await page.locator('[data-testid="test-drive-terminal"]').click();
    await page.keyboard.press('Enter');
    await waitForTerminal(page, /login: ?$/m, 'a fresh login prompt', 60_000);
    await screenshot(page, 'test-drive-login-prompt');
    // the account the seed made, with the password the page shows
    await page.keyboard.type('testdrive\r');
    await waitForTerminal(page, /Password:\s*$/m, 'the password prompt', 60_000);
    await page.keyboard.type(`${password}\r`);
    await waitForTerminal(page, /testdrive@[^\s:]+:~\$\s*$/m, 'a shell prompt', 60_000);
    await screenshot(page, 'test-drive-logged-in');

    // the operator sees it running
    const operator = await newPage(browser);
    await signIn(operator.page, server, server.operatorToken, '/operator/test-drives');
    await operator.page.getByRole('cell', { name: `${PUB}.${OFFER}` }).waitFor();
    await screenshot(operator.page, 'test-drive-operator');
    await operator.context.close();

    await section.getByRole('button', { name: 'End test drive' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'End and destroy' }).click();
    await page.getByTestId('test-drive-status').filter({ hasText: 'Ended' }).waitFor({ timeout: 30_000 });
    assert.deepEqual(await processesNaming(server.dataDir), [], 'no QEMU is left once the test drive ended');
    for (const pid of vms) assert.equal(await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null), null, `QEMU ${pid} is gone`);
    await page.getByText('You ended the test drive').waitFor();
    await screenshot(page, 'test-drive-ended');

    const leads = await server.api('GET', `/publishers/${PUB}/offers/${OFFER}/leads`, { token });
    assert.equal(leads.body.leads.filter((l: any) => l.kind === 'test-drive').length, 1, 'the start is a lead, marked as a test drive');
    assert.deepEqual(problemsOf(page), []);
    await context.close();
    console.log(`# test drive (${ACCELERATOR}): login prompt in the browser ${loginAfter} s after the start`);
  });
});
