/** How a request picks its language (`negotiateLocale`) and how an answer is put into it (`localizeTree`). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { negotiateLocale } from '../../src/i18n/locale.ts';
import { localizeTree } from '../../src/i18n/localize-tree.ts';

test('negotiateLocale: weights, regional tags, the wildcard, and English for anything else', () => {
  assert.equal(negotiateLocale(undefined), 'en');
  assert.equal(negotiateLocale(''), 'en');
  assert.equal(negotiateLocale('de'), 'de');
  assert.equal(negotiateLocale('de-AT'), 'de', 'a regional tag matches its language');
  assert.equal(negotiateLocale('DE-ch'), 'de', 'tags are case-insensitive');
  assert.equal(negotiateLocale('fr, de;q=0.5'), 'de', 'an unoffered language is passed over');
  assert.equal(negotiateLocale('de;q=0.4, en;q=0.8'), 'en', 'the higher weight wins');
  assert.equal(negotiateLocale('en;q=0.4, de;q=0.8'), 'de');
  assert.equal(negotiateLocale('de, en'), 'de', 'equal weights keep their order');
  assert.equal(negotiateLocale('de;q=0, fr'), 'en', 'q=0 excludes a language');
  assert.equal(negotiateLocale('*'), 'en', 'the wildcard means the default');
  assert.equal(negotiateLocale('fr, *;q=0.1, de;q=0.5'), 'de', 'the wildcard ranks by its weight like any range');
  assert.equal(negotiateLocale(['fr', 'de;q=0.9']), 'de', 'repeated headers are read as one list');
  assert.equal(negotiateLocale(';;;,,=q'), 'en', 'garbage falls back to English');
  assert.equal(negotiateLocale('de;q=abc'), 'en', 'an unreadable weight counts as 0');
  assert.equal(negotiateLocale('xx-YY'), 'en');
});

test('localizeTree: German texts swapped in everywhere, translations stripped, the shape kept', () => {
  const at = new Date('2026-01-01T00:00:00Z');
  const buffer = Buffer.from('bytes');
  class Kept {
    translations = { de: { text: 'bleibt' } };
    text = 'stays';
  }
  const kept = new Kept();
  const doc = {
    steps: [
      {
        id: 'validate',
        messages: [
          { level: 'information', text: 'All prerequisites are met (1 plan).', translations: { de: { text: 'Alle Voraussetzungen sind erfüllt (1 Plan).' } } },
          { level: 'information', text: 'No translation here.' },
          [{ text: 'nested', translations: { de: { text: 'verschachtelt' } } }],
        ],
      },
    ],
    error: { message: 'Only the message.', details: [], translations: { de: { message: 'Nur die Nachricht.', missing: 'kein Feld', count: 3 } } },
    at,
    buffer,
    kept,
    count: 3,
    nothing: null,
  };
  const german = localizeTree(doc, 'de') as any;
  assert.equal(german.steps[0].messages[0].text, 'Alle Voraussetzungen sind erfüllt (1 Plan).');
  assert.equal(german.steps[0].messages[1].text, 'No translation here.', 'a missing translation keeps the English');
  assert.equal(german.steps[0].messages[2][0].text, 'verschachtelt', 'arrays inside arrays are walked');
  assert.deepEqual(german.error, { message: 'Nur die Nachricht.', details: [] }, 'only existing string fields are replaced');
  assert.equal(german.at, at, 'a Date passes through untouched');
  assert.equal(german.buffer, buffer, 'a Buffer passes through untouched');
  assert.equal(german.kept, kept, 'a class instance passes through untouched');
  assert.equal(german.kept.text, 'stays');
  assert.equal(german.count, 3);
  assert.equal(german.nothing, null);
  assert.ok(!JSON.stringify({ ...german, kept: null }).includes('translations'), 'no translations are left');
  assert.equal(doc.steps[0].messages[0] && (doc.steps[0].messages[0] as any).translations.de.text, 'Alle Voraussetzungen sind erfüllt (1 Plan).', 'the input is not changed');

  const english = localizeTree(doc, 'en') as any;
  assert.equal(english.steps[0].messages[0].text, 'All prerequisites are met (1 plan).');
  assert.equal(english.error.message, 'Only the message.');
  assert.ok(!('translations' in english.steps[0].messages[0]) && !('translations' in english.error), 'English strips translations too');
  assert.deepEqual(localizeTree('plain', 'de'), 'plain');
  assert.deepEqual(localizeTree([1, 'a', null], 'de'), [1, 'a', null]);
});
