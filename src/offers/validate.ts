/**
 * The prerequisite checks of an offer (the `validate` step, `vmarket offer validate`, and the
 * draft API): the schema, then every rule that depends on the operator — regions, categories,
 * image sources confined to the import directories or allowed URL prefixes, data-disk LUNs,
 * test-drive settings against the plans, and image versions already published. Every problem
 * is reported at once with its field path; nothing here throws for bad input.
 */
import type { Config } from '../config/load.ts';
import { formatPath } from '../config/load.ts';
import { isVmarketError } from '../errors.ts';
import { type Localized, localizedFields, type Phrase, say, type Translations } from '../i18n/localized.ts';
import { issueProblem } from '../i18n/zod-issues.ts';
import { confineImportPath, importDirsOf } from '../security/paths.ts';
import { checkOutboundUrl } from '../security/urls.ts';
import { offerSchema, type Offer } from './schema.ts';

export interface ValidateOptions {
  config: Config;
  /** The publisher the caller acts for; the document's `publisher` must match it. */
  publisherId?: string;
  /** The offer id from the URL; the document's `id` must match it. */
  offerId?: string;
  /** Per plan, the image versions this offer already published (never reused). */
  usedVersions?: Map<string, Set<string>>;
  /** Check that image sources exist and are allowed (default true). */
  checkSources?: boolean;
}

/**
 * One problem with the field path it is about, e.g. `plans[0].regions[1]`: `message` in English,
 * the other languages under `translations` (answered in the caller's language by the API).
 */
export interface OfferProblem {
  [key: string]: unknown;
  path: string;
  message: string;
  translations?: Translations;
}

// The operator's rules, each in every language.
const mustBePublisher: Phrase<[string]> = {
  en: (publisherId) => `must be ${publisherId}, the publisher this request acts for`,
  de: (publisherId) => `muss ${publisherId} sein, der Herausgeber, für den diese Anfrage handelt`,
};
const mustBeOfferId: Phrase<[string]> = {
  en: (offerId) => `must be ${offerId}, the offer id of the request URL`,
  de: (offerId) => `muss ${offerId} sein, die Angebots-ID der Anfrage-URL`,
};
const unknownCategory: Phrase<[string, string[]]> = {
  en: (category, allowed) => `unknown category ${JSON.stringify(category)}; allowed: ${allowed.join(', ')}`,
  de: (category, allowed) => `unbekannte Kategorie ${JSON.stringify(category)}; erlaubt sind: ${allowed.join(', ')}`,
};
const listedTwice: Phrase<[string]> = {
  en: (value) => `${JSON.stringify(value)} is listed twice`,
  de: (value) => `${JSON.stringify(value)} ist doppelt aufgeführt`,
};
const unknownRegion: Phrase<[string, string[]]> = {
  en: (region, known) => `unknown region ${JSON.stringify(region)}; this marketplace has ${known.join(', ')}`,
  de: (region, known) => `unbekannte Region ${JSON.stringify(region)}; dieser Marktplatz hat ${known.join(', ')}`,
};
const planIdTwice: Phrase<[string]> = {
  en: (planId) => `the plan id ${planId} is used twice`,
  de: (planId) => `die Plan-ID ${planId} wird doppelt verwendet`,
};
const versionTwice: Phrase<[string]> = {
  en: (version) => `the version ${version} is listed twice`,
  de: (version) => `die Version ${version} ist doppelt aufgeführt`,
};
const versionPublished: Phrase<[string, string]> = {
  en: (version, planId) => `version ${version} of plan ${planId} was already published; give the new image a new version`,
  de: (version, planId) => `Version ${version} von Plan ${planId} wurde bereits veröffentlicht; geben Sie dem neuen Image eine neue Version`,
};
const lunOrder: Phrase<[number, number]> = {
  en: (expected, found) => `data disk LUNs must be 0, 1, 2… in order; expected ${expected}, found ${found}`,
  de: (expected, found) => `die LUNs der Datenträger müssen der Reihe nach 0, 1, 2… sein; erwartet ${expected}, gefunden ${found}`,
};
const testDriveNeedsRegion: Localized = {
  en: 'an enabled test drive needs at least one region',
  de: 'eine aktivierte Testversion braucht mindestens eine Region',
};
const notAPlanRegion: Phrase<[string]> = {
  en: (region) => `${region} is not a region of any plan; a test drive runs where the offer is sold`,
  de: (region) => `${region} ist keine Region eines Plans; eine Testversion läuft dort, wo das Angebot verkauft wird`,
};
const testDriveNeedsManual: Localized = {
  en: 'an enabled test drive needs a user manual URL',
  de: 'eine aktivierte Testversion braucht die URL eines Benutzerhandbuchs',
};
const noImageUrls: Localized = {
  en: 'image URLs are not allowed on this marketplace (imports.allowedUrlPrefixes is empty); use a path under the import directories',
  de: 'Image-URLs sind auf diesem Marktplatz nicht erlaubt (imports.allowedUrlPrefixes ist leer); verwenden Sie einen Pfad unter den Importverzeichnissen',
};

type AddProblem = (path: string, message: Localized | string) => void;

export interface ValidationResult {
  problems: OfferProblem[];
  /** The parsed offer (defaults applied) when there is no problem, else null. */
  offer: Offer | null;
}

export async function validateOffer(doc: unknown, options: ValidateOptions): Promise<ValidationResult> {
  // the input is kept on the issues so that their German can name the wrong value's type
  const parsed = offerSchema.safeParse(doc, { reportInput: true });
  if (!parsed.success) {
    const problems: OfferProblem[] = parsed.error.issues.map((issue) => issueProblem(issue, formatPath(issue.path)));
    // A document over the schema's limits on lists is refused on those alone: the rules below would
    // do work in proportion to its size, which is exactly what the limits are there to bound.
    if (parsed.error.issues.some((issue) => issue.code === 'too_big' && issue.origin === 'array')) return { problems, offer: null };
    // Operator-dependent rules still run on what can be read, so one round trip shows everything.
    problems.push(...(await operatorProblems(doc as Partial<Offer>, options, new Set(problems.map((p) => p.path)))));
    return { problems: dedupe(problems), offer: null };
  }
  const problems = await operatorProblems(parsed.data, options, new Set());
  return { problems, offer: problems.length === 0 ? parsed.data : null };
}

/** Rules that need the operator's configuration, on a possibly malformed document. */
async function operatorProblems(doc: Partial<Offer>, options: ValidateOptions, already: Set<string>): Promise<OfferProblem[]> {
  const { config } = options;
  const problems: OfferProblem[] = [];
  const add: AddProblem = (path, message) => {
    if (!already.has(path)) problems.push({ path, ...localizedFields({ message }) });
  };
  if (!doc || typeof doc !== 'object') return problems;

  if (options.publisherId && typeof doc.publisher === 'string' && doc.publisher !== options.publisherId) {
    add('publisher', say(mustBePublisher, options.publisherId));
  }
  if (options.offerId && typeof doc.id === 'string' && doc.id !== options.offerId) {
    add('id', say(mustBeOfferId, options.offerId));
  }

  const categories = new Set(config.categories);
  const listing = doc.listing as Partial<Offer['listing']> | undefined;
  if (Array.isArray(listing?.categories)) {
    listing.categories.forEach((category, i) => {
      if (typeof category === 'string' && !categories.has(category)) {
        add(`listing.categories[${i}]`, say(unknownCategory, category, [...categories]));
      }
    });
    const seen = new Set<string>();
    listing.categories.forEach((category, i) => {
      if (seen.has(category)) add(`listing.categories[${i}]`, say(listedTwice, category));
      seen.add(category);
    });
  }

  const regionNames = new Set(config.regions.map((r) => r.name));
  const regionProblem = (path: string, name: unknown) => {
    if (typeof name === 'string' && !regionNames.has(name)) {
      add(path, say(unknownRegion, name, [...regionNames]));
    }
  };

  const plans = Array.isArray(doc.plans) ? doc.plans : [];
  const planIds = new Set<string>();
  const sourceChecks: Promise<void>[] = [];
  // the publisher acted for, else the document's own: its import directories only (never another's)
  const owner = options.publisherId || (typeof doc.publisher === 'string' ? doc.publisher : undefined);
  const sources: SourceRules = { importDirs: importDirsOf(config.imports, owner), imports: config.imports };
  // each distinct source is checked once, however many versions and disks name it: a draft
  // repeating one file thousands of times costs one check (finding 10 of issue 9)
  const sourceResults = new Map<string, Promise<Localized | string | undefined>>();
  const checkSource = (source: string, path: string) => {
    let result = sourceResults.get(source);
    if (!result) {
      result = sourceProblem(source, sources);
      sourceResults.set(source, result);
    }
    sourceChecks.push(
      result.then((problem) => {
        if (problem !== undefined) add(path, problem);
      }),
    );
  };
  plans.forEach((plan, p) => {
    if (!plan || typeof plan !== 'object') return;
    if (typeof plan.id === 'string') {
      if (planIds.has(plan.id)) add(`plans[${p}].id`, say(planIdTwice, plan.id));
      planIds.add(plan.id);
    }
    if (Array.isArray(plan.regions)) {
      plan.regions.forEach((region, r) => regionProblem(`plans[${p}].regions[${r}]`, region));
      const seen = new Set<string>();
      plan.regions.forEach((region, r) => {
        if (seen.has(region)) add(`plans[${p}].regions[${r}]`, say(listedTwice, region));
        seen.add(region);
      });
    }
    const images = Array.isArray(plan.images) ? plan.images : [];
    const versions = new Set<string>();
    images.forEach((image, i) => {
      if (!image || typeof image !== 'object') return;
      const at = `plans[${p}].images[${i}]`;
      if (typeof image.version === 'string') {
        if (versions.has(image.version)) add(`${at}.version`, say(versionTwice, image.version));
        versions.add(image.version);
        if (typeof plan.id === 'string' && options.usedVersions?.get(plan.id)?.has(image.version)) {
          add(`${at}.version`, say(versionPublished, image.version, plan.id));
        }
      }
      if (options.checkSources !== false && typeof image.osDisk === 'string') {
        checkSource(image.osDisk, `${at}.osDisk`);
      }
      if (Array.isArray(image.dataDisks)) {
        image.dataDisks.forEach((disk, d) => {
          if (!disk || typeof disk !== 'object') return;
          if (typeof disk.lun === 'number' && disk.lun !== d) {
            add(`${at}.dataDisks[${d}].lun`, say(lunOrder, d, disk.lun));
          }
          if (options.checkSources !== false && typeof disk.source === 'string') {
            checkSource(disk.source, `${at}.dataDisks[${d}].source`);
          }
        });
      }
    });
  });

  const testDrive = doc.testDrive;
  if (testDrive && typeof testDrive === 'object' && testDrive.enabled) {
    const planRegions = new Set(plans.flatMap((plan) => (Array.isArray(plan?.regions) ? plan.regions : [])));
    const tdRegions = Array.isArray(testDrive.regions) ? testDrive.regions : [];
    if (tdRegions.length === 0) add('testDrive.regions', testDriveNeedsRegion);
    tdRegions.forEach((region, r) => {
      regionProblem(`testDrive.regions[${r}]`, region);
      if (typeof region === 'string' && regionNames.has(region) && !planRegions.has(region)) {
        add(`testDrive.regions[${r}]`, say(notAPlanRegion, region));
      }
    });
    if (!testDrive.userManualUrl) add('testDrive.userManualUrl', testDriveNeedsManual);
  }

  await Promise.all(sourceChecks);
  return problems;
}

/** Where an offer's image sources may come from: its publisher's import dirs, the operator's URL rules. */
interface SourceRules {
  importDirs: string[];
  imports: Config['imports'];
}

/**
 * The problem with one image source, or undefined: a path must be confined to the publisher's
 * import dirs, a URL be https under an allowed prefix.
 */
async function sourceProblem(source: string, rules: SourceRules): Promise<Localized | string | undefined> {
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
      if (rules.imports.allowedUrlPrefixes.length === 0) return noImageUrls;
      await checkOutboundUrl(source, { allowedPrefixes: rules.imports.allowedUrlPrefixes, allowPrivateNetworks: rules.imports.allowPrivateNetworks });
    } else {
      await confineImportPath(source, rules.importDirs);
    }
    return undefined;
  } catch (error) {
    if (!isVmarketError(error)) throw error;
    return error.localized ?? error.message;
  }
}

function dedupe(problems: OfferProblem[]): OfferProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
