/**
 * Every page of the app checked by axe-core (the WCAG 2.0/2.1 A and AA rules: labels, names,
 * contrast, landmarks, ARIA use) in English and German, with real
 * content: a live offer, a preview, a ticket opened by a stuck step, a certification in review.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { AUDIENCE, offerDocument } from '../helpers/offers.ts';
import { browserUnavailable, launchBrowser, newPage, problemsOf, REVIEW_PAST_MAXIMUM, signIn, startWebServer, type WebServer } from './harness.ts';

const skip = browserUnavailable();

const PUB = 'northwind';
const LIVE = 'live-offer';
const REVIEWED = 'reviewed-offer';

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe's findings for the page as it is now, as `rule: selector` lines. */
async function audit(page: Page, axeSource: string): Promise<string[]> {
  // evaluated through the DevTools protocol, so the page's Content-Security-Policy does not apply
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Violation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} at ${n.target.join(' ')}`));
}

describe('web app: accessibility of every page (axe-core, WCAG 2.1 A/AA)', { skip }, () => {
  let server: WebServer;
  let browser: Browser;
  let token: string;
  let axeSource: string;
  let ticketId: string;

  before(async () => {
    axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    [server, browser] = await Promise.all([startWebServer(REVIEW_PAST_MAXIMUM), launchBrowser()]);
    token = await server.createPublisher(PUB, 'Northwind Traders');
    for (const id of [LIVE, REVIEWED]) {
      const doc = offerDocument({ id, publisher: PUB, osDisk: server.imageName });
      (doc.listing as Record<string, unknown>).description = '## About\n\nA **hardened** image.\n\n- one\n- two';
      doc.previewAudience = [AUDIENCE];
      await server.submit(token, doc);
    }
    const certify = (doc: any) => doc.steps.find((s: { id: string }) => s.id === 'certify');
    await server.waitForStatus(token, PUB, LIVE, (doc) => certify(doc).status === 'waitingForApproval', 'the review');
    const approved = await server.api('POST', `/publishers/${PUB}/offers/${LIVE}/certification/review`, { token: server.operatorToken, body: { decision: 'approve' } });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    await server.waitForStatus(token, PUB, LIVE, (doc) => doc.status === 'waitingForPublisherReview', 'the sign-off');
    assert.equal((await server.api('POST', `/publishers/${PUB}/offers/${LIVE}/golive`, { token })).status, 202);
    await server.waitForStatus(token, PUB, LIVE, (doc) => doc.status === 'succeeded', 'live');
    await server.waitForStatus(token, PUB, REVIEWED, (doc) => certify(doc).stuck === true, 'a stuck certification');
    const tickets: { id: string; offerId: string | null }[] = (await server.api('GET', `/publishers/${PUB}/tickets`, { token })).body.tickets;
    ticketId = tickets.find((ticket) => ticket.offerId === REVIEWED)!.id;
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const pages: { path: string; ready: (page: Page) => Promise<void>; operator?: boolean; publisher?: boolean }[] = [
    { path: '/', ready: (p) => p.locator('li.card').first().waitFor() },
    { path: `/offers/${PUB}.${LIVE}`, ready: (p) => p.getByRole('heading', { level: 1 }).waitFor() },
    { path: '/portal', ready: (p) => p.getByLabel('Token', { exact: true }).waitFor() },
    { path: '/portal', publisher: true, ready: (p) => p.getByRole('table').waitFor() },
    { path: '/portal/offers/new', publisher: true, ready: (p) => p.locator('[data-field="listing.title"]').waitFor() },
    { path: `/portal/offers/${LIVE}/edit`, publisher: true, ready: (p) => p.locator('[data-field="listing.title"] input').waitFor() },
    { path: `/portal/offers/${REVIEWED}`, publisher: true, ready: (p) => p.locator(`a[href="/portal/tickets/${ticketId}"]`).first().waitFor() },
    { path: `/portal/offers/${LIVE}`, publisher: true, ready: (p) => p.getByRole('heading', { level: 2 }).first().waitFor() },
    { path: '/portal/tickets', publisher: true, ready: (p) => p.getByRole('table').waitFor() },
    { path: '/portal/tickets/TICKET', publisher: true, ready: (p) => p.getByRole('textbox').first().waitFor() },
    { path: '/portal/leads', publisher: true, ready: (p) => p.getByRole('heading', { level: 1 }).waitFor() },
    { path: '/portal/audit', publisher: true, ready: (p) => p.getByRole('table').waitFor() },
    { path: '/operator/publishers', operator: true, ready: (p) => p.getByRole('table').waitFor() },
    { path: '/operator/operations', operator: true, ready: (p) => p.getByRole('table').waitFor() },
    { path: '/operator/tickets', operator: true, ready: (p) => p.getByRole('table').waitFor() },
    { path: '/operator/audit', operator: true, ready: (p) => p.getByRole('table').waitFor() },
    { path: '/operator/reviews', operator: true, ready: (p) => p.getByRole('button', { name: /Approve|Freigeben|Genehmigen/ }).first().waitFor() },
  ];

  // the phone layout is checked for overflow by each page's own test; the rules here depend on
  // content and language rather than on width
  for (const [locale, width] of [
    ['en-US', 1280],
    ['de-DE', 1280],
  ] as const) {
    test(`no WCAG A/AA violations on any page (${locale}, ${width} px)`, async () => {
      const found: string[] = [];
      for (const role of ['public', 'publisher', 'operator'] as const) {
        const { context, page } = await newPage(browser, { locale, width });
        if (role !== 'public') await signIn(page, server, role === 'operator' ? server.operatorToken : token);
        for (const entry of pages) {
          const wanted = entry.operator ? 'operator' : entry.publisher ? 'publisher' : 'public';
          if (wanted !== role) continue;
          const path = entry.path.replace('TICKET', ticketId);
          await page.goto(`${server.url}${path}`);
          await entry.ready(page);
          found.push(...(await audit(page, axeSource)).map((line) => `${path}: ${line}`));
        }
        assert.deepEqual(problemsOf(page), []);
        await context.close();
      }
      assert.deepEqual(found, [], `axe found:\n${found.join('\n')}`);
    });
  }
});
