/**
 * Debian's version ordering (Debian Policy §5.6.12, dpkg's `verrevcmp`): `[epoch:]upstream[-revision]`,
 * the epoch compared as a number, then upstream and revision each by alternating runs of
 * non-digits (letters before other characters, `~` before everything, even the end) and digits
 * (as numbers). What a vulnerability database's "fixed in" versions are compared with.
 */

export interface DpkgVersion {
  epoch: number;
  upstream: string;
  /** `0` when the version has none (Debian native packages). */
  revision: string;
}

export function parseDpkgVersion(version: string): DpkgVersion {
  const text = version.trim();
  const colon = text.indexOf(':');
  const epoch = colon > 0 && /^\d+$/.test(text.slice(0, colon)) ? Number(text.slice(0, colon)) : 0;
  const rest = colon > 0 && /^\d+$/.test(text.slice(0, colon)) ? text.slice(colon + 1) : text;
  const dash = rest.lastIndexOf('-');
  return dash > 0 ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) } : { epoch, upstream: rest, revision: '0' };
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** dpkg's `order`: `~` first, then the end and digits, letters by code, anything else after letters. */
function order(c: string): number {
  if (c === '') return 0;
  if (isDigit(c)) return 0;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(a[i] ?? '');
      const bc = order(b[j] ?? '');
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    let firstDiff = 0;
    while (i < a.length && j < b.length && isDigit(a[i]) && isDigit(b[j])) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && isDigit(a[i])) return 1;
    if (j < b.length && isDigit(b[j])) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

/** -1, 0 or 1, as `dpkg --compare-versions a lt|eq|gt b` answers. */
export function compareDpkgVersions(a: string, b: string): -1 | 0 | 1 {
  const x = parseDpkgVersion(a);
  const y = parseDpkgVersion(b);
  const result = x.epoch !== y.epoch ? x.epoch - y.epoch : verrevcmp(x.upstream, y.upstream) || verrevcmp(x.revision, y.revision);
  return result < 0 ? -1 : result > 0 ? 1 : 0;
}
