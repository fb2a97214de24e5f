/**
 * lvm2's text configuration format, in which its metadata is written (libdm/libdm-config.c):
 * sections `name { … }`, settings `key = value`, values that are strings ("…" with backslash
 * escapes), integers, floats or flat lists `[a, b]`, and `#` comments to the end of the line.
 *
 * The text is the publisher's, so this is a small hand-written parser that evaluates nothing and
 * is bounded: nesting depth, entries, and each value's length (the text itself is capped by the
 * metadata-area reader). Keys live in Maps, so a key such as `__proto__` is just a key.
 */
import { VmarketError } from '../../../errors.ts';
import type { Localized } from '../../../i18n/localized.ts';
import { badNumber, duplicateKey, syntaxError, tooDeep, tooManyEntries, unexpectedEnd, unexpectedToken, unterminatedString } from './texts.ts';

export type ConfigValue = string | number | ConfigValue[];

export interface ConfigSection {
  readonly entries: Map<string, ConfigSection | ConfigValue>;
}

/** Volume group → logical_volumes → volume → segment is four levels; lvm2 writes no deeper. */
export const MAX_DEPTH = 8;
/** Settings, sections and list items together; a VG with a thousand LVs stays far below. */
export const MAX_ENTRIES = 200_000;

const DELIMITERS = new Set(['{', '}', '[', ']', ',', '=', '#', '"', "'"]);

export function isSection(node: ConfigSection | ConfigValue | undefined): node is ConfigSection {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

/** Parses the text (bytes as lvm2 wrote them) into its top-level section, or throws IMAGE_CORRUPT naming the line. */
export function parseConfigText(bytes: Buffer): ConfigSection {
  return new Parser(bytes.toString('latin1')).document();
}

class Parser {
  readonly #text: string;
  #at = 0;
  #line = 1;
  #entries = 0;

  constructor(text: string) {
    this.#text = text;
  }

  document(): ConfigSection {
    const root = this.#section(0);
    this.#skipSpace();
    if (this.#at < this.#text.length) this.#fail(unexpectedToken(this.#text[this.#at]));
    return root;
  }

  /** Entries up to a closing `}` (depth > 0) or the end of the text (depth 0). */
  #section(depth: number): ConfigSection {
    if (depth > MAX_DEPTH) this.#fail(tooDeep(MAX_DEPTH));
    const entries = new Map<string, ConfigSection | ConfigValue>();
    for (;;) {
      this.#skipSpace();
      if (this.#at >= this.#text.length) {
        if (depth > 0) this.#fail(unexpectedEnd);
        return { entries };
      }
      if (this.#text[this.#at] === '}') {
        if (depth === 0) this.#fail(unexpectedToken('}'));
        this.#at++;
        return { entries };
      }
      const key = this.#word();
      if (entries.has(key)) this.#fail(duplicateKey(key));
      this.#count();
      this.#skipSpace();
      const next = this.#text[this.#at];
      if (next === '{') {
        this.#at++;
        entries.set(key, this.#section(depth + 1));
      } else if (next === '=') {
        this.#at++;
        entries.set(key, this.#value(true));
      } else {
        this.#fail(next === undefined ? unexpectedEnd : unexpectedToken(next));
      }
    }
  }

  #value(listAllowed: boolean): ConfigValue {
    this.#skipSpace();
    const c = this.#text[this.#at];
    if (c === undefined) this.#fail(unexpectedEnd);
    if (c === '"' || c === "'") return this.#string(c);
    if (c === '[' && listAllowed) return this.#list();
    if (DELIMITERS.has(c)) this.#fail(unexpectedToken(c));
    return this.#number(this.#word());
  }

  #list(): ConfigValue[] {
    this.#at++; // [
    const items: ConfigValue[] = [];
    for (;;) {
      this.#skipSpace();
      const c = this.#text[this.#at];
      if (c === undefined) this.#fail(unexpectedEnd);
      if (c === ']') {
        this.#at++;
        return items;
      }
      if (items.length > 0) {
        if (c !== ',') this.#fail(unexpectedToken(c));
        this.#at++;
        this.#skipSpace();
        // lvm2 accepts a comma before the closing bracket
        if (this.#text[this.#at] === ']') continue;
      }
      this.#count();
      items.push(this.#value(false));
    }
  }

  #string(quote: string): string {
    const start = ++this.#at;
    let out = '';
    let from = start;
    for (;;) {
      const i = this.#indexOfEither(quote, '\\', this.#at);
      if (i < 0) this.#fail(unterminatedString);
      if (this.#text[i] === quote) {
        out += this.#text.slice(from, i);
        this.#countLines(start, i);
        this.#at = i + 1;
        // The bytes are lvm2's UTF-8; the parser worked on them one byte per character.
        return Buffer.from(out, 'latin1').toString('utf8');
      }
      // a backslash escapes the next character, whatever it is
      if (i + 1 >= this.#text.length) this.#fail(unterminatedString);
      out += this.#text.slice(from, i) + this.#text[i + 1];
      from = this.#at = i + 2;
    }
  }

  #indexOfEither(a: string, b: string, from: number): number {
    const i = this.#text.indexOf(a, from);
    const j = this.#text.indexOf(b, from);
    if (i < 0) return j;
    if (j < 0) return i;
    return Math.min(i, j);
  }

  #number(token: string): number {
    if (!/^-?\d+(\.\d+)?$/.test(token)) this.#fail(badNumber(token));
    const value = Number(token);
    if (!token.includes('.') && !Number.isSafeInteger(value)) this.#fail(badNumber(token));
    return value;
  }

  /** A run of characters up to whitespace or a delimiter (a key, a section name, a number). */
  #word(): string {
    const start = this.#at;
    while (this.#at < this.#text.length) {
      const c = this.#text[this.#at];
      if (c <= ' ' || DELIMITERS.has(c)) break;
      this.#at++;
    }
    if (this.#at === start) {
      const c = this.#text[this.#at];
      this.#fail(c === undefined ? unexpectedEnd : unexpectedToken(c));
    }
    return this.#text.slice(start, this.#at);
  }

  #skipSpace(): void {
    while (this.#at < this.#text.length) {
      const c = this.#text[this.#at];
      if (c === '\n') {
        this.#line++;
        this.#at++;
      } else if (c <= ' ') {
        this.#at++;
      } else if (c === '#') {
        const end = this.#text.indexOf('\n', this.#at);
        this.#at = end < 0 ? this.#text.length : end;
      } else {
        return;
      }
    }
  }

  #countLines(from: number, to: number): void {
    for (let i = this.#text.indexOf('\n', from); i >= 0 && i < to; i = this.#text.indexOf('\n', i + 1)) this.#line++;
  }

  #count(): void {
    if (++this.#entries > MAX_ENTRIES) this.#fail(tooManyEntries(MAX_ENTRIES));
  }

  #fail(detail: Localized): never {
    throw new VmarketError('IMAGE_CORRUPT', syntaxError(this.#line, detail));
  }
}
