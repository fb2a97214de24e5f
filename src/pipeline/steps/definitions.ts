/**
 * The eight publishing steps of CONTRACTS.md §4, in order, with their names in English and
 * German and their default expected maximum durations (from the seed). The maximum is a service
 * level, not a delay: a step still running past it is flagged as stuck and opens one ticket.
 */
import type { Config } from '../../config/load.ts';
import { STEP_IDS, type StepId } from '../../config/schema.ts';
import { formatNumber } from '../../i18n/format.ts';
import type { Locale } from '../../i18n/locale.ts';

export { STEP_IDS, type StepId };

export interface StepDefinition {
  id: StepId;
  /** Position in the pipeline, 0-based. */
  position: number;
  name: string;
  nameDe: string;
  description: string;
  /** Default expected maximum in seconds; null = no limit (the step waits for a person). */
  defaultExpectedMaxSeconds: number | null;
  /** The queue its jobs run on: certification is CPU-bound, everything else I/O-bound. */
  queue: 'pipeline' | 'certify';
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The steps in pipeline order. */
export const STEPS: readonly StepDefinition[] = [
  {
    id: 'validate',
    position: 0,
    name: 'Validate prerequisites',
    nameDe: 'Überprüfen der Voraussetzungen',
    description: 'The offer information and settings are checked: regions, categories, image sources, LUNs and versions.',
    defaultExpectedMaxSeconds: 15 * MINUTE,
    queue: 'pipeline',
  },
  {
    id: 'test-drive',
    position: 1,
    name: 'Test drive validation',
    nameDe: 'Validierung der Testversion',
    description: "If the test drive is enabled, its settings are checked against the plan and its image is replicated to the test drive's regions.",
    defaultExpectedMaxSeconds: 2 * HOUR,
    queue: 'pipeline',
  },
  {
    id: 'certify',
    position: 2,
    name: 'Certification',
    nameDe: 'Zertifizierung',
    description: 'Every disk image is read and checked for format, security compliance, viruses and malware; failures come with evidence and remediation.',
    defaultExpectedMaxSeconds: 3 * DAY,
    queue: 'certify',
  },
  {
    id: 'provision',
    position: 3,
    name: 'Provisioning',
    nameDe: 'Bereitstellung',
    description: "The certified images are copied into the marketplace's primary store, content-addressed and verified, and into each plan's preview region.",
    defaultExpectedMaxSeconds: 4 * DAY,
    queue: 'pipeline',
  },
  {
    id: 'package',
    position: 4,
    name: 'Packaging and lead registration',
    nameDe: 'Paketerstellung und Registrierung von generierten Leads',
    description: "Each plan's package (image locations, sizes, SHA-256, deployment template) is built and signed, and the lead destination is registered.",
    defaultExpectedMaxSeconds: 1 * HOUR,
    queue: 'pipeline',
  },
  {
    id: 'signoff',
    position: 5,
    name: 'Publisher sign-off',
    nameDe: 'Einholen der Genehmigung des Herausgebers',
    description: 'The preview is visible to the preview audience; the publisher checks it and goes live (or cancels).',
    defaultExpectedMaxSeconds: null,
    queue: 'pipeline',
  },
  {
    id: 'deploy',
    position: 6,
    name: 'Deployment',
    nameDe: 'Bereitstellung',
    description: 'Every image is replicated to every region of its plans, in parallel, with verification of each copy.',
    defaultExpectedMaxSeconds: 4 * DAY,
    queue: 'pipeline',
  },
  {
    id: 'live',
    position: 7,
    name: 'Live',
    nameDe: 'Live',
    description: 'The live catalogue switches to this version in one transaction and the offer is publicly available.',
    defaultExpectedMaxSeconds: 4 * DAY,
    queue: 'pipeline',
  },
];

const BY_ID = new Map<string, StepDefinition>(STEPS.map((s) => [s.id, s]));

/** The definition of one step; throws on an unknown id (a programming error). */
export function stepDefinition(id: string): StepDefinition {
  const def = BY_ID.get(id);
  if (!def) throw new Error(`unknown pipeline step ${id}`);
  return def;
}

/** The step after `id`, or undefined after `live`. */
export function nextStep(id: StepId): StepDefinition | undefined {
  return STEPS[stepDefinition(id).position + 1];
}

/** The expected maximum of a step: `config.steps[id].expectedMaxSeconds` when set, else the default. */
export function expectedMaxSeconds(config: Pick<Config, 'steps'>, id: StepId): number | null {
  return config.steps?.[id]?.expectedMaxSeconds ?? stepDefinition(id).defaultExpectedMaxSeconds;
}

const TIME_UNITS: Record<Locale, { none: string; units: [size: number, one: string, many: string][] }> = {
  en: {
    none: 'no time limit',
    units: [
      [DAY, 'day', 'days'],
      [HOUR, 'hour', 'hours'],
      [MINUTE, 'minute', 'minutes'],
      [1, 'second', 'seconds'],
    ],
  },
  de: {
    none: 'keine Zeitgrenze',
    units: [
      [DAY, 'Tag', 'Tage'],
      [HOUR, 'Stunde', 'Stunden'],
      [MINUTE, 'Minute', 'Minuten'],
      [1, 'Sekunde', 'Sekunden'],
    ],
  },
};

/**
 * A human time frame for a duration: "15 minutes", "2 hours", "3 days", "45 seconds";
 * null (no limit) reads "no time limit". In German "15 Minuten", "1,5 Stunden".
 */
export function estimatedTimeFrame(seconds: number | null, locale: Locale = 'en'): string {
  const { none, units } = TIME_UNITS[locale];
  if (seconds === null) return none;
  for (const [size, one, many] of units) {
    if (seconds >= size || size === 1) {
      const n = Math.round((seconds / size) * 10) / 10;
      return `${locale === 'en' ? String(n) : formatNumber(n, locale)} ${n === 1 ? one : many}`;
    }
  }
  return `${seconds} ${units[units.length - 1][2]}`;
}
