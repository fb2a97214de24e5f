/**
 * The publisher's language over real HTTP: `Accept-Language: de` answers an invalid offer's 422
 * (its sentence and every problem: a zod finding, a schema's own message, an operator rule), the
 * publication's step messages (status, operation, the live status stream) and the publishing
 * errors in German; without the header, or with `en`, everything reads exactly as before; no
 * answer carries the stored `translations`.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { baseLinuxTree, buildImage } from '../fixtures/images.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { notificationEmail } from '../../src/notify/notifier.ts';
import { pipelineEvent } from '../../src/pipeline/notify.ts';
import { loadOperation } from '../../src/pipeline/operations.ts';
import { offerDocument, step, waitForStatus } from '../helpers/offers.ts';
import { imageFile } from '../helpers/offers.ts';

let server: TestServer;
let token: string;
const BASE = '/api/v1/publishers/contoso/offers';
const DE = { 'accept-language': 'de' };

before(async () => {
  server = await startTestServer();
  token = await server.createPublisher('contoso');
});
after(async () => {
  await server?.close();
});

/** Whether `translations` appears anywhere in an answer (it must never leave the server). */
function leaksTranslations(body: unknown): boolean {
  return JSON.stringify(body).includes('"translations"');
}

function messageAt(body: any, at: string): string | undefined {
  return body.error.details.find((d: { path: string }) => d.path === at)?.message;
}

test('an invalid offer answers 422 in German for Accept-Language: de, in English otherwise, and nothing is saved', async () => {
  const offer = offerDocument({ id: 'sprachen', publisher: 'contoso', osDisk: await imageFile(server) }) as any;
  offer.extra = true; // zod: unrecognized key
  offer.listing.title = 5; // zod: wrong type
  offer.listing.privacyUrl = 'http://example.com/privacy'; // the schema's own message
  offer.plans[0].regions = ['westeurope', 'mars']; // the operator's rule
  offer.plans[0].images[0].dataDisks = [{ lun: 0, source: '../../etc/passwd' }]; // the import-path confinement
  const put = (headers: Record<string, string> = {}) => server.api('PUT', `${BASE}/sprachen`, { token, body: offer, headers });

  const german = await put(DE);
  assert.equal(german.status, 422, JSON.stringify(german.body));
  assert.equal(german.body.error.code, 'VALIDATION_FAILED');
  assert.equal(german.body.error.message, 'Das Angebot hat 5 Probleme; nichts wurde gespeichert.');
  assert.equal(messageAt(german.body, '(root)'), 'Unbekanntes Feld: "extra"');
  assert.equal(messageAt(german.body, 'listing.title'), 'Ungültige Eingabe: erwartet Text, erhalten Zahl');
  assert.equal(messageAt(german.body, 'listing.privacyUrl'), 'muss eine https://-URL sein');
  assert.equal(messageAt(german.body, 'plans[0].regions[1]'), 'unbekannte Region "mars"; dieser Marktplatz hat westeurope, eastus');
  assert.equal(messageAt(german.body, 'plans[0].images[0].dataDisks[0].source'), 'Die Image-Datei ../../etc/passwd kann nicht importiert werden: In Ihrem Importverzeichnis gibt es keine solche Datei.');
  assert.equal(german.body.error.details.length, 5, JSON.stringify(german.body.error.details));
  assert.ok(!leaksTranslations(german.body), JSON.stringify(german.body));
  assert.match(german.headers.vary ?? '', /accept-language/i);

  const english = await put();
  assert.equal(english.status, 422);
  assert.equal(english.body.error.message, 'The offer has 5 problems; nothing was saved.');
  assert.deepEqual(
    english.body.error.details,
    [
      { path: 'listing.title', message: 'Invalid input: expected string, received number' },
      { path: 'listing.privacyUrl', message: 'must be an https:// URL' },
      { path: '(root)', message: 'Unrecognized key: "extra"' },
      { path: 'plans[0].regions[1]', message: 'unknown region "mars"; this marketplace has westeurope, eastus' },
      { path: 'plans[0].images[0].dataDisks[0].source', message: 'The image file ../../etc/passwd cannot be imported: there is no such file in your import directory.' },
    ],
  );
  assert.match(english.headers.vary ?? '', /accept-language/i);
  assert.deepEqual((await put({ 'accept-language': 'en' })).body, english.body, 'en reads like no header');
  assert.deepEqual((await put({ 'accept-language': 'fr, de;q=0.5' })).body, german.body, 'German is the best offered language');
  assert.deepEqual((await put({ 'accept-language': 'de-AT' })).body, german.body);

  const saved = await server.api('GET', `${BASE}/sprachen`, { token, headers: DE });
  assert.equal(saved.status, 404, 'nothing was saved');
  assert.equal(saved.body.error.message, 'Das Angebot contoso/sprachen existiert nicht.');
});

test('a request that fails its route schema answers in German too', async () => {
  const offer = offerDocument({ id: 'schema-de', publisher: 'contoso', osDisk: await imageFile(server) });
  assert.equal((await server.api('PUT', `${BASE}/schema-de`, { token, body: offer })).status, 201);
  const german = await server.api('POST', `${BASE}/schema-de/publish`, { token, body: { notifyEmails: 'someone' }, headers: DE });
  assert.equal(german.status, 422, JSON.stringify(german.body));
  assert.equal(german.body.error.message, 'Der Anfragetext hat 1 Problem.');
  assert.equal(german.body.error.details[0].path, 'notifyEmails');
  assert.match(german.body.error.details[0].message, /^Ungültige Eingabe: erwartet Liste, erhalten Text$/);
  assert.ok(!leaksTranslations(german.body));
  const english = await server.api('POST', `${BASE}/schema-de/publish`, { token, body: { notifyEmails: 'someone' } });
  assert.equal(english.body.error.message, 'The request body has 1 problem.');
  assert.equal(english.body.error.details[0].message, 'Invalid input: expected array, received string');

  // published in German, the publication's e-mails are written in German (webhooks stay English)
  const published = await server.api('POST', `${BASE}/schema-de/publish`, { token, body: { notifyEmails: ['dev@contoso.example'] }, headers: DE });
  assert.equal(published.status, 202, JSON.stringify(published.body));
  const op = (await loadOperation(server.ctx.db.kysely, published.body.operationId))!;
  assert.equal(op.locale, 'de');
  const mail = notificationEmail(pipelineEvent(server.ctx, op, 'operation.succeeded'));
  assert.equal(mail.subject, 'vmarket: contoso.schema-de: das Angebot ist live');
  assert.match(mail.text, /^contoso\.schema-de ist live\.\n\nAngebot: contoso\.schema-de\nVorgang: op-/);
  const canceled = await server.api('POST', `${BASE}/schema-de/cancel`, { token });
  assert.equal(canceled.status, 202, JSON.stringify(canceled.body));
});

/** Reads `text/event-stream` blocks; the `data` of each `status` event, parsed. */
async function* statusEvents(res: Response): AsyncGenerator<any> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').find((line) => line.startsWith('data:'));
      if (block.includes('event: status') && data) yield JSON.parse(data.slice(5));
    }
  }
}

function texts(doc: any, id: string): string[] {
  return step(doc, id).messages.map((m: { text: string }) => m.text);
}

test('a publication reads in German for Accept-Language: de (status, operation, the status stream) and in English otherwise', async () => {
  const image = path.join(server.importDirOf('contoso'), 'sprache.vhd');
  await buildImage({ ...baseLinuxTree(), output: image });
  const offer = offerDocument({ id: 'sprache', publisher: 'contoso', osDisk: image });
  assert.equal((await server.api('PUT', `${BASE}/sprache`, { token, body: offer })).status, 201);

  const early = await server.api('POST', `${BASE}/sprache/golive`, { token, headers: DE });
  assert.equal(early.status, 409);
  assert.equal(early.body.error.message, 'Das Angebot sprache hat keine Veröffentlichung, die auf die Genehmigung des Herausgebers wartet.');

  // the stream, opened in German before publishing, follows the publication to the sign-off
  const abort = new AbortController();
  const stream = await fetch(`${server.url}${BASE}/sprache/status/events`, {
    headers: { authorization: `Bearer ${token}`, ...DE },
    signal: abort.signal,
  });
  assert.equal(stream.status, 200);
  const published = await server.api('POST', `${BASE}/sprache/publish`, { token });
  assert.equal(published.status, 202, JSON.stringify(published.body));
  const streamed: any[] = [];
  const watchdog = setTimeout(() => abort.abort(), 120_000);
  try {
    for await (const doc of statusEvents(stream)) {
      streamed.push(doc);
      if (doc.status === 'waitingForPublisherReview' || doc.status === 'failed') break;
    }
  } finally {
    clearTimeout(watchdog);
    abort.abort();
  }
  const lastStreamed = streamed.at(-1);
  assert.equal(lastStreamed?.status, 'waitingForPublisherReview', JSON.stringify(lastStreamed));
  assert.deepEqual(texts(lastStreamed, 'validate'), ['Alle Voraussetzungen sind erfüllt (1 Plan).']);
  assert.ok(!streamed.some(leaksTranslations), 'the stream never carries translations');

  const waiting = await waitForStatus(server.api, token, 'contoso', 'sprache', (d) => d.status === 'waitingForPublisherReview');
  assert.deepEqual(texts(waiting, 'validate'), ['All prerequisites are met (1 plan).']);
  assert.deepEqual(texts(waiting, 'test-drive'), ['No test drive is enabled for this offer.']);
  assert.equal(texts(waiting, 'certify').at(-1), 'Certification passed for 1 image(s).');
  assert.match(texts(waiting, 'signoff')[0], /^The preview is ready for 1 preview subscription; check it and go live \(vmarket golive sprache\) or cancel\.$/);
  const germanWaiting = (await server.api('GET', `${BASE}/sprache/status`, { token, headers: DE })).body;
  assert.deepEqual(texts(germanWaiting, 'validate'), ['Alle Voraussetzungen sind erfüllt (1 Plan).']);
  assert.deepEqual(texts(germanWaiting, 'test-drive'), ['Für dieses Angebot ist keine Testversion aktiviert.']);
  assert.equal(texts(germanWaiting, 'certify').at(-1), 'Zertifizierung für 1 Image bestanden.');
  assert.match(texts(germanWaiting, 'signoff')[0], /^Die Vorschau ist für 1 Vorschau-Abonnement bereit; prüfen Sie sie/);
  assert.ok(!leaksTranslations(waiting) && !leaksTranslations(germanWaiting));

  assert.equal((await server.api('POST', `${BASE}/sprache/golive`, { token })).status, 202);
  const done = await waitForStatus(server.api, token, 'contoso', 'sprache', (d) => d.status === 'succeeded');
  assert.match(texts(done, 'deploy').at(-1)!, /^Deployed to 2 region\(s\): westeurope, eastus \(.+ copied\)\.$/);
  assert.match(texts(done, 'live')[0], /^Live: http/);
  assert.equal(texts(done, 'signoff').at(-1), 'Signed off by publisher:contoso.');
  const germanDone = (await server.api('GET', `${BASE}/sprache/status`, { token, headers: DE })).body;
  assert.match(texts(germanDone, 'deploy').at(-1)!, /^In 2 Regionen bereitgestellt: westeurope, eastus \(.+ kopiert\)\.$/);
  assert.match(texts(germanDone, 'live')[0], /^Live geschaltet: http/);
  assert.equal(texts(germanDone, 'signoff').at(-1), 'Genehmigt von publisher:contoso.');
  assert.ok(!leaksTranslations(done) && !leaksTranslations(germanDone));

  // the operation view carries the same German messages
  const operation = await server.api('GET', `/api/v1/publishers/contoso/operations/${published.body.operationId}`, { token, headers: DE });
  assert.equal(operation.status, 200);
  assert.deepEqual(texts(operation.body, 'validate'), ['Alle Voraussetzungen sind erfüllt (1 Plan).']);
  assert.ok(!leaksTranslations(operation.body));

  const cancel = await server.api('POST', `${BASE}/sprache/cancel`, { token, headers: DE });
  assert.equal(cancel.status, 409);
  assert.equal(cancel.body.error.message, `Das Angebot sprache ist für den Vorgang ${published.body.operationId} bereits live; es gibt nichts abzubrechen.`);
  const cancelEnglish = await server.api('POST', `${BASE}/sprache/cancel`, { token });
  assert.equal(cancelEnglish.body.error.message, `The offer sprache is already live for operation ${published.body.operationId}; nothing to cancel.`);
});

test('the storefront, tickets and publishers answer in German too, each problem at its field', async () => {
  // acquire a plan the live offer does not have (the offer went live in the test above)
  const acquire = (headers: Record<string, string> = {}) =>
    server.api('POST', '/api/v1/catalog/offers/contoso.sprache/acquire', {
      body: { subscriptionId: '00000000-0000-4000-8000-000000000001', plan: 'gold', contact: { name: 'Erika', email: 'erika@example.com' } },
      headers,
    });
  const german = await acquire(DE);
  assert.equal(german.status, 404, JSON.stringify(german.body));
  assert.match(german.body.error.message, /^Das Angebot contoso\.sprache hat keinen Plan "gold" \(seine Pläne: /);
  assert.equal(messageAt(german.body, 'plan'), 'kein Plan von contoso.sprache');
  assert.equal(messageAt((await acquire()).body, 'plan'), 'not a plan of contoso.sprache');

  // a ticket about an offer that does not exist
  const ticket = await server.api('POST', '/api/v1/publishers/contoso/tickets', { token, body: { title: 'Hilfe', body: 'Bitte.', offerId: 'gibt-es-nicht' }, headers: DE });
  assert.equal(ticket.status, 404);
  assert.equal(ticket.body.error.message, 'Das Angebot contoso/gibt-es-nicht existiert nicht.');
  assert.equal(messageAt(ticket.body, 'offerId'), 'kein solches Angebot');

  // the operator names a new publisher badly, then twice
  const bad = await server.api('POST', '/api/v1/publishers', { token: server.operatorToken, body: { id: 'X', name: 'X' }, headers: DE });
  assert.equal(bad.status, 422);
  assert.equal(messageAt(bad.body, 'id'), 'muss aus 2 bis 50 Zeichen a-z, 0-9 und - bestehen');
  const twice = await server.api('POST', '/api/v1/publishers', { token: server.operatorToken, body: { id: 'contoso', name: 'Contoso' }, headers: DE });
  assert.equal(twice.status, 409);
  assert.equal(twice.body.error.message, 'Den Herausgeber contoso gibt es schon.');
  for (const body of [german.body, ticket.body, bad.body, twice.body]) assert.ok(!leaksTranslations(body), JSON.stringify(body));
});
