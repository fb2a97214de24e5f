/**
 * The audit log in a real browser against a real `vmarket serve`: the operator's page (reached
 * from the operator view's navigation) pages through every event with "Load more" and filters by
 * outcome and publisher; a publisher's portal page shows its own events and none of another's;
 * German labels.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserUnavailable, launchBrowser, newPage, problemsOf, screenshot, signIn, startWebServer, type WebServer } from './harness.ts';

const skip = browserUnavailable();
/** More than one page (the page shows 25 at a time). */
const TICKETS = 30;

describe('web app: audit log', { skip }, () => {
  let server: WebServer;
  let browser: Browser;
  let contoso: string;
  let total: number;

  before(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchBrowser()]);
    contoso = await server.createPublisher('contoso', 'Contoso Ltd');
    const fabrikam = await server.createPublisher('fabrikam', 'Fabrikam');
    for (let i = 0; i < TICKETS; i++) {
      const opened = await server.api('POST', '/publishers/contoso/tickets', { token: contoso, body: { title: `ticket ${i}`, body: 'b' } });
      assert.equal(opened.status, 201);
    }
    const refused = await server.api('POST', '/publishers/contoso/tickets', { token: fabrikam, body: { title: 'not mine', body: 'b' } });
    assert.equal(refused.status, 403);
    const all = await server.api('GET', '/audit?limit=500', { token: server.operatorToken });
    total = all.body.events.length;
    assert.ok(total > TICKETS);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the operator pages through every event with Load more and filters them', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, server, server.operatorToken, '/operator');
    await page.getByRole('navigation', { name: 'Operator view' }).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    const rows = page.locator('table.audit-table tbody tr');
    await page.getByText('25 events shown').waitFor();
    assert.equal(await rows.count(), 25);
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText(`${total} events shown`).waitFor();
    assert.equal(await rows.count(), total);
    assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0, 'the last page has no Load more');
    await screenshot(page, 'audit-operator');

    const filters = page.getByRole('form', { name: 'Filter the audit log' });
    await filters.getByLabel('Outcome').selectOption('failed');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('1 event shown').waitFor();
    const failed = rows.first();
    assert.match(await failed.innerText(), /Publisher fabrikam/);
    assert.match(await failed.innerText(), /Failed \(403 FORBIDDEN\)/);
    assert.match(await failed.innerText(), /POST \/publishers\/:pub\/tickets/);

    await filters.getByLabel('Outcome').selectOption('');
    await filters.getByLabel('Publisher').fill('contoso');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('25 events shown').waitFor();
    await page.getByRole('button', { name: 'Load more' }).click();
    // the tickets and the operator creating contoso
    await page.getByText(`${TICKETS + 1} events shown`).waitFor();
    const texts = await rows.allInnerTexts();
    assert.equal(texts.filter((t) => /ticket contoso\/tk-/.test(t)).length, TICKETS);
    assert.match(texts.at(-1)!, /Operator\s.*POST \/publishers\s+publisher contoso/s);
    assert.deepEqual(problemsOf(page), []);
    await context.close();
  });

  test('a publisher sees its own events in the portal, none of another\'s; German labels', async () => {
    const { context, page } = await newPage(browser, { locale: 'de-DE' });
    await signIn(page, server, contoso, '/portal');
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Protokoll' }).click();
    await page.getByRole('heading', { level: 1, name: 'Protokoll' }).waitFor();
    await page.getByText('25 Einträge angezeigt').waitFor();
    await page.getByRole('button', { name: 'Mehr laden' }).click();
    // its tickets, and the operator creating it
    await page.getByText(`${TICKETS + 1} Einträge angezeigt`).waitFor();
    const texts = await page.locator('table.audit-table tbody tr').allInnerTexts();
    assert.equal(texts.length, TICKETS + 1);
    assert.ok(texts.slice(0, TICKETS).every((t) => /Herausgeber contoso/.test(t) && /Erfolgreich/.test(t)), texts.join('\n'));
    assert.match(texts.at(-1)!, /Betreiber/);
    assert.ok(!texts.some((t) => t.includes('fabrikam')), 'another publisher\'s refused attempt is not shown');
    await screenshot(page, 'audit-portal-de');
    assert.deepEqual(problemsOf(page), []);
    await context.close();
  });
});
