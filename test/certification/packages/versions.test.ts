/**
 * Version ordering as the distributions' own tools order versions: every comparison, curated and
 * generated, is cross-checked against `dpkg --compare-versions` and rpm's `rpm.vercmp` on the
 * same pairs, run once each for the whole list.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { compareDpkgVersions, parseDpkgVersion } from '../../../src/certification/packages/versions/dpkg.ts';
import { compareRpmVersions, parseRpmEvr, rpmvercmp } from '../../../src/certification/packages/versions/rpm.ts';
import { prng } from '../../helpers/prng.ts';
import { needs } from '../../helpers/tools.ts';

const DPKG_CURATED: [string, string][] = [
  ['1.0', '1.0'], ['1.0~rc1', '1.0'], ['1.0~~', '1.0~'], ['1.0~', '1.0'], ['1.0', '1.0a'], ['1.0a', '1.0+'], ['1.0+', '1.0.1'],
  ['1:0.9', '2.0'], ['2.0', '1:0.1'], ['1.2-1', '1.2-1.1'], ['1.2-1~deb12u1', '1.2-1'], ['1.2-1+deb12u1', '1.2-1'],
  ['3.0.11-1~deb12u2', '3.0.11-1~deb12u1'], ['3.0.11-1~deb12u2', '3.0.13-1~deb12u1'], ['9.2p1-2+deb12u3', '9.2p1-2+deb12u10'],
  ['1.0-0', '1.0'], ['01', '1'], ['1.001', '1.1'], ['1.10', '1.9'], ['2.36-9+deb12u7', '2.36-9+deb12u10'], ['0:1.0', '1.0'],
  ['1.0a', '1.0b'], ['1.0Z', '1.0a'], ['1.0-1', '1.0-a'], ['10', '9'], ['1.2.3.4', '1.2.3'], ['252.39-1~deb12u1', '252.39-1'],
];

const RPM_CURATED: [string, string][] = [
  ['1.0', '1.0'], ['1.0', '2.0'], ['2.0.1', '2.0'], ['1.0a', '1.0'], ['1.0', '1.0.a'], ['1.0~rc1', '1.0'], ['1.0~rc1', '1.0~rc2'],
  ['1.0^', '1.0'], ['1.0^git1', '1.0'], ['1.0^git1', '1.0.1'], ['1.0^git1', '1.0~rc1'], ['1.0^git1~pre', '1.0^git1'], ['1_0', '1.0'],
  ['5.5p1', '5.5p10'], ['10.0001', '10.1'], ['10.0001', '10.0039'], ['4.999.9', '5.0'], ['20101121', '20101122'], ['a', 'b'],
  ['1.el8', '1.el9'], ['2.el9_2.1', '2.el9_2'], ['xyz10', 'xyz10.1'], ['1b.fc17', '1.fc17'], ['1.0', '1'], ['.', '..'], ['1..', '1.'],
];

/** Versions dpkg accepts: an optional epoch, upstream starting with a digit, an optional revision. */
function dpkgVersion(random: () => number): string {
  const pick = (s: string) => s[Math.floor(random() * s.length)];
  const part = (first: string, rest: string, max: number) => pick(first) + Array.from({ length: Math.floor(random() * max) }, () => pick(rest)).join('');
  const epoch = random() < 0.15 ? `${Math.floor(random() * 3)}:` : '';
  const upstream = part('0123456789', '0123456789.~+abz', 6);
  const revision = random() < 0.6 ? `-${part('0123456789a~', '0123456789.~+abu', 5)}` : '';
  return `${epoch}${upstream}${revision}`;
}

function rpmVersion(random: () => number): string {
  const pick = (s: string) => s[Math.floor(random() * s.length)];
  return Array.from({ length: 1 + Math.floor(random() * 7) }, () => pick('0123456789.~^_abzA')).join('');
}

function pairs(generate: (random: () => number) => string, seed: number, count: number): [string, string][] {
  const random = prng(seed);
  const out: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    const a = generate(random);
    // half the pairs share a prefix, where the ordering rules matter most
    const b = random() < 0.5 ? a.slice(0, Math.floor(random() * a.length)) + generate(random).replace(/^\d+:/, '') : generate(random);
    out.push([a, b]);
  }
  return out;
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

test('dpkg versions: parsed into epoch, upstream and revision', () => {
  assert.deepEqual(parseDpkgVersion('1:9.2p1-2+deb12u3'), { epoch: 1, upstream: '9.2p1', revision: '2+deb12u3' });
  assert.deepEqual(parseDpkgVersion('2.36'), { epoch: 0, upstream: '2.36', revision: '0' });
  assert.deepEqual(parseDpkgVersion('1.2-3-4'), { epoch: 0, upstream: '1.2-3', revision: '4' });
});

test('dpkg versions order as `dpkg --compare-versions` orders them', { skip: needs('dpkg') }, () => {
  const all = [...DPKG_CURATED, ...pairs(dpkgVersion, 12, 400)];
  const script = all.map(([a, b]) => `if dpkg --compare-versions ${shellQuote(a)} lt ${shellQuote(b)}; then echo -1; elif dpkg --compare-versions ${shellQuote(a)} eq ${shellQuote(b)}; then echo 0; else echo 1; fi`).join('\n');
  const answers = execFileSync('sh', ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').map(Number);
  assert.equal(answers.length, all.length);
  const wrong = all.flatMap(([a, b], i) => (compareDpkgVersions(a, b) === answers[i] ? [] : [`${a} vs ${b}: dpkg ${answers[i]}, ours ${compareDpkgVersions(a, b)}`]));
  assert.deepEqual(wrong, []);
});

test("rpm versions order as rpm's own rpm.vercmp orders them", { skip: needs('rpm') }, () => {
  const all = [...RPM_CURATED, ...pairs(rpmVersion, 34, 400)];
  const lua = `%{lua: local p = {${all.map(([a, b]) => `{[[${a}]],[[${b}]]}`).join(',')}} for _, v in ipairs(p) do print(rpm.vercmp(v[1], v[2]) .. "\\n") end}`;
  const answers = execFileSync('rpm', ['--eval', lua], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').filter((l) => l.trim() !== '').map(Number);
  assert.equal(answers.length, all.length);
  const wrong = all.flatMap(([a, b], i) => (rpmvercmp(a, b) === Math.sign(answers[i]) ? [] : [`${a} vs ${b}: rpm ${answers[i]}, ours ${rpmvercmp(a, b)}`]));
  assert.deepEqual(wrong, []);
});

test('rpm [epoch:]version-release: epoch first, then version, then release', () => {
  assert.deepEqual(parseRpmEvr('1:2.9.1-3.el9'), { epoch: 1, version: '2.9.1', release: '3.el9' });
  assert.equal(compareRpmVersions('1:1.0-1', '2.0-1'), 1);
  assert.equal(compareRpmVersions('2.0-1.el9', '2.0-2.el9'), -1);
  assert.equal(compareRpmVersions('2.0.1-1', '2.0-9'), 1);
  assert.equal(compareRpmVersions('2.0-1.el9', '2.0'), 0);
});
