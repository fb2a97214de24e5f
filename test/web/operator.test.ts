/**
 * The operator view in a real browser against a real `vmarket serve`: creating a publisher (errors
 * at the fields; the token shown once, working, kept in no storage and gone after a reload), the
 * running operations with a stuck step marked, every publisher's tickets, and the manual
 * certification review queue (reject needs feedback; approve lets the publication go on). Also
 * the German headings and a 375 px wide window.
 *
 * The server reviews certifications by hand and expects certify to take at most 1 s, so the
 * published offer waits in the queue past its maximum: stuck, with a ticket of its own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { offerDocument } from '../helpers/offers.ts';
import { browserUnavailable, launchBrowser, newPage, problemsOf, screenshot, REVIEW_PAST_MAXIMUM, startWebServer, type WebServer } from './harness.ts';

const skip = browserUnavailable();

const PUB = 'contoso';
const OFFER = 'web-review';
/** A second offer in the queue, which the operator rejects with feedback. */
const REJECTED = 'rejected-build';
/** Published while the review queue is open, to see the queue keep itself current. */
const LATER = 'later-build';

describe('web app: operator view', { skip }, () => {
  let server: WebServer;
  let browser: Browser;
  let token: string;
  let context: BrowserContext;
  let page: Page;
  /** Resolves once the certification waits for review and is flagged stuck. */
  let waiting: Promise<void>;

  async function offerStatus(): Promise<any> {
    const answer = await server.api('GET', `/publishers/${PUB}/offers/${OFFER}/status`, { token });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body;
  }
  const certify = (doc: any) => doc.steps.find((s: any) => s.id === 'certify');

  const waitForStatus = (until: (doc: any) => boolean, what: string) => server.waitForStatus(token, PUB, OFFER, until, what);

  async function signIn(p: Page, path: string, label = 'Sign in') {
    await p.goto(`${server.url}${path}`);
    await p.getByLabel('Token', { exact: true }).fill(server.operatorToken);
    await p.getByRole('button', { name: label }).click();
  }

  before(async () => {
    [server, browser] = await Promise.all([
      startWebServer(REVIEW_PAST_MAXIMUM),
      launchBrowser(),
    ]);
    token = await server.createPublisher(PUB, 'Contoso Ltd');
    await server.submit(token, offerDocument({ id: OFFER, publisher: PUB, osDisk: server.imageName }));
    await server.submit(token, offerDocument({ id: REJECTED, publisher: PUB, osDisk: server.imageName }));
    // certification runs while the publisher test works in the browser
    waiting = waitForStatus((doc) => certify(doc)?.status === 'waitingForApproval' && certify(doc)?.stuck === true, 'a stuck certification review').then(() => {});
    waiting.catch(() => {}); // awaited (and reported) by the tests that need it
    ({ context, page } = await newPage(browser));
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  test('the operator creates a publisher: errors at the fields, then its token once, which works and is kept nowhere', async () => {
    await signIn(page, '/operator/publishers');
    await page.getByRole('heading', { level: 1, name: 'Publishers' }).waitFor();
    const form = page.getByRole('form', { name: 'Create a publisher' });
    await form.getByRole('button', { name: 'Create publisher' }).click();
    await form.getByText('Enter an id.').waitFor();
    await form.getByText('Enter the publisher\'s name.').waitFor();
    assert.equal(await form.getByLabel('Publisher id').getAttribute('aria-invalid'), 'true');
    await form.getByLabel('Publisher id').fill('North Wind');
    await form.getByLabel('Name').fill('Northwind Traders');
    await form.getByRole('button', { name: 'Create publisher' }).click();
    await form.getByText('Use 2–50 characters of a–z, 0–9 and -.').waitFor();
    // the id of an existing publisher is refused by the server, at the field
    await form.getByLabel('Publisher id').fill(PUB);
    await form.getByRole('button', { name: 'Create publisher' }).click();
    await form.getByText('A publisher with this id already exists.').waitFor();

    await form.getByLabel('Publisher id').fill('northwind');
    await form.getByRole('button', { name: 'Create publisher' }).click();
    const box = page.getByRole('region', { name: 'Token of Northwind Traders (northwind)' });
    await box.getByText('Shown only this once.').waitFor();
    const created = await box.getByLabel('Publisher token').inputValue();
    assert.match(created, /^vmk_/);
    await box.getByRole('button', { name: 'Copy token' }).click();
    await box.getByText('The token is on the clipboard.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), created);
    await page.getByRole('table', { name: 'All publishers' }).getByRole('cell', { name: 'northwind', exact: true }).waitFor();
    await screenshot(page, 'operator-token');

    const me = await server.api('GET', '/me', { token: created });
    assert.equal(me.status, 200);
    assert.equal(me.body.kind, 'publisher');
    assert.equal(me.body.publisher.id, 'northwind');
    const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }));
    assert.ok(!stored.includes(created), 'the new token is kept in no storage');
    assert.ok(!page.url().includes(created));

    await page.reload();
    await page.getByRole('table', { name: 'All publishers' }).getByRole('cell', { name: 'northwind', exact: true }).waitFor();
    assert.equal(await page.getByText(created).count(), 0);
    assert.equal(await page.getByLabel('Publisher token').count(), 0, 'the token is not shown again');
    await screenshot(page, 'operator-publishers');
    assert.deepEqual(problemsOf(page), []);
  });

  test('running operations show the current step, marked stuck, and open the offer for its publisher', async () => {
    await waiting;
    await page.getByRole('navigation', { name: 'Operator view' }).getByRole('link', { name: 'Operations' }).click();
    await page.getByRole('heading', { level: 1, name: 'Running operations' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: OFFER });
    await row.getByText('Certification', { exact: true }).waitFor();
    await row.getByText('Waiting for approval').waitFor();
    await row.getByText('Stuck', { exact: true }).waitFor();
    await row.getByText(PUB, { exact: true }).waitFor();
    await screenshot(page, 'operator-operations');

    await row.getByRole('link', { name: `${OFFER} of ${PUB}: open the publishing page` }).click();
    await page.waitForURL(`${server.url}/portal/offers/${OFFER}`);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('vmarket.actingPublisher')), PUB);
    await page.getByText(PUB, { exact: true }).first().waitFor(); // "Acting for publisher contoso"
    assert.deepEqual(problemsOf(page), []);
  });

  test('every publisher\'s tickets are listed; opening one acts for its publisher', async () => {
    await page.goto(`${server.url}/operator/tickets`);
    await page.getByRole('heading', { level: 1, name: 'All tickets' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'Stuck step: Certification' }).filter({ hasText: OFFER });
    await row.getByText(PUB, { exact: true }).waitFor();
    await row.getByText('Open', { exact: true }).waitFor();
    await screenshot(page, 'operator-tickets');
    await page.evaluate(() => sessionStorage.removeItem('vmarket.actingPublisher'));
    await row.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: `Certification is stuck for ${OFFER}` }).waitFor();
    assert.match(page.url(), /\/portal\/tickets\/tk-/);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('vmarket.actingPublisher')), PUB);
    assert.deepEqual(problemsOf(page), []);
  });

  test('the review queue: the report summary, reject needs feedback, approve lets the publication go on, reject with feedback stops it', async () => {
    await server.waitForStatus(token, PUB, REJECTED, (doc) => certify(doc)?.status === 'waitingForApproval', 'the second review');
    await page.goto(`${server.url}/operator/reviews`);
    await page.getByRole('heading', { level: 1, name: 'Certification review queue' }).waitFor();
    const item = page.getByRole('article', { name: `${PUB} / ${OFFER}` });
    await item.getByText('Passed', { exact: true }).waitFor();
    await item.getByRole('button', { name: 'Show the certification report' }).click();
    await item.getByText(/\d+ passed, \d+ failed, \d+ with warnings, \d+ skipped\./).waitFor();
    assert.equal(await item.getByRole('button', { name: 'Hide the certification report' }).getAttribute('aria-expanded'), 'true');

    await item.getByRole('button', { name: 'Reject' }).click();
    await item.getByText('Tell the publisher what to fix before you reject.').waitFor();
    const feedback = item.getByLabel('Feedback for the publisher');
    assert.equal(await feedback.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), await feedback.getAttribute('id'));
    assert.equal(certify(await offerStatus()).status, 'waitingForApproval', 'nothing was decided');
    await screenshot(page, 'operator-reviews');

    await item.getByRole('button', { name: 'Approve' }).click();
    const dialog = page.getByRole('dialog', { name: `Approve the certification of ${PUB}/${OFFER}?` });
    await dialog.getByRole('button', { name: 'Approve certification' }).click();
    await page.getByText(`Approved the certification of ${PUB}/${OFFER}.`).waitFor();
    await item.waitFor({ state: 'detached' });
    const after = await waitForStatus((doc) => certify(doc).status === 'complete', 'certify complete');
    assert.ok(['running', 'waitingForPublisherReview'].includes(after.status), after.status);

    // the second one is rejected: the feedback reaches the publisher and the publication stops
    const second = page.getByRole('article', { name: `${PUB} / ${REJECTED}` });
    const reason = 'Remove /root/.bash_history and rebuild the image.';
    await second.getByLabel('Feedback for the publisher').fill(reason);
    await second.getByRole('button', { name: 'Reject' }).click();
    await page.getByText(`Rejected the certification of ${PUB}/${REJECTED}; the publisher sees your feedback.`).waitFor();
    await page.getByText('No certification is waiting for review.').waitFor();
    const rejected = await server.waitForStatus(token, PUB, REJECTED, (doc) => doc.status === 'failed', 'failed');
    assert.equal(certify(rejected).status, 'blocked');
    assert.ok(certify(rejected).messages.some((m: { text: string }) => m.text.includes(reason)), JSON.stringify(certify(rejected).messages));
    assert.equal((await server.api('GET', '/reviews', { token: server.operatorToken })).body.reviews.length, 0);

    // the open queue keeps itself current: a new certification waiting for review appears, no reload
    await server.submit(token, offerDocument({ id: LATER, publisher: PUB, osDisk: server.imageName }));
    await server.waitForStatus(token, PUB, LATER, (doc) => certify(doc)?.status === 'waitingForApproval', 'the third review');
    await page.getByRole('article', { name: `${PUB} / ${LATER}` }).waitFor({ timeout: 20_000 });
    assert.deepEqual(problemsOf(page), []);
  });

  test('in German the operator view has German headings', async () => {
    const de = await newPage(browser, { locale: 'de-DE' });
    try {
      await signIn(de.page, '/operator', 'Anmelden');
      await de.page.getByRole('heading', { level: 1, name: 'Laufende Vorgänge' }).waitFor();
      const nav = de.page.getByRole('navigation', { name: 'Betreiberansicht' });
      await nav.getByRole('link', { name: 'Prüfwarteschlange' }).click();
      await de.page.getByRole('heading', { level: 1, name: 'Warteschlange der Zertifizierungsprüfung' }).waitFor();
      await nav.getByRole('link', { name: 'Herausgeber' }).click();
      await de.page.getByRole('heading', { level: 1, name: 'Herausgeber' }).waitFor();
      await de.page.getByRole('heading', { name: 'Herausgeber anlegen' }).waitFor();
      await nav.getByRole('link', { name: 'Vorgänge' }).click();
      await de.page.getByRole('heading', { level: 1, name: 'Laufende Vorgänge' }).waitFor();
      await de.page.getByRole('columnheader', { name: 'Aktueller Schritt' }).waitFor();
      await de.page.getByRole('row').filter({ hasText: OFFER }).waitFor();
      await screenshot(de.page, 'operator-de');
      assert.deepEqual(problemsOf(de.page), []);
    } finally {
      await de.context.close();
    }
  });

  test('at 375 px the operator pages do not scroll sideways', async () => {
    const phone = await newPage(browser, { width: 375, height: 800 });
    try {
      await signIn(phone.page, '/operator');
      await phone.page.getByRole('heading', { level: 1, name: 'Running operations' }).waitFor();
      await phone.page.getByRole('row').filter({ hasText: OFFER }).waitFor();
      await screenshot(phone.page, 'operator-375');
      const sections = [
        ['Tickets', 'All tickets'],
        ['Review queue', 'Certification review queue'],
        ['Operations', 'Running operations'],
        ['Publishers', 'Publishers'],
      ];
      for (const [link, heading] of sections) {
        await phone.page.getByRole('navigation', { name: 'Operator view' }).getByRole('link', { name: link, exact: true }).click();
        await phone.page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
        await phone.page.getByText('Loading…').waitFor({ state: 'detached' });
        const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${heading} scrolls sideways by ${overflow}px at 375 px`);
      }
      await screenshot(phone.page, 'operator-375-publishers');
      assert.deepEqual(problemsOf(phone.page), []);
    } finally {
      await phone.context.close();
    }
  });
});
