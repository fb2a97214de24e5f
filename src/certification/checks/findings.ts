/** A check whose result is the malware pass's findings of one kind (private keys, cloud credentials). */
import { formatNumber } from '../../i18n/format.ts';
import { type Localized, type Phrase, say } from '../../i18n/localized.ts';
import type { FindingKind } from '../malware/types.ts';
import type { Evidence } from '../types.ts';
import type { CheckContext, CheckOutcome } from './types.ts';
import { dataLun } from './wording.ts';

type Place = Pick<Evidence, 'image' | 'lun' | 'path'>;

const passedAfterReading: Phrase<[passed: Localized, files: number]> = {
  en: (passed, files) => `${passed.en} (${files} files read)`,
  de: (passed, files) => `${passed.de} (${formatNumber(files, 'de')} Dateien gelesen)`,
};

/** The first five places, and how many more there are. */
const foundIn: Phrase<[found: Localized, places: Place[]]> = {
  en: (found, places) => `${found.en}: ${listPlaces(places, 'en')}${places.length > 5 ? ` and ${places.length - 5} more` : ''}`,
  de: (found, places) => `${found.de}: ${listPlaces(places, 'de')}${places.length > 5 ? ` und ${places.length - 5} weitere` : ''}`,
};

function listPlaces(places: Place[], locale: 'en' | 'de'): string {
  return places
    .slice(0, 5)
    .map((e) => `${e.image === 'os' ? '' : `${dataLun[locale](e.lun)}:`}${e.path}`)
    .join(', ');
}

/** The secrets in a distribution's unchanged files, in the passed message: count, then the first three files with their package. */
const inPackageFiles: Phrase<[passed: Localized, files: number, count: number, places: { package: string; path: string }[]]> = {
  en: (passed, files, n, places) =>
    `${passed.en} (${files} files read; ${n} in unchanged package files: ${places.slice(0, 3).map((p) => `${p.package} ${p.path}`).join(', ')}${places.length > 3 ? `, and ${places.length - 3} more files` : ''})`,
  de: (passed, files, n, places) =>
    `${passed.de} (${formatNumber(files, 'de')} Dateien gelesen; ${formatNumber(n, 'de')} in unveränderten Paketdateien: ${places.slice(0, 3).map((p) => `${p.package} ${p.path}`).join(', ')}${places.length > 3 ? ` und ${places.length - 3} weitere Dateien` : ''})`,
};
const packagedDetail: Phrase<[detail: Localized, pkg: string]> = {
  en: (detail, pkg) => `${detail.en}, in a file of package ${pkg} as the package installed it`,
  de: (detail, pkg) => `${detail.de}, in einer unveränderten Datei des Pakets ${pkg}`,
};

/** One entry per file, however many findings it holds. */
function onePerFile<T extends Place>(evidence: T[]): T[] {
  const seen = new Set<string>();
  return evidence.filter((e) => {
    const key = `${e.image}\u0000${e.lun ?? ''}\u0000${e.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The check of one kind of the pass's findings. Findings in a distribution's unchanged package
 * files (`packaged`, outside the publisher's trees) are information: they pass, named in the
 * message and the evidence; every other finding fails.
 */
export function findingsCheck(kind: FindingKind, passedMessage: Localized, failedMessage: Phrase<[count: number]>): (context: CheckContext) => Promise<CheckOutcome> {
  return async (context) => {
    const ofKind = context.scan.findings.filter((f) => f.kind === kind);
    const failing = ofKind.filter((f) => !f.packaged).map((f) => f.evidence);
    if (failing.length) return { status: 'failed', message: say(foundIn, say(failedMessage, failing.length), onePerFile(failing)), evidence: failing };
    const packaged = ofKind.filter((f) => f.packaged);
    if (packaged.length === 0) return { status: 'passed', message: say(passedAfterReading, passedMessage, context.scan.files) };
    const places = onePerFile(packaged.map((f) => ({ ...f.evidence, package: f.packaged!.package, path: f.evidence.path ?? '' })));
    return {
      status: 'passed',
      message: say(inPackageFiles, passedMessage, context.scan.files, packaged.length, places),
      evidence: packaged.map((f) => ({ ...f.evidence, detail: say(packagedDetail, f.evidence.detail, f.packaged!.package) })),
    };
  };
}
