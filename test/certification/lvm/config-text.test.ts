/**
 * The parser of lvm2's text format on the constructs lvm2 writes (sections, strings with escapes,
 * lists, numbers, comments) and on hostile text: every malformed input ends in IMAGE_CORRUPT
 * naming the line, nesting and entry counts are capped, and keys are only keys.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ConfigSection, isSection, MAX_DEPTH, MAX_ENTRIES, parseConfigText } from '../../../src/certification/disk/lvm/config-text.ts';
import { isVmarketError } from '../../../src/errors.ts';

const parse = (text: string) => parseConfigText(Buffer.from(text, 'utf8'));

function corruptAt(text: string, line: number, detail: RegExp): void {
  assert.throws(
    () => parse(text),
    (error: unknown) => isVmarketError(error) && error.code === 'IMAGE_CORRUPT' && error.message.startsWith(`The LVM metadata text is malformed at line ${line}: `) && detail.test(error.message),
    text.slice(0, 60),
  );
}

describe('lvm2 text format', () => {
  it('reads sections, strings with escapes, lists, integers, floats and comments', () => {
    const root = parse('# header\nvg {\n\tid = "a\\"b\\\\c"\t# trailing comment\n\tseqno = 12\n\tratio = 1.5\n\tstatus = ["READ", "WRITE",]\n\tempty = []\n\tpv0 {\n\t\tpe_start = -1\n\t}\n}\ncontents = "Text Format Volume Group"\n');
    const vg = root.entries.get('vg') as ConfigSection;
    assert.ok(isSection(vg));
    assert.equal(vg.entries.get('id'), 'a"b\\c');
    assert.equal(vg.entries.get('seqno'), 12);
    assert.equal(vg.entries.get('ratio'), 1.5);
    assert.deepEqual(vg.entries.get('status'), ['READ', 'WRITE']);
    assert.deepEqual(vg.entries.get('empty'), []);
    assert.equal((vg.entries.get('pv0') as ConfigSection).entries.get('pe_start'), -1);
    assert.equal(root.entries.get('contents'), 'Text Format Volume Group');
  });

  it('keeps UTF-8 in strings and treats __proto__ as a plain key', () => {
    const root = parse('description = "Größe"\n__proto__ { polluted = 1 }\n');
    assert.equal(root.entries.get('description'), 'Größe');
    assert.ok(isSection(root.entries.get('__proto__')));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('refuses malformed text with the line it is on', () => {
    corruptAt('vg {\n\tid = "open\n', 2, /a string is not closed/);
    corruptAt('vg {\n\tseqno = 1\n', 3, /it ends in the middle of a value/);
    corruptAt('a = 1\nb 2\n', 2, /"2" is not expected here/);
    corruptAt('a = 1\n}\n', 2, /"}" is not expected here/);
    corruptAt('a = 99999999999999999999\n', 1, /is not a number vmarket can read exactly/);
    corruptAt('a = [1, [2]]\n', 1, /"\[" is not expected here/);
    corruptAt('a = [1 2]\n', 1, /"2" is not expected here/);
    corruptAt('a = 1\na = 2\n', 2, /"a" appears twice in one section/);
    corruptAt('a = abc\n', 1, /"abc" is not a number/);
    corruptAt('a = "\u0001\n', 1, /a string is not closed/);
  });

  it(`caps nesting at ${MAX_DEPTH} levels and entries at ${MAX_ENTRIES}`, () => {
    corruptAt(`${'s { '.repeat(MAX_DEPTH + 1)}${'} '.repeat(MAX_DEPTH + 1)}`, 1, new RegExp(`nested deeper than ${MAX_DEPTH} levels`));
    assert.ok(parse(`${'s { '.repeat(MAX_DEPTH)}${'} '.repeat(MAX_DEPTH)}`));
    corruptAt(`a = [${'1,'.repeat(MAX_ENTRIES)}1]`, 1, /more than 200000 entries/);
  });
});
