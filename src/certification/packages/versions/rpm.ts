/**
 * RPM's version ordering (rpm's `rpmvercmp`, with `~` sorting before everything and `^` after
 * the end but before anything else), and `[epoch:]version-release` compared epoch first, then
 * version, then release, as rpm compares an installed package with an advisory's fixed version.
 */

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function isAlpha(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

function isAlnum(c: string): boolean {
  return isDigit(c) || isAlpha(c);
}

/** -1, 0 or 1, as rpm's `rpm.vercmp(a, b)`. */
export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    const ca = a[i] ?? '';
    const cb = b[j] ?? '';
    // a tilde sorts before everything else, even the end
    if (ca === '~' || cb === '~') {
      if (ca !== '~') return 1;
      if (cb !== '~') return -1;
      i++;
      j++;
      continue;
    }
    // a caret sorts after the end, but before anything else
    if (ca === '^' || cb === '^') {
      if (ca === '') return -1;
      if (cb === '') return 1;
      if (ca !== '^') return 1;
      if (cb !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (ca === '' || cb === '') break;
    const numeric = isDigit(ca);
    const same = numeric ? isDigit : isAlpha;
    const startA = i;
    const startB = j;
    while (i < a.length && same(a[i])) i++;
    while (j < b.length && same(b[j])) j++;
    let segA = a.slice(startA, i);
    let segB = b.slice(startB, j);
    // a numeric segment is newer than an alphabetic one
    if (segB === '') return numeric ? 1 : -1;
    if (numeric) {
      segA = segA.replace(/^0+/, '');
      segB = segB.replace(/^0+/, '');
      if (segA.length !== segB.length) return segA.length > segB.length ? 1 : -1;
    }
    if (segA !== segB) return segA < segB ? -1 : 1;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

export interface RpmEvr {
  epoch: number;
  version: string;
  release: string;
}

/** `[epoch:]version[-release]`, the form the package reader gives (src/certification/packages/rpm/). */
export function parseRpmEvr(evr: string): RpmEvr {
  const colon = evr.indexOf(':');
  const epoch = colon > 0 && /^\d+$/.test(evr.slice(0, colon)) ? Number(evr.slice(0, colon)) : 0;
  const rest = colon > 0 && /^\d+$/.test(evr.slice(0, colon)) ? evr.slice(colon + 1) : evr;
  const dash = rest.lastIndexOf('-');
  return dash > 0 ? { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) } : { epoch, version: rest, release: '' };
}

/** Epoch, then version, then release (a missing release compares equal, as rpm matches a requirement without one). */
export function compareRpmVersions(a: string, b: string): -1 | 0 | 1 {
  const x = parseRpmEvr(a);
  const y = parseRpmEvr(b);
  if (x.epoch !== y.epoch) return x.epoch < y.epoch ? -1 : 1;
  const version = rpmvercmp(x.version, y.version);
  if (version !== 0 || x.release === '' || y.release === '') return version;
  return rpmvercmp(x.release, y.release);
}
