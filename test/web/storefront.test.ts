/**
 * The public storefront in a real browser against a real `vmarket serve`: one offer taken live
 * and one published to preview for an audience subscription, both through the API. Search and
 * category filter as you type, previews only for their audience, the offer page's markdown with
 * no script running, acquire errors at their fields, and the signed package: the real file's
 * SHA-256, a copy in every region, and a download that verifies with the marketplace's key.
 */
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { AUDIENCE, offerDocument } from '../helpers/offers.ts';
import { sha256File } from '../helpers/streams.ts';
import { regionCopyPath } from '../helpers/locations.ts';
import { browserUnavailable, launchBrowser, newPage, problemsOf, screenshot, signIn, startWebServer, type WebServer } from './harness.ts';

const skip = browserUnavailable();

const PUB = 'fabrikam';
const LIVE = 'hardened-ubuntu';
const PREVIEW = 'beta-database';
const OTHER_SUBSCRIPTION = '11111111-2222-4333-8444-555555555555';
const DESCRIPTION = [
  'A **hardened** Ubuntu server.',
  '',
  '- CIS level 1',
  '- SSH keys only',
  '',
  '<script>window.__x=1</script>',
  '',
  '[x](javascript:alert(1)) and [docs](https://example.com/docs)',
].join('\n');

function liveOffer(imageName: string): Record<string, unknown> {
  const doc = offerDocument({ id: LIVE, publisher: PUB, osDisk: imageName });
  const plan = (doc.plans as Record<string, unknown>[])[0];
  return {
    ...doc,
    listing: { ...(doc.listing as object), title: 'Hardened Ubuntu Server', summary: 'Ubuntu 22.04 with CIS hardening.', description: DESCRIPTION, categories: ['security', 'linux'] },
    plans: [
      { ...plan, title: 'Standard', pricing: { model: 'hourly', hourlyUsd: 0.12 } },
      { ...plan, id: 'byol', title: 'Bring your license', pricing: { model: 'byol' } },
    ],
  };
}

function previewOffer(imageName: string): Record<string, unknown> {
  const doc = offerDocument({ id: PREVIEW, publisher: PUB, osDisk: imageName });
  return { ...doc, previewAudience: [AUDIENCE], listing: { ...(doc.listing as object), title: 'Beta Database Appliance', summary: 'A database in preview.', categories: ['databases'] } };
}

function card(page: Page, title: string) {
  return page.locator('li.card').filter({ has: page.getByRole('heading', { name: title }) });
}

describe('web app: storefront', { skip }, () => {
  let server: WebServer;
  let browser: Browser;
  let imageSha: string;
  let token: string;

  before(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchBrowser()]);
    token = await server.createPublisher(PUB, 'Fabrikam Inc');
    await Promise.all([server.publish(token, liveOffer(server.imageName), { live: true }), server.publish(token, previewOffer(server.imageName))]);
    imageSha = await sha256File(path.join(server.importDir, server.imageName));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('live offers as cards; search and category filter as you type, kept in the URL', async () => {
    const { context, page } = await newPage(browser);
    await page.goto(`${server.url}/`);
    const live = card(page, 'Hardened Ubuntu Server');
    await live.waitFor();
    await page.getByRole('status').filter({ hasText: '1 offer' }).waitFor();
    assert.equal(await card(page, 'Beta Database Appliance').count(), 0, 'the preview is not public');
    assert.match(await live.innerText(), /by fabrikam/);
    assert.match(await live.innerText(), /\$0\.12 per hour/);
    assert.match(await live.innerText(), /Bring your own license/);
    assert.match(await live.innerText(), /Security/);
    await screenshot(page, 'storefront');

    // typing may pause past the debounce on a loaded machine, so a shorter prefix can be searched
    // first; wait for the whole query's answer, not just any empty result
    const search = page.getByLabel('Search offers');
    const nothing = page.waitForResponse((r) => new URL(r.url()).searchParams.get('q') === 'nothing-like-this');
    await search.pressSequentially('nothing-like-this');
    assert.equal((await (await nothing).json()).offers.length, 0);
    await page.getByText('No offers match your search.').waitFor();
    await page.getByRole('status').filter({ hasText: '0 offers' }).waitFor();
    assert.equal(await live.count(), 0);
    assert.equal(new URL(page.url()).searchParams.get('q'), 'nothing-like-this');

    // words from the summary and the description, all of which must match
    await search.fill('');
    const answered = page.waitForResponse((r) => new URL(r.url()).searchParams.get('q') === 'CIS hard');
    await search.pressSequentially('CIS hard');
    assert.equal((await (await answered).json()).offers.length, 1);
    await live.waitFor();
    await page.getByRole('status').filter({ hasText: '1 offer' }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('q'), 'CIS hard');

    // a shared search opens as it was
    await page.goto(`${server.url}/?q=ubuntu&category=databases`);
    assert.equal(await page.getByLabel('Search offers').inputValue(), 'ubuntu');
    await page.getByText('No offers match your search.').waitFor();
    await page.getByLabel('Category').selectOption({ label: 'Security' });
    await live.waitFor();
    assert.equal(new URL(page.url()).searchParams.get('category'), 'security');
    assert.deepEqual(problemsOf(page), []);
    await context.close();
  });

  test('the preview subscription shows its audience\'s previews, marked, and no others', async () => {
    const { context, page } = await newPage(browser);
    await page.goto(`${server.url}/`);
    await card(page, 'Hardened Ubuntu Server').waitFor();
    const field = page.getByLabel('Preview subscription');
    await field.fill('not-a-guid');
    await page.getByRole('button', { name: 'Show previews' }).click();
    await page.getByText(/Enter a subscription ID in the form/).waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('vmarket.previewSubscription')), null);

    await field.fill(AUDIENCE);
    await field.press('Enter');
    const preview = card(page, 'Beta Database Appliance');
    await preview.waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), null);
    await preview.locator('.badge-preview', { hasText: 'Preview' }).waitFor();
    assert.equal(await card(page, 'Hardened Ubuntu Server').locator('.badge-preview').count(), 0);
    await page.getByRole('status').filter({ hasText: '2 offers' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('vmarket.previewSubscription')), AUDIENCE);
    await screenshot(page, 'storefront-preview');

    // its page too, while the subscription is kept for the session
    await preview.getByRole('link', { name: 'Beta Database Appliance' }).click();
    await page.getByRole('heading', { level: 1, name: 'Beta Database Appliance' }).waitFor();
    await page.locator('.offer-header .badge-preview', { hasText: 'Preview' }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/offers/${PUB}.${PREVIEW}`);
    await page.getByRole('link', { name: '← All offers' }).click();

    await field.fill(OTHER_SUBSCRIPTION);
    await page.getByRole('button', { name: 'Show previews' }).click();
    await page.getByRole('status').filter({ hasText: '1 offer' }).waitFor();
    assert.equal(await preview.count(), 0, 'another subscription sees no preview');

    await field.fill(AUDIENCE);
    await page.getByRole('button', { name: 'Show previews' }).click();
    await preview.waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('status').filter({ hasText: '1 offer' }).waitFor();
    assert.equal(await preview.count(), 0, 'cleared, the preview is hidden again');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('vmarket.previewSubscription')), null);

    // without the subscription the preview's page is not there
    await page.goto(`${server.url}/offers/${PUB}.${PREVIEW}`);
    await page.getByRole('heading', { name: 'Offer not found' }).waitFor();
    assert.deepEqual(problemsOf(page), []);
    await context.close();
  });

  test('the offer page renders markdown without scripts; acquire shows errors at fields, then the signed package', async () => {
    const { context, page } = await newPage(browser);
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'Hardened Ubuntu Server' }).click();
    await page.getByRole('heading', { level: 1, name: 'Hardened Ubuntu Server' }).waitFor();
    const markdown = page.locator('.markdown');
    assert.equal(await markdown.locator('strong').innerText(), 'hardened');
    assert.equal(await markdown.locator('li').count(), 2);
    assert.match(await markdown.innerText(), /<script>window\.__x=1<\/script>/, 'raw HTML is shown as text');
    assert.equal(await page.evaluate(() => (window as unknown as { __x?: unknown }).__x), undefined);
    assert.equal(await page.locator('a[href^="javascript:" i]').count(), 0);
    assert.equal(await markdown.getByRole('link', { name: 'docs' }).getAttribute('href'), 'https://example.com/docs');
    assert.equal(await page.getByRole('link', { name: 'support@example.com' }).getAttribute('href'), 'mailto:support@example.com');
    const standard = page.locator('section.plan').filter({ has: page.getByRole('heading', { name: 'Standard' }) });
    assert.match(await standard.innerText(), /Ubuntu 22\.04/);
    assert.match(await standard.innerText(), /22\/tcp/);
    assert.match(await standard.innerText(), /westeurope, eastus/);
    assert.match(await standard.innerText(), /1\.0\.0/);
    await screenshot(page, 'offer');

    const email = page.getByLabel('Email');
    await page.getByLabel('Plan', { exact: true }).selectOption({ label: 'Standard' });
    await page.getByLabel('Subscription ID').fill(OTHER_SUBSCRIPTION);
    await page.getByLabel('Name').fill('Erika Mustermann');
    await email.fill('erika-at-example');
    await page.getByRole('button', { name: 'Get it now' }).click();
    const emailField = page.locator('[data-field="contact.email"]');
    await emailField.getByText('Enter a valid email address').waitFor();
    assert.equal(await email.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Name').getAttribute('aria-invalid'), null);

    await email.fill('erika@example.com');
    await page.getByLabel('Company').fill('Contoso GmbH');
    await page.getByRole('button', { name: 'Get it now' }).click();
    await page.getByRole('heading', { name: 'Your signed package' }).waitFor();
    assert.equal(await email.getAttribute('aria-invalid'), null);
    assert.equal(await page.locator('code.sha256').innerText(), imageSha);
    const locations = page.locator('ul.locations:not(.region-copies) li');
    assert.equal(await locations.count(), 2);
    for (const region of ['westeurope', 'eastus']) {
      const text = await locations.filter({ hasText: region }).innerText();
      const uri = /vmarket-fs:\/\/\S+/.exec(text)?.[0];
      assert.ok(uri, `a location for ${region}: ${text}`);
      assert.equal(await sha256File(regionCopyPath((region) => path.join(server.dataDir, 'regions', region), uri)), imageSha, `the ${region} copy holds the image's bytes`);
    }
    // per region the file it serves: both regions serve the source format, the certified file
    const copies = page.locator('ul.region-copies li');
    assert.equal(await copies.count(), 2);
    for (const region of ['westeurope', 'eastus']) assert.match(await copies.filter({ hasText: region }).innerText(), new RegExp(`vhd-fixed, [\\d.,]+ [kMG]?B ${imageSha}`));
    assert.match(await page.locator('code.virtual-sha256').innerText(), /^[0-9a-f]{64}$/);
    // the download links (docs/contracts.md §5 "Downloads"): one per region, its format and size, bytes that are the image
    const links = page.locator('a.download-link');
    assert.equal(await links.count(), 2);
    assert.match(await page.locator('.download-links').innerText(), /vhd-fixed, [\d.,]+ [kMG]?B/);
    const served = await fetch((await links.first().getAttribute('href'))!);
    assert.equal(served.status, 200);
    assert.equal(createHash('sha256').update(new Uint8Array(await served.arrayBuffer())).digest('hex'), imageSha);
    const [fresh] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/catalog/acquisitions/')),
      page.getByRole('button', { name: 'Get fresh links' }).click(),
    ]);
    assert.equal(fresh.status(), 200, 'fresh links with the acquisition token');
    // the acquisition's own simplestreams mirror: its index lists the image the page acquired
    const mirror = /https?:\/\/\S+\/streams\/acquired\/\S+\//.exec(await page.locator('code.mirror-url').innerText())?.[0];
    assert.ok(mirror, 'the sstream-mirror command names the mirror root');
    const products = Object.values((await (await fetch(`${mirror}streams/v1/index.json`)).json()).index) as { path: string }[];
    assert.match(await (await fetch(new URL(products[0]!.path, mirror))).text(), new RegExp(imageSha));
    await page.getByText('Signature', { exact: true }).click();
    await screenshot(page, 'acquire-result');

    // the download is what the "How to verify" steps verify: the signature holds over it
    const keyId = await page.locator('.signature code').first().innerText();
    const signature = await page.locator('code.signature-value').innerText();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download package (JSON)' }).click()]);
    const packageBytes = await readFile((await download.path())!);
    const keys = await server.api('GET', '/catalog/keys');
    const key = keys.body.keys.find((k: { keyId: string }) => k.keyId === keyId);
    assert.ok(key, `key ${keyId} is published`);
    assert.ok(verify(null, packageBytes, createPublicKey(key.publicKeyPem), Buffer.from(signature, 'base64')), 'the downloaded package verifies');
    assert.equal(JSON.parse(packageBytes.toString('utf8')).images[0].sha256, imageSha);
    const steps = await page.locator('.verify').innerText();
    assert.match(steps, /openssl pkeyutl -verify -pubin -inkey key\.pem -rawin -in \S+\.package\.json -sigfile sig\.bin/);
    assert.match(steps, new RegExp(`sha256sum \\S+${imageSha}`));
    assert.deepEqual(problemsOf(page), []);
    await context.close();
  });

  test('in German, and at 375 px without horizontal scrolling', async () => {
    const de = await newPage(browser, { locale: 'de-DE' });
    await de.page.goto(`${server.url}/`);
    await de.page.getByRole('heading', { level: 1, name: 'Images virtueller Maschinen' }).waitFor();
    await de.page.getByRole('status').filter({ hasText: '1 Angebot' }).waitFor();
    const cardText = await card(de.page, 'Hardened Ubuntu Server').innerText();
    assert.match(cardText, /von fabrikam/);
    assert.match(cardText, /0,12\s\$ pro Stunde/);
    assert.match(cardText, /Sicherheit/);
    await de.page.getByLabel('Angebote durchsuchen').waitFor();
    await de.page.getByLabel('Vorschau-Abonnement').waitFor();
    await screenshot(de.page, 'storefront-de');
    await de.page.getByRole('link', { name: 'Hardened Ubuntu Server' }).click();
    await de.page.getByRole('heading', { name: 'Übersicht' }).waitFor();
    await de.page.getByRole('heading', { name: 'Jetzt erwerben' }).waitFor();
    await de.page.getByLabel('Abonnement-ID').fill('keine-guid');
    await de.page.getByRole('button', { name: 'Jetzt erwerben' }).click();
    await de.page.locator('[data-field="subscriptionId"]').getByText('Geben Sie eine Abonnement-ID der Form').waitFor();
    await de.page.locator('[data-field="contact.email"]').getByText('Geben Sie eine gültige E-Mail-Adresse ein').waitFor();
    assert.deepEqual(problemsOf(de.page), []);
    await de.context.close();

    const phone = await newPage(browser, { width: 375, height: 800 });
    await phone.page.goto(`${server.url}/`);
    await card(phone.page, 'Hardened Ubuntu Server').waitFor();
    assert.ok(await phone.page.evaluate(() => document.documentElement.scrollWidth <= 375), 'the storefront fits 375 px');
    await screenshot(phone.page, 'storefront-375');
    // the widest content: the signed package with its hashes, URIs and commands
    await phone.page.goto(`${server.url}/offers/${PUB}.${LIVE}`);
    await phone.page.getByLabel('Subscription ID').fill(OTHER_SUBSCRIPTION);
    await phone.page.getByLabel('Name').fill('Erika Mustermann');
    await phone.page.getByLabel('Email').fill('erika@example.com');
    await phone.page.getByRole('button', { name: 'Get it now' }).click();
    await phone.page.getByRole('heading', { name: 'Your signed package' }).waitFor();
    assert.ok(await phone.page.evaluate(() => document.documentElement.scrollWidth <= 375), 'the offer page with its package fits 375 px');
    await screenshot(phone.page, 'acquire-result-375');
    assert.deepEqual(problemsOf(phone.page), []);
    await phone.context.close();
  });

  // last: the deprecation stays in effect (its day is today)
  test('the publisher deprecates a plan in the portal; the offer page marks it and acquire refuses it naming the alternative', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, server, token, `/portal/offers/${LIVE}`);
    const selling = page.getByRole('region', { name: 'Selling' });
    await selling.getByLabel('Applies to').selectOption('byol');
    await selling.getByLabel('Plan to take instead').selectOption('standard');
    await selling.getByLabel('Reason (customers read it)').fill('Licenses are included in Standard now');
    await selling.getByRole('button', { name: 'Deprecate' }).click();
    const today = new Date().toISOString().slice(0, 10);
    await selling.getByText(`Plan byol: not sold · deprecated on ${today}, use plan standard instead`).waitFor();
    await screenshot(page, 'portal-lifecycle');

    await page.goto(`${server.url}/offers/${PUB}.${LIVE}`);
    const plan = page.locator('section.plan').filter({ has: page.getByRole('heading', { name: 'Bring your license' }) });
    await plan.getByText(/^Deprecated on .*: use plan standard instead\. No longer sold\.$/).waitFor();
    await plan.getByText('Reason: Licenses are included in Standard now').waitFor();
    await page.getByLabel('Plan', { exact: true }).selectOption('byol');
    await page.getByLabel('Subscription ID').fill(OTHER_SUBSCRIPTION);
    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByRole('button', { name: 'Get it now' }).click();
    await page.getByText(new RegExp(`deprecated on ${today} \\(Licenses are included in Standard now\\) and can no longer be acquired; use plan standard instead`)).first().waitFor();
    await screenshot(page, 'offer-deprecated-plan');
    assert.deepEqual(problemsOf(page), []);
    await context.close();
  });
});
