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

export function findingsCheck(kind: FindingKind, passedMessage: Localized, failedMessage: Phrase<[count: number]>): (context: CheckContext) => Promise<CheckOutcome> {
  return async (context) => {
    const evidence = context.scan.findings.filter((f) => f.kind === kind).map((f) => f.evidence);
    if (evidence.length === 0) return { status: 'passed', message: say(passedAfterReading, passedMessage, context.scan.files) };
    // one place per file, however many findings it holds
    const places = evidence.filter((e, i) => evidence.findIndex((o) => o.image === e.image && o.lun === e.lun && o.path === e.path) === i);
    return { status: 'failed', message: say(foundIn, say(failedMessage, evidence.length), places), evidence };
  };
}
