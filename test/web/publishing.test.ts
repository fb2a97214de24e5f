/**
 * The publishing page in a real browser against a real `vmarket serve`: the timeline following a
 * publication live (Server-Sent Events, and polling when the stream is unavailable), a stuck step
 * flagged with its ticket, the certification report with failed checks first, going live with a
 * confirmation, German, and a phone-width layout. The server runs with manual certification
 * review and a 1 s expected maximum for certification, so every certification waits for the
 * operator and becomes stuck on the way.
 *
 * Also unit checks of the page's pure parts: the Server-Sent Events parser and the check order.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { SseParser } from '../../src/web/src/api/status-stream.ts';
import type { CheckResult as CertificationCheck, Step } from '../../src/contracts/index.ts';
import { sortChecks } from '../../src/web/src/pages/portal/publishing/check-order.ts';
import { isOverdue } from '../../src/web/src/pages/portal/publishing/step-timing.ts';
import { baseLinuxTree, buildImage } from '../fixtures/images.ts';
import { offerDocument } from '../helpers/offers.ts';
import { browserUnavailable, launchBrowser, newPage, problemsOf, REVIEW_PAST_MAXIMUM, screenshot, startWebServer, type WebServer } from './harness.ts';

describe('status stream parser', () => {
  test('events split by blank lines, in chunks cut anywhere, with multi-line data; comments ignored; retry kept', () => {
    const text = 'retry: 2000\n\n: keepalive\n\nevent: status\ndata: {"a":\ndata: 1}\n\r\ndata:plain\r\n\r\nevent: status\ndata: {"b":2}\n\n';
    for (const size of [1, 2, 5, text.length]) {
      const parser = new SseParser();
      const events = [];
      for (let i = 0; i < text.length; i += size) events.push(...parser.feed(text.slice(i, i + size)));
      assert.deepEqual(
        events,
        [
          { event: 'status', data: '{"a":\n1}' },
          { event: 'message', data: 'plain' },
          { event: 'status', data: '{"b":2}' },
        ],
        `chunks of ${size}`,
      );
      assert.equal(parser.retryMs, 2000);
    }
  });

  test('an event without its closing blank line is not dispatched yet; one without data never', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.feed('event: status\ndata: {}\n'), []);
    assert.deepEqual(parser.feed('\n'), [{ event: 'status', data: '{}' }]);
    assert.deepEqual(parser.feed('event: status\n\n: only a comment\n\n'), []);
  });
});

describe('publishing page rules', () => {
  const check = (id: string, status: CertificationCheck['status'], severity: CertificationCheck['severity'] = 'error'): CertificationCheck => ({
    id,
    status,
    severity,
    title: id,
    message: '',
    evidence: [],
    remediation: '',
  });

  test('checks are shown failed first, then warnings, passed and skipped; errors before warnings; else in report order', () => {
    const order = sortChecks([
      check('a', 'passed'),
      check('b', 'skipped'),
      check('c', 'warning'),
      check('d', 'failed', 'warning'),
      check('e', 'failed'),
      check('f', 'passed'),
      check('g', 'failed'),
    ]).map((c) => c.id);
    assert.deepEqual(order, ['e', 'g', 'd', 'c', 'a', 'f', 'b']);
  });

  test('a running step is overdue past its maximum or when flagged stuck; a finished or unlimited one is not', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const step = (over: Partial<Step>): Step => ({
      id: 'certify',
      name: 'Certification',
      nameDe: 'Zertifizierung',
      description: '',
      status: 'inProgress',
      progressPercentage: 10,
      estimatedTimeFrame: '',
      expectedMaxSeconds: 60,
      startedAt: new Date(start).toISOString(),
      completedAt: null,
      stuck: false,
      ticketId: null,
      messages: [],
      ...over,
    });
    assert.equal(isOverdue(step({}), start + 59_000), false);
    assert.equal(isOverdue(step({}), start + 61_000), true);
    assert.equal(isOverdue(step({ stuck: true }), start + 1_000), true);
    assert.equal(isOverdue(step({ expectedMaxSeconds: null, status: 'waitingForPublisherReview' }), start + 86_400_000), false);
    assert.equal(isOverdue(step({ status: 'complete', completedAt: new Date(start + 120_000).toISOString() }), start + 500_000), false);
  });
});

const skip = browserUnavailable();

describe('web app: the publishing page', { skip }, () => {
  let server: WebServer;
  let browser: Browser;
  let token: string;
  let leakyImage: string;
  const PUB = 'contoso';
  const offerApi = (offer: string) => `/publishers/${PUB}/offers/${offer}`;

  before(async () => {
    [server, browser] = await Promise.all([
      startWebServer(REVIEW_PAST_MAXIMUM),
      launchBrowser(),
    ]);
    token = await server.createPublisher(PUB, 'Contoso Ltd');
    // an image that fails linux.shell-history: root's shell history over 1 KiB
    leakyImage = path.join(server.importDir, PUB, 'leaky.vhd');
    const files = [...baseLinuxTree().files, { path: '/root/.bash_history', content: 'sudo apt-get update\n'.repeat(100) }];
    await buildImage({ files, output: leakyImage });
    for (const [id, osDisk] of [
      ['webapp', server.imageName],
      ['leaky', leakyImage],
    ]) {
      const put = await server.api('PUT', offerApi(id), { token, body: offerDocument({ id, publisher: PUB, osDisk, regions: ['westeurope'] }) });
      assert.equal(put.status, 201, JSON.stringify(put.body));
    }
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens the publishing page of `offer` in a fresh context, signing in on the way (the page asks first). */
  async function openPage(offer: string, options: { locale?: string; width?: number; height?: number; beforeOpen?: (page: Page) => Promise<unknown> } = {}) {
    const opened = await newPage(browser, options);
    await options.beforeOpen?.(opened.page);
    await opened.page.goto(`${server.url}/portal/offers/${offer}`);
    const field = opened.page.getByLabel('Token', { exact: true });
    await field.fill(token);
    await field.press('Enter');
    return opened;
  }

  const stepRow = (page: Page, name: string) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name, exact: true, level: 3 }) });

  test('the timeline follows a publication live, flags the stuck certification with its ticket, and goes live after a confirmation', async () => {
    const { context, page } = await openPage('webapp');
    await page.getByRole('heading', { name: 'Publishing webapp' }).waitFor();
    await page.locator('.overall').getByText('Never published').waitFor();
    await page.getByText('Live updates').waitFor(); // the event stream, not polling
    // a marker that a reload would lose: everything below arrives without one
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

    const names = await page.locator('.timeline > li h3').allTextContents();
    assert.deepEqual(names, ['Validate prerequisites', 'Test drive validation', 'Certification', 'Provisioning', 'Packaging and lead registration', 'Publisher sign-off', 'Deployment', 'Live']);

    const published = await server.api('POST', `${offerApi('webapp')}/publish`, { token });
    assert.equal(published.status, 202, JSON.stringify(published.body));

    const certify = stepRow(page, 'Certification');
    await page.locator('.overall').getByText('Publishing').waitFor();
    await stepRow(page, 'Validate prerequisites').getByText('Complete').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Go live' }).isDisabled(), true, 'go live waits for the sign-off');
    assert.equal(await page.getByRole('button', { name: 'Cancel publication' }).isEnabled(), true, 'a running operation can be canceled');
    const progress = certify.getByRole('progressbar', { name: 'Progress of Certification' });
    assert.ok(Number(await progress.getAttribute('value')) >= 0);
    await screenshot(page, 'publishing-running');

    // manual review keeps certification waiting past its 1 s maximum: flagged, with its ticket
    await certify.getByText('Waiting for approval').waitFor();
    await certify.getByText(/^Past its expected maximum of 1\D+$/).waitFor();
    const ticketLink = certify.getByRole('link', { name: 'Open the support ticket' });
    await ticketLink.waitFor();
    const tickets = await server.api('GET', `/publishers/${PUB}/tickets`, { token });
    const ticket = (tickets.body.tickets ?? tickets.body).find((t: { stepId: string; offerId: string }) => t.stepId === 'certify' && t.offerId === 'webapp');
    assert.ok(ticket, JSON.stringify(tickets.body));
    assert.equal(await ticketLink.getAttribute('href'), `/portal/tickets/${ticket.id}`);
    assert.ok(await certify.evaluate((row) => row.classList.contains('step-overdue')), 'the stuck row is styled differently');
    await page.getByText('waits for a manual review').waitFor();
    await screenshot(page, 'publishing-stuck');

    // the operator approves; the page reaches the sign-off by itself
    const approved = await server.api('POST', `${offerApi('webapp')}/certification/review`, { token: server.operatorToken, body: { decision: 'approve' } });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    await stepRow(page, 'Publisher sign-off').getByText('Waiting for your sign-off').waitFor({ timeout: 60_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'no reload happened');
    await certify.getByText(/^Ran past its expected maximum of/).waitFor();
    assert.equal(await certify.getByRole('link', { name: 'Open the support ticket' }).getAttribute('href'), `/portal/tickets/${ticket.id}`);
    await page.getByRole('heading', { name: 'Preview', exact: true }).waitFor();
    await page.getByText('Approved in manual review').waitFor();

    // the passed report: checks in the order failed, warning, passed, skipped
    const report = (await server.api('GET', `${offerApi('webapp')}/certification`, { token })).body;
    assert.equal(report.result, 'passed');
    const statusOf = new Map<string, string>(report.checks.map((c: CertificationCheck) => [c.id, c.status]));
    const shown = await page.locator('.certification code.check-id').allTextContents();
    assert.deepEqual([...shown].sort(), [...statusOf.keys()].sort(), 'every check is listed');
    const rank = shown.map((id) => ['failed', 'warning', 'passed', 'skipped'].indexOf(statusOf.get(id)!));
    assert.deepEqual(rank, [...rank].sort((a, b) => a - b));
    await page.getByText(/^\d+ passed checks$/).waitFor();
    await screenshot(page, 'publishing-review');

    // go live asks first; declining changes nothing
    const goLive = page.getByRole('button', { name: 'Go live' });
    await goLive.click();
    const dialog = page.getByRole('dialog', { name: 'Go live?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal((await server.api('GET', `${offerApi('webapp')}/status`, { token })).body.status, 'waitingForPublisherReview');
    await goLive.click();
    await dialog.getByRole('button', { name: 'Go live now' }).click();
    await page.locator('.overall').getByText('Live', { exact: true }).waitFor({ timeout: 60_000 });
    await stepRow(page, 'Live').getByText('Complete').waitFor();
    const liveLink = page.getByRole('link', { name: /\/offers\/contoso\.webapp$/ }).first();
    await liveLink.waitFor();
    assert.equal(await goLive.isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Cancel publication' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Publish again' }).waitFor();
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'no reload happened');
    await screenshot(page, 'publishing-live');
    assert.deepEqual(problemsOf(page), []);
    await context.close();
  });

  test('without the event stream the page polls; a failed certification lists the failed check first with evidence and remediation', async () => {
    const { context, page } = await openPage('leaky', {
      // as if the server had no stream endpoint: the page must fall back to polling
      beforeOpen: (p) => p.route('**/status/events', (route) => route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":{"code":"NOT_FOUND","message":"no route"}}' })),
    });
    await page.getByRole('heading', { name: 'Publishing leaky' }).waitFor();
    await page.getByText('Updating every few seconds').waitFor();
    await page.getByText('No certification report yet', { exact: false }).waitFor();

    // publish from the page (the offer was never published)
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await stepRow(page, 'Certification').getByText('Blocked').waitFor({ timeout: 60_000 });
    await page.locator('.overall-badge').getByText('Failed').waitFor();
    await page.getByRole('button', { name: 'Publish again' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Go live' }).isDisabled(), true);

    const firstCheck = page.locator('.certification article.check').first();
    await firstCheck.waitFor();
    assert.match(await firstCheck.getByRole('heading', { level: 4 }).textContent() ?? '', /Failed.*linux\.shell-history/);
    await firstCheck.getByText('/root/.bash_history', { exact: true }).waitFor();
    await firstCheck.getByRole('heading', { name: 'How to fix it' }).waitFor();
    assert.ok(((await firstCheck.locator('.remediation').textContent()) ?? '').length > 10, 'a remediation is shown');
    await page.locator('.report-result').getByText('Failed').waitFor();
    // passed checks are folded away until opened
    const passed = page.locator('details.check-group').first();
    assert.equal(await passed.getAttribute('open'), null);
    await passed.locator('summary').focus();
    await page.keyboard.press('Enter');
    await passed.getByText('linux.root-password').waitFor();
    await page.locator('.certification').scrollIntoViewIfNeeded();
    await screenshot(page, 'certification-report');
    assert.deepEqual(problemsOf(page), []);
    await context.close();
  });

  test("a report with a boot shows how the image booted, and its console log downloads with the publisher's token", async () => {
    // the leaky offer's real report (the test above certified it), as if its image had booted:
    // the boot itself and the console route are tested through the server in test/boot/pipeline-boot.test.ts
    const real = (await server.api('GET', `${offerApi('leaky')}/certification`, { token })).body;
    assert.ok(Array.isArray(real.checks), JSON.stringify(real));
    const consolePath = `/api/v1${offerApi('leaky')}/certification/console`;
    const booted = {
      ...real,
      boot: { accelerator: 'tcg', firmware: 'bios', architecture: 'x86_64', memoryMiB: 1024, seconds: 48.2, milestones: { kernel: 2.2, userSpace: 4.9, provisioned: 43.4, ssh: 33.7 }, consoleBytes: 40 },
      bootConsole: consolePath,
    };
    let authorization: string | undefined;
    const { context, page } = await openPage('leaky', {
      beforeOpen: async (p) => {
        await p.route(`**${offerApi('leaky')}/certification`, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(booted) }));
        await p.route(`**${consolePath}`, (route) => {
          authorization = route.request().headers().authorization;
          return route.fulfill({ status: 200, contentType: 'text/plain; charset=utf-8', body: '[    0.000000] Linux version 6.1.0\nvmarket-boot login: ' });
        });
      },
    });
    const boot = page.locator('.certification .boot-summary');
    await boot.waitFor();
    assert.match((await boot.textContent()) ?? '', /software emulation, BIOS, x86_64/);
    assert.match((await boot.textContent()) ?? '', /SSH login after\s*33\.7/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the console log' }).click()]);
    assert.equal(download.suggestedFilename(), 'console.log');
    const file = await download.path();
    assert.match(await readFile(file, 'utf8'), /Linux version 6\.1\.0\nvmarket-boot login: $/);
    assert.equal(authorization, `Bearer ${token}`);
    assert.deepEqual(problemsOf(page), []);
    await context.close();
  });

  test("the report's SBOM downloads with the publisher's token, exactly the bytes the report names", async () => {
    // the leaky offer's real report and SBOM (certified by the test above), through the real route
    const real = (await server.api('GET', `${offerApi('leaky')}/certification`, { token })).body;
    assert.equal(real.sbomDocument, `/api/v1${offerApi('leaky')}/certification/sbom`, JSON.stringify(real.sbom));
    const { context, page } = await openPage('leaky');
    const summary = page.locator('.certification .sbom-summary');
    await summary.waitFor();
    assert.match((await summary.textContent()) ?? '', /Packages\s*4 \(CycloneDX 1\.6\)/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the SBOM (CycloneDX)' }).click()]);
    assert.equal(download.suggestedFilename(), 'sbom.cdx.json');
    const bytes = await readFile(await download.path());
    assert.equal(createHash('sha256').update(bytes).digest('hex'), real.sbom.sha256);
    assert.deepEqual(problemsOf(page), []);
    await context.close();
  });

  test('in German the steps carry the names of docs/contracts.md §4; at 375 px the rows stack without overflowing; a dropped stream reconnects', async () => {
    const german = await openPage('webapp', { locale: 'de-DE' });
    const { page } = german;
    await page.getByRole('heading', { name: 'Veröffentlichung von webapp' }).waitFor();
    await page.getByRole('heading', { name: 'Zertifizierung', exact: true }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Bereitstellung', exact: true }).count(), 2, 'provisioning and deployment');
    await page.getByRole('heading', { name: 'Einholen der Genehmigung des Herausgebers' }).waitFor();
    await page.getByRole('heading', { name: 'Zertifizierungsbericht' }).waitFor();
    // the server's own texts in German too: check titles, step messages (asked for in Accept-Language)
    await page.getByText('Kein Shell-Verlauf in den Home-Verzeichnissen').first().waitFor({ state: 'attached' });
    assert.equal(await page.getByText('No shell history left in home directories').count(), 0);
    await stepRow(page, 'Überprüfen der Voraussetzungen').getByText(/^Alle Voraussetzungen sind erfüllt \(1 Plan\)\.$/).waitFor();
    assert.equal(await page.getByText(/All prerequisites are met/).count(), 0);
    await page.getByRole('button', { name: 'Live schalten' }).waitFor();
    await page.getByText('Live-Aktualisierung').waitFor();
    await screenshot(page, 'publishing-de');
    // switched to English, the page asks again: the server's texts follow without a reload
    await page.getByLabel('Sprache').selectOption('en');
    await stepRow(page, 'Validate prerequisites').getByText('All prerequisites are met (1 plan).').waitFor();
    await page.getByText('No shell history left in home directories').first().waitFor({ state: 'attached' });
    assert.equal(await page.getByText(/Alle Voraussetzungen/).count(), 0);
    assert.deepEqual(problemsOf(page), []);
    await german.context.close();

    // a stream that ends after each event (as when a proxy or the server closes it): the page reconnects
    let connections = 0;
    let thirdConnection!: () => void;
    const reconnectedTwice = new Promise<void>((resolve, reject) => {
      thirdConnection = resolve;
      setTimeout(() => reject(new Error(`only ${connections} stream connections`)), 30_000).unref();
    });
    const phone = await openPage('leaky', {
      width: 375,
      height: 800,
      beforeOpen: (p) =>
        p.route('**/status/events', async (route) => {
          if (++connections === 3) thirdConnection();
          const status = await server.api('GET', `${offerApi('leaky')}/status`, { token });
          await route.fulfill({ status: 200, contentType: 'text/event-stream', body: `retry: 100\n\nevent: status\ndata: ${JSON.stringify(status.body)}\n\n` });
        }),
    });
    await phone.page.getByRole('heading', { name: 'Publishing leaky' }).waitFor();
    await stepRow(phone.page, 'Certification').getByText('Blocked').waitFor();
    // the stream is up only between reconnects (100 ms apart): watch the indicator for 'Live updates'
    // rather than polling for it, which can keep missing the moments it shows
    await phone.page.evaluate(() => {
      const w = window as unknown as { sawLive?: boolean };
      const look = () => {
        if (document.querySelector('.connection')?.textContent === 'Live updates') w.sawLive = true;
      };
      look();
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await reconnectedTwice;
    await phone.page.waitForFunction(() => (window as unknown as { sawLive?: boolean }).sawLive === true);

    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'nothing wider than the screen');
    await screenshot(phone.page, 'publishing-375');
    assert.deepEqual(problemsOf(phone.page), []);
    await phone.context.close();
  });
});
