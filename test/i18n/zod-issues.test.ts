/** zod's findings in German: zod's own sentences, a schema's registered messages, others kept. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { issueProblem, issueText, schemaMessage } from '../../src/i18n/zod-issues.ts';

const schema = z.strictObject({
  name: z.string().min(3),
  count: z.number().int().max(10),
  tags: z.array(z.string()).min(1),
  mode: z.enum(['a', 'b']),
  mail: z.email(),
  site: z.string().refine((v) => v.startsWith('https://'), schemaMessage({ en: 'must be an https:// URL (test)', de: 'muss eine https://-URL sein (Test)' })),
  code: z.string().regex(/^x+$/, 'must be only x (nobody registered this)'),
  flag: z.boolean(),
});

const bad = { name: 'ab', count: 1.5, tags: [], mode: 'c', mail: 'no', site: 'http://x', code: 'y', flag: 'yes', extra: 1 };

function germanByPath(reportInput: boolean): Record<string, { en: string; de: string }> {
  const result = schema.safeParse(bad, { reportInput });
  assert.ok(!result.success);
  return Object.fromEntries(result.error.issues.map((issue) => [issue.path.join('.') || '(root)', issueText(issue)]));
}

test('zod default sentences, registered messages and unknown messages in German', () => {
  const texts = germanByPath(true);
  assert.deepEqual(texts.name, { en: 'Too small: expected string to have >=3 characters', de: 'Zu kurz: erwartet mindestens 3 Zeichen' });
  assert.deepEqual(texts.count, { en: 'Invalid input: expected int, received number', de: 'Ungültige Eingabe: erwartet ganze Zahl, erhalten Kommazahl' });
  assert.equal(texts.tags.de, 'Zu wenige Einträge: erwartet mindestens 1');
  assert.equal(texts.mode.de, 'Ungültige Auswahl: erwartet einen der Werte "a"|"b"');
  assert.equal(texts.mail.de, 'Ungültig: erwartet eine E-Mail-Adresse');
  assert.deepEqual(texts.site, { en: 'must be an https:// URL (test)', de: 'muss eine https://-URL sein (Test)' });
  assert.deepEqual(texts.code, { en: 'must be only x (nobody registered this)', de: 'must be only x (nobody registered this)' }, 'an unregistered message stays English');
  assert.equal(texts.flag.de, 'Ungültige Eingabe: erwartet true oder false, erhalten Text');
  assert.equal(texts['(root)'].de, 'Unbekanntes Feld: "extra"');
});

test('a finished issue without its input still names the wrong type (read from the English), and a missing field reads as missing', () => {
  const texts = germanByPath(false);
  assert.equal(texts.flag.en, 'Invalid input: expected boolean, received string');
  assert.equal(texts.flag.de, 'Ungültige Eingabe: erwartet true oder false, erhalten Text');
  const missing = z.object({ name: z.string() }).safeParse({});
  assert.ok(!missing.success);
  assert.equal(issueText(missing.error.issues[0]).de, 'Fehlt: erwartet Text');
});

test('issueProblem: the English message, the German under translations only when it differs', () => {
  const result = z.object({ a: z.string().min(2), b: z.string().regex(/^x$/, 'only x') }).safeParse({ a: 'y', b: 'y' });
  assert.ok(!result.success);
  const [a, b] = result.error.issues;
  assert.deepEqual(issueProblem(a, 'a'), {
    path: 'a',
    message: 'Too small: expected string to have >=2 characters',
    translations: { de: { message: 'Zu kurz: erwartet mindestens 2 Zeichen' } },
  });
  assert.deepEqual(issueProblem(b, 'b'), { path: 'b', message: 'only x' });
});
