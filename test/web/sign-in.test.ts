/**
 * The frame of the web app in a real browser: the built app served by `vmarket serve`, sign-in
 * with a token (kept in session storage, never in the URL), the language following the browser
 * and switchable, and no script errors (the Content-Security-Policy would report them).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserUnavailable, launchBrowser, newPage, problemsOf, screenshot, startWebServer, type WebServer } from './harness.ts';

const skip = browserUnavailable();

describe('web app: sign-in and language', { skip }, () => {
  let server: WebServer;
  let browser: Browser;
  let token: string;

  before(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchBrowser()]);
    token = await server.createPublisher('contoso', 'Contoso Ltd');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the app is served with a strict content security policy', async () => {
    const answer = await fetch(`${server.url}/portal`);
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(await answer.text(), /<div id="root">/);
  });

  test('a wrong token is refused at the field; the right one signs in and lives only in the tab', async () => {
    const { context, page } = await newPage(browser);
    await page.goto(`${server.url}/portal`);
    const field = page.getByLabel('Token', { exact: true });
    await field.fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This token is not valid.').waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'sign-in-error');

    await field.fill(token);
    await field.press('Enter');
    await page.getByRole('navigation', { name: 'Portal' }).waitFor();
    assert.ok(!page.url().includes(token), 'the token is never put in the URL');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('vmarket.token')), token);
    assert.equal(await page.evaluate(() => localStorage.length), 0, 'nothing kept beyond the session');

    // another tab of another session knows nothing
    const other = await newPage(browser);
    await other.page.goto(`${server.url}/portal`);
    await other.page.getByLabel('Token', { exact: true }).waitFor();
    await other.context.close();

    // sign out forgets the token
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Token', { exact: true }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('vmarket.token')), null);
    assert.deepEqual(problemsOf(page), []);
    await context.close();
  });

  test('the language follows the browser and can be switched', async () => {
    const { context, page } = await newPage(browser, { locale: 'de-DE' });
    await page.goto(`${server.url}/portal`);
    await page.getByRole('heading', { name: 'Beim Herausgeberportal anmelden' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    await page.getByLabel('Sprache').selectOption('en');
    await page.getByRole('heading', { name: 'Sign in to the publisher portal' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    // the choice is remembered on this device
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to the publisher portal' }).waitFor();
    assert.deepEqual(problemsOf(page), []);
    await context.close();
  });
});
