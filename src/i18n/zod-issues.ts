/**
 * zod's findings in every language. zod writes one message per issue, in English: either its own
 * default sentence or the message a schema gave (`'must be an https:// URL'`). The German is
 * found from the issue itself:
 *   - a schema's own message is registered with its German by `schemaMessage` when the schema is
 *     built, and looked up by its English text;
 *   - zod's default sentence is recognised by rendering the issue in English again, and then
 *     written in German here. zod ships a German locale (`z.locales.de()`), used for the rarer
 *     codes, but its sentences for the common ones read badly for publishers ("erwartet, dass
 *     string >=1 Zeichen hat", English type names) and, on a finished issue, which no longer
 *     carries its input, it claims "erhalten undefined" for every wrong type;
 *   - anything else (another schema's message nobody registered) stays English.
 */
import { z } from 'zod';
import { type Localized, localizedFields, type Translations } from './localized.ts';

type Issue = z.core.$ZodIssue;
type Render = (issue: z.core.$ZodRawIssue) => string | undefined;

const GERMAN_BY_ENGLISH = new Map<string, string>();

/**
 * A schema's own message: registers its German and returns the English for zod, e.g.
 * `.min(1, schemaMessage(say(atLeast, 1)))`. The English is what zod reports, unchanged.
 */
export function schemaMessage(text: Localized): string {
  GERMAN_BY_ENGLISH.set(text.en, text.de);
  return text.en;
}

/** The issue's message in every language (English exactly as zod reported it). */
export function issueText(issue: Issue): Localized {
  const registered = GERMAN_BY_ENGLISH.get(issue.message);
  if (registered !== undefined) return { en: issue.message, de: registered };
  return { en: issue.message, de: isDefaultMessage(issue) ? germanIssue(issue) : issue.message };
}

/** `{path, message, translations}` for one issue, the shape of a 422's details. */
export function issueProblem(issue: Issue, path: string): { path: string; message: string; translations?: Translations } {
  return { path, ...localizedFields({ message: issueText(issue) }) };
}

const englishDefault = (): Render => (z.config().localeError ?? z.locales.en().localeError) as Render;
const germanLocale = z.locales.de().localeError as Render;

/** Whether zod wrote its default sentence (rather than a schema's own message). */
function isDefaultMessage(issue: Issue): boolean {
  const english = englishDefault()(issue as z.core.$ZodRawIssue) ?? '';
  if (english === issue.message) return true;
  // without its input a finished issue renders "received undefined": compare what precedes it
  if (issue.code === 'invalid_type' && !('input' in issue)) {
    const head = (text: string) => text.replace(/received \S+$/, '');
    return /received \S+$/.test(issue.message) && head(english) === head(issue.message);
  }
  return false;
}

const TYPE_DE: Record<string, string> = {
  string: 'Text',
  number: 'Zahl',
  int: 'ganze Zahl',
  bigint: 'ganze Zahl',
  boolean: 'true oder false',
  object: 'Objekt',
  array: 'Liste',
  null: 'null',
  undefined: 'nichts',
  date: 'Datum',
  nan: 'NaN',
  function: 'Funktion',
  symbol: 'Symbol',
};

function typeDe(type: string): string {
  return TYPE_DE[type] ?? type;
}

/** The JSON type of the wrong value: from the input when the parse kept it, else from zod's English. */
function receivedType(issue: Issue): string {
  if ('input' in issue) {
    const input = (issue as { input?: unknown }).input;
    if (input === null) return 'null';
    if (Array.isArray(input)) return 'array';
    if (typeof input === 'number' && Number.isNaN(input)) return 'nan';
    return typeof input;
  }
  return /received (\S+)$/.exec(issue.message)?.[1] ?? 'undefined';
}

function quote(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

/** How a bound reads: "mindestens 3", "mehr als 0", "genau 2". */
function bound(kind: 'min' | 'max', value: unknown, inclusive: boolean | undefined, exact: boolean | undefined): string {
  if (exact) return `genau ${String(value)}`;
  if (kind === 'min') return inclusive ? `mindestens ${String(value)}` : `mehr als ${String(value)}`;
  return inclusive ? `höchstens ${String(value)}` : `weniger als ${String(value)}`;
}

function germanIssue(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const received = receivedType(issue);
      const expected = typeDe(issue.expected);
      if (received === 'undefined') return `Fehlt: erwartet ${expected}`;
      // zod reports 1.5 for an integer as "expected int, received number"
      const got = issue.expected === 'int' && received === 'number' ? 'Kommazahl' : typeDe(received);
      return `Ungültige Eingabe: erwartet ${expected}, erhalten ${got}`;
    }
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const limit = bound(small ? 'min' : 'max', small ? issue.minimum : issue.maximum, issue.inclusive, issue.exact);
      if (issue.origin === 'string') return `${small ? 'Zu kurz' : 'Zu lang'}: erwartet ${limit} Zeichen`;
      if (issue.origin === 'array' || issue.origin === 'set') return `${small ? 'Zu wenige Einträge' : 'Zu viele Einträge'}: erwartet ${limit}`;
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') {
        return `${small ? 'Zu klein' : 'Zu groß'}: erwartet ${limit}`;
      }
      break;
    }
    case 'invalid_format':
      if (issue.format === 'regex') return `Ungültiges Format: muss dem Muster ${issue.pattern} entsprechen`;
      if (issue.format === 'email') return 'Ungültig: erwartet eine E-Mail-Adresse';
      if (issue.format === 'url') return 'Ungültig: erwartet eine URL';
      break;
    case 'invalid_value':
      return issue.values.length === 1
        ? `Ungültige Eingabe: erwartet ${quote(issue.values[0])}`
        : `Ungültige Auswahl: erwartet einen der Werte ${issue.values.map(quote).join('|')}`;
    case 'unrecognized_keys':
      return `${issue.keys.length > 1 ? 'Unbekannte Felder' : 'Unbekanntes Feld'}: ${issue.keys.map(quote).join(', ')}`;
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if (Array.isArray(options) && options.length > 0) return `Ungültiger Wert: erwartet ${options.map((o) => `'${String(o)}'`).join(' | ')}`;
      if (issue.inclusive === false) return 'Ungültige Eingabe: mehr als eine Möglichkeit passt';
      return 'Ungültige Eingabe';
    }
    case 'custom':
      return 'Ungültige Eingabe';
  }
  return germanLocale(issue as z.core.$ZodRawIssue) ?? issue.message;
}
