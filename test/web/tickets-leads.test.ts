/**
 * The publisher's tickets and leads in a real browser against a real `vmarket serve`: opening a
 * ticket (errors at the fields), replying, closing it; a ticket a stuck step opened by itself,
 * linked to the offer's publishing page; the leads of a live offer acquired twice, sent by email
 * to a real SMTP server (smtp-server) that takes the first and refuses the second, so the page
 * shows one delivered lead and one with its delivery error; the CSV download fetched with the
 * bearer token (never in a URL).
 *
 * The server reviews certifications by hand and expects certify to take at most 1 s, so the offer
 * waits for approval past its maximum: the sweeper flags it stuck and opens the system ticket.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startSmtpReceiver, type SmtpReceiver } from '../helpers/receivers.ts';
import { offerDocument } from '../helpers/offers.ts';
import { browserUnavailable, launchBrowser, newPage, problemsOf, screenshot, REVIEW_PAST_MAXIMUM, startWebServer, type WebServer } from './harness.ts';

const skip = browserUnavailable();

const PUB = 'contoso';
const OFFER = 'web-leads';
/** The publisher's sales inbox, where the offer's leads are mailed. */
const SALES = 'sales@contoso.example';
const CUSTOMERS = [
  { name: 'Ada Lovelace', email: 'ada@example.com', company: 'Analytical Engines' },
  { name: 'Grace Hopper', email: 'grace@example.com' },
];

describe('web app: tickets and leads', { skip }, () => {
  let server: WebServer;
  let browser: Browser;
  let token: string;
  let context: BrowserContext;
  let page: Page;
  let smtp: SmtpReceiver;
  /** Recipients the SMTP server refuses (550), changed while the test runs. */
  const refused: string[] = [];
  /** Resolves once the certify step is flagged stuck (its ticket exists). */
  let stuck: Promise<void>;
  /** Resolves once the offer is live and acquired by both customers. */
  let acquired: Promise<void>;
  const requestedUrls: string[] = [];

  const waitForStatus = (until: (doc: any) => boolean, what: string) => server.waitForStatus(token, PUB, OFFER, until, what);
  const certify = (doc: any) => doc.steps.find((s: any) => s.id === 'certify');

  before(async () => {
    smtp = await startSmtpReceiver(refused);
    [server, browser] = await Promise.all([
      startWebServer({ ...REVIEW_PAST_MAXIMUM, smtp: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'vmarket <market@example.org>' } }),
      launchBrowser(),
    ]);
    token = await server.createPublisher(PUB, 'Contoso Ltd');
    await server.submit(token, offerDocument({ id: OFFER, publisher: PUB, osDisk: server.imageName, leads: { destination: 'email', email: { to: [SALES] } } }));

    // the publication runs while the ticket test works in the browser
    stuck = waitForStatus((doc) => certify(doc)?.status === 'waitingForApproval' && certify(doc)?.stuck === true, 'a stuck certification').then(() => {});
    acquired = stuck.then(async () => {
      const review = await server.api('POST', `/publishers/${PUB}/offers/${OFFER}/certification/review`, { token: server.operatorToken, body: { decision: 'approve' } });
      assert.equal(review.status, 200, JSON.stringify(review.body));
      await waitForStatus((doc) => doc.status === 'waitingForPublisherReview', 'waitingForPublisherReview');
      const golive = await server.api('POST', `/publishers/${PUB}/offers/${OFFER}/golive`, { token });
      assert.equal(golive.status, 202, JSON.stringify(golive.body));
      await waitForStatus((doc) => doc.status === 'succeeded', 'succeeded');
      // the first lead reaches the inbox; then the inbox refuses, and the second one's delivery fails
      for (const [i, contact] of CUSTOMERS.entries()) {
        if (i === 1) refused.push(SALES);
        const answer = await server.api('POST', `/catalog/offers/${PUB}.${OFFER}/acquire`, { body: { subscriptionId: randomUUID(), plan: 'standard', contact } });
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        if (i === 0) await until(async () => smtp.messages.some((m) => m.raw.includes(contact.email)), `the lead of ${contact.email} in the inbox`);
      }
      await until(async () => {
        const leads = (await server.api('GET', `/publishers/${PUB}/leads`, { token })).body.leads as { contact: { email: string }; lastError: string | null }[];
        return leads.some((lead) => lead.contact.email === CUSTOMERS[1].email && lead.lastError !== null);
      }, 'the failed delivery recorded');
    });
    // awaited by the tests that need them; a failure is reported there
    stuck.catch(() => {});
    acquired.catch(() => {});

    ({ context, page } = await newPage(browser));
    page.on('request', (request) => requestedUrls.push(request.url()));
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });

  /** Polls `done` every 200 ms for at most 60 s. */
  async function until(done: () => Promise<boolean>, what: string): Promise<void> {
    for (let i = 0; i < 300; i++) {
      if (await done()) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`never happened: ${what}`);
  }

  test('a publisher opens a ticket (errors at the fields), replies and closes it; it is stored', async () => {
    await page.goto(`${server.url}/portal/tickets`);
    await page.getByLabel('Token', { exact: true }).fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Support tickets' }).waitFor();

    await page.getByRole('button', { name: 'Open a ticket' }).click();
    const form = page.getByRole('form', { name: 'Open a ticket' });
    await form.getByRole('button', { name: 'Open ticket' }).click();
    await form.getByText('Enter a short title.').waitFor();
    await form.getByText('Describe what you need.').waitFor();
    assert.equal(await form.getByLabel('Title').getAttribute('aria-invalid'), 'true');
    assert.equal(await form.getByLabel('What do you need?').getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'ticket-form-errors');
    const before = await server.api('GET', `/publishers/${PUB}/tickets`, { token });
    assert.equal(before.body.tickets.filter((t: any) => t.source === 'publisher').length, 0, 'nothing stored from the empty form');

    await form.getByLabel('Title').fill('Preview link question');
    await form.getByLabel('What do you need?').fill('Where do I find the preview link\nof my offer?');
    await form.getByLabel('Offer (optional)').selectOption(OFFER);
    await form.getByRole('button', { name: 'Open ticket' }).click();
    await page.getByRole('heading', { level: 1, name: 'Preview link question' }).waitFor();
    assert.match(page.url(), /\/portal\/tickets\/tk-/);
    await page.getByText('No replies yet.').waitFor();

    // an empty reply is refused at its field
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByText('Write your reply first.').waitFor();
    assert.equal(await page.getByLabel('Your reply').getAttribute('aria-invalid'), 'true');

    await page.getByLabel('Your reply').fill('Found it on the publishing page, thanks.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    const conversation = page.locator('.conversation');
    await conversation.getByText('Found it on the publishing page, thanks.').waitFor();
    await conversation.getByText('You', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('Your reply').inputValue(), '');

    await page.getByRole('button', { name: 'Close ticket' }).click();
    await page.getByRole('button', { name: 'Reopen ticket' }).waitFor();
    await page.getByText('This ticket is closed.', { exact: false }).waitFor();
    await screenshot(page, 'ticket');

    const ticketId = decodeURIComponent(page.url().split('/').pop()!);
    const stored = await server.api('GET', `/publishers/${PUB}/tickets/${ticketId}`, { token });
    assert.equal(stored.status, 200);
    assert.equal(stored.body.status, 'closed');
    assert.equal(stored.body.title, 'Preview link question');
    assert.equal(stored.body.body, 'Where do I find the preview link\nof my offer?');
    assert.equal(stored.body.offerId, OFFER);
    assert.equal(stored.body.source, 'publisher');
    assert.deepEqual(
      stored.body.comments.map((c: any) => [c.author, c.body]),
      [[`publisher:${PUB}`, 'Found it on the publishing page, thanks.']],
    );
    assert.deepEqual(problemsOf(page), []);
  });

  test('a ticket a stuck step opened shows its offer and step and links to the publishing page', async () => {
    await stuck;
    await page.getByRole('link', { name: 'All tickets' }).click();
    await page.getByRole('heading', { level: 1, name: 'Support tickets' }).waitFor();
    const table = page.getByRole('table', { name: 'Support tickets, newest first' });
    await table.getByRole('row').filter({ hasText: 'Stuck step: Certification' }).waitFor();
    const mine = table.getByRole('row').filter({ hasText: 'Preview link question' });
    await mine.getByText('Closed', { exact: true }).waitFor();
    await mine.getByText('You', { exact: true }).waitFor();
    await screenshot(page, 'tickets');
    await page.setViewportSize({ width: 375, height: 800 });
    await table.getByRole('link', { name: 'Preview link question' }).waitFor();
    await screenshot(page, 'tickets-375');
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)) <= 0, 'no sideways scroll at 375 px');
    await page.setViewportSize({ width: 1280, height: 900 });

    await table.getByRole('row').filter({ hasText: 'Stuck step: Certification' }).getByRole('link').click();
    await page.getByText('ran past its expected maximum', { exact: false }).waitFor();
    const facts = page.locator('.ticket-facts');
    await facts.getByText('Certification', { exact: true }).waitFor();
    const link = page.getByRole('link', { name: `Open the publishing page of ${OFFER}` });
    assert.equal(await link.getAttribute('href'), `/portal/offers/${OFFER}`);
    await screenshot(page, 'ticket-stuck');
    assert.deepEqual(problemsOf(page), []);
  });

  test('the leads of the publisher\'s offers are listed and downloaded as CSV with the token in a header only', async () => {
    await acquired;
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Leads' }).click();
    await page.getByRole('heading', { level: 1, name: 'Leads' }).waitFor();
    const table = page.getByRole('table', { name: 'Leads, newest first' });
    for (const customer of CUSTOMERS) await table.getByRole('link', { name: customer.email }).waitFor();
    const ada = table.getByRole('row').filter({ hasText: 'ada@example.com' });
    await ada.getByText('Analytical Engines').waitFor();
    await ada.getByText(OFFER, { exact: true }).waitFor();
    await ada.getByText('Delivered', { exact: true }).waitFor();
    // the refused one: still pending (it is retried), with the SMTP server's answer
    const grace = table.getByRole('row').filter({ hasText: 'grace@example.com' });
    await grace.getByText(/^Last error: .*550/).waitFor();
    await grace.getByText('Pending', { exact: true }).waitFor();
    // the registration test lead the package step sent is listed too, marked as no customer
    const registration = table.getByRole('row').filter({ hasText: 'registration-test@vmarket.invalid' });
    await registration.getByText('Registration test', { exact: true }).waitFor();
    assert.equal(await table.getByText('Registration test', { exact: true }).count(), 1, 'only the registration lead is marked');
    await page.getByText('3 leads').waitFor();
    await page.getByLabel('Offer').selectOption(OFFER);
    await page.getByText('3 leads').waitFor();
    await screenshot(page, 'leads');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    assert.match(download.suggestedFilename(), new RegExp(`^leads-${PUB}-${OFFER}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
    await page.getByLabel('Offer').selectOption('');
    const [all] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    assert.match(all.suggestedFilename(), new RegExp(`^leads-${PUB}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
    const csv = await readFile((await all.path())!, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    assert.equal(lines.length, 4, csv);
    assert.match(lines[0], /^id,createdAt,offer,plan,subscriptionId,name,email,company/);
    for (const customer of CUSTOMERS) assert.ok(lines.some((line) => line.includes(customer.email)), `${customer.email} in ${csv}`);

    assert.ok(!requestedUrls.some((url) => url.includes(token)), 'the token never appears in a requested URL');
    assert.ok(requestedUrls.some((url) => url.endsWith(`/api/v1/publishers/${PUB}/leads?format=csv`)), 'the CSV came from the API');

    // a phone-sized window: the table scrolls inside its frame, the page itself does not
    await page.setViewportSize({ width: 375, height: 800 });
    await table.getByRole('link', { name: 'ada@example.com' }).waitFor();
    await screenshot(page, 'leads-375');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at 375 px`);
    assert.deepEqual(problemsOf(page), []);
  });

  test('in German the tickets and leads pages speak German, dates in the German format', async () => {
    await acquired;
    const de = await newPage(browser, { locale: 'de-DE' });
    try {
      await de.page.goto(`${server.url}/portal/leads`);
      await de.page.getByLabel('Token', { exact: true }).fill(token);
      await de.page.getByRole('button', { name: 'Anmelden' }).click();
      await de.page.getByRole('button', { name: 'CSV herunterladen' }).waitFor();
      await de.page.getByRole('columnheader', { name: 'Übermittlung' }).waitFor();
      await de.page.getByText('3 Leads').waitFor();
      await de.page.getByText('Registrierungstest', { exact: true }).waitFor();
      await de.page.getByText(/^Letzter Fehler: .*550/).waitFor();
      await de.page.getByRole('cell', { name: /^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}:\d{2}$/ }).first().waitFor();
      await de.page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Tickets' }).click();
      await de.page.getByRole('heading', { level: 1, name: 'Support-Tickets' }).waitFor();
      await de.page.getByText('Hängender Schritt: Zertifizierung').waitFor();
      await screenshot(de.page, 'tickets-de');
      assert.deepEqual(problemsOf(de.page), []);
    } finally {
      await de.context.close();
    }
  });
});
