/**
 * The portal's lists are pages (docs/contracts.md §5): with more tickets than one page the
 * tickets page shows the first page and a "Load more" control that appends the rest, in a real
 * browser against a real `vmarket serve`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserUnavailable, launchBrowser, newPage, problemsOf, signIn, startWebServer, type WebServer } from './harness.ts';

const TICKETS = 105;

describe('web app: paged lists', { skip: browserUnavailable() }, () => {
  let server: WebServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let token: string;

  before(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchBrowser()]);
    token = await server.createPublisher('contoso', 'Contoso Ltd');
    for (let i = 0; i < TICKETS; i++) {
      const opened = await server.api('POST', '/publishers/contoso/tickets', { token, body: { title: `Question ${i}`, body: 'Where is it?' } });
      assert.equal(opened.status, 201, JSON.stringify(opened.body));
    }
    ({ context, page } = await newPage(browser));
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  test('the tickets page shows one page, and Load more appends the rest', async () => {
    await signIn(page, server, token, '/portal/tickets');
    await page.getByRole('heading', { level: 1, name: 'Support tickets' }).waitFor();
    const rows = page.locator('tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 100, 'the first page');
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.locator('tbody tr').nth(TICKETS - 1).waitFor();
    assert.equal(await rows.count(), TICKETS);
    assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0, 'nothing more to load');
    assert.deepEqual(problemsOf(page), []);
  });
});
