/**
 * The offer file of docs/contracts.md §2 as a zod schema. Shape rules only (types, lengths, patterns);
 * rules that depend on the operator (regions, categories, import dirs, versions already used)
 * are in `validate.ts`, so `vmarket offer validate` and the server report the same problems.
 */
import { z } from 'zod';
import { fixed, type Phrase, say } from '../i18n/localized.ts';
import { schemaMessage } from '../i18n/zod-issues.ts';
import { DISK_FORMATS } from '../contracts/certification.ts';

export const OFFER_ID_PATTERN = /^[a-z0-9-]{3,50}$/;
export const PUBLISHER_ID_PATTERN = /^[a-z0-9-]{2,50}$/;
/** Semantic versioning 2.0 (without build metadata, which would make two equal versions differ). */
export const SEMVER_PATTERN = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
const GUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

// The schema's own messages, in every language (zod reports the English; see src/i18n/zod-issues.ts).
const atLeastChars: Phrase<[number]> = {
  en: (min) => `must be at least ${min} character(s)`,
  de: (min) => `muss mindestens ${min} Zeichen lang sein`,
};
const atMostChars: Phrase<[number]> = {
  en: (max) => `must be at most ${max} characters`,
  de: (max) => `darf höchstens ${max} Zeichen lang sein`,
};
const idChars: Phrase<[number, number]> = {
  en: (min, max) => `must be ${min}-${max} characters of a-z, 0-9 and -`,
  de: (min, max) => `muss aus ${min} bis ${max} Zeichen a-z, 0-9 und - bestehen`,
};
const MUST = {
  httpsUrl: schemaMessage(fixed('must be an https:// URL', 'muss eine https://-URL sein')),
  email: schemaMessage(fixed('must be an email address', 'muss eine E-Mail-Adresse sein')),
  category: schemaMessage(fixed('needs at least one category', 'braucht mindestens eine Kategorie')),
  maxCategories: schemaMessage(fixed('at most 3 categories', 'höchstens 3 Kategorien')),
  secretRef: schemaMessage(
    fixed(
      'is no longer accepted: the marketplace generates each offer\'s lead signing secret. Remove secretRef; the first save with an https destination shows the secret once, and "vmarket leads secret rotate --offer <id>", POST …/offers/<id>/lead-secret or the portal\'s Leads section makes a new one.',
      'wird nicht mehr angenommen: Der Marktplatz erzeugt das Signaturgeheimnis für die Leads jedes Angebots. Entfernen Sie secretRef; die erste Speicherung mit einem https-Ziel zeigt das Geheimnis einmal, und „vmarket leads secret rotate --offer <id>“, POST …/offers/<id>/lead-secret oder der Bereich Leads im Portal erzeugt ein neues.',
    ),
  ),
  semver: schemaMessage(fixed('must be a semantic version like 1.0.0', 'muss eine semantische Version wie 1.0.0 sein')),
  maxDataDisks: schemaMessage(fixed('at most 16 data disks', 'höchstens 16 Datenträger')),
  offerId: schemaMessage(say(idChars, 3, 50)),
  publisherId: schemaMessage(say(idChars, 2, 50)),
  region: schemaMessage(fixed('needs at least one region', 'braucht mindestens eine Region')),
  imageVersion: schemaMessage(fixed('needs at least one image version', 'braucht mindestens eine Image-Version')),
  guid: schemaMessage(fixed('must be a subscription id (GUID)', 'muss eine Abonnement-ID (GUID) sein')),
  maxSubscriptions: schemaMessage(fixed('at most 100 subscriptions', 'höchstens 100 Abonnements')),
  plan: schemaMessage(fixed('needs at least one plan', 'braucht mindestens einen Plan')),
  maxImageVersions: schemaMessage(fixed('at most 20 image versions per plan', 'höchstens 20 Image-Versionen pro Plan')),
  maxPlans: schemaMessage(fixed('at most 20 plans', 'höchstens 20 Pläne')),
};

/**
 * The most image files (OS and data disks of every version of every plan) one offer names: each
 * is checked, hashed, certified and copied, so a draft's work is bounded here, before any of it.
 */
export const MAX_IMAGE_SOURCES = 200;
const tooManySources: Phrase<[number]> = {
  en: (max) => `names more than ${max} image files (OS and data disks of every version of every plan), the most allowed`,
  de: (max) => `nennt mehr als ${max} Image-Dateien (Betriebssystem- und Datenträger aller Versionen aller Pläne), mehr sind nicht erlaubt`,
};
// registered once: a message per count would grow the registry with every request
const TOO_MANY_SOURCES = schemaMessage(say(tooManySources, MAX_IMAGE_SOURCES));

const text = (min: number, max: number) =>
  z.string().trim().min(min, schemaMessage(say(atLeastChars, min))).max(max, schemaMessage(say(atMostChars, max)));
const httpsUrl = z
  .string()
  .max(2000)
  .refine((value) => {
    try {
      return new URL(value).protocol === 'https:';
    } catch {
      return false;
    }
  }, MUST.httpsUrl);
const email = z.email(MUST.email).max(254);

const contactSchema = z.strictObject({
  name: text(1, 100),
  email,
  phone: text(1, 40).optional(),
  url: httpsUrl.optional(),
});

export const listingSchema = z.strictObject({
  title: text(1, 50),
  summary: text(1, 100),
  description: text(1, 3000),
  categories: z.array(z.string().min(1).max(50)).min(1, MUST.category).max(3, MUST.maxCategories),
  keywords: z.array(text(1, 50)).max(20).default([]),
  privacyUrl: httpsUrl,
  termsOfUse: text(1, 10000),
  support: contactSchema,
  engineering: contactSchema.omit({ url: true }),
});

export const leadsSchema = z.discriminatedUnion('destination', [
  z.strictObject({ destination: z.literal('none') }),
  z.strictObject({ destination: z.literal('table') }),
  z.strictObject({
    destination: z.literal('https'),
    https: z.strictObject({
      url: httpsUrl,
      // Refused whatever it names, without reading it: a publisher-chosen server variable would
      // sign a body the publisher knows (an oracle for the server's secrets). The marketplace
      // generates the secret instead (src/leads/secrets.ts).
      secretRef: z.never(MUST.secretRef).optional(),
    }),
  }),
  z.strictObject({
    destination: z.literal('email'),
    email: z.strictObject({ to: z.array(email).min(1).max(10) }),
  }),
]);

export const testDriveSchema = z.strictObject({
  enabled: z.boolean().default(false),
  regions: z.array(z.string().min(1)).max(20).default([]),
  hotInstances: z.number().int().min(0).max(10).default(0),
  durationHours: z.number().int().min(1).max(10).default(2),
  userManualUrl: httpsUrl.optional(),
});

const imageSourceSchema = z.string().min(1).max(2000);

/** A declared input format: certification refuses an image whose content is another (docs/contracts.md §6 image.format). */
const declaredFormatSchema = z.enum(DISK_FORMATS);

export const imageVersionSchema = z.strictObject({
  version: z.string().regex(SEMVER_PATTERN, MUST.semver),
  osDisk: imageSourceSchema,
  osDiskFormat: declaredFormatSchema.optional(),
  dataDisks: z
    .array(z.strictObject({ lun: z.number().int().min(0).max(15), source: imageSourceSchema, format: declaredFormatSchema.optional() }))
    .max(16, MUST.maxDataDisks)
    .default([]),
});

export const planSchema = z.strictObject({
  id: z.string().regex(OFFER_ID_PATTERN, MUST.offerId),
  title: text(1, 50),
  summary: text(1, 100),
  description: text(1, 3000),
  os: z.strictObject({
    family: z.enum(['linux', 'windows']),
    type: text(1, 50),
    name: text(1, 100),
  }),
  regions: z.array(z.string().min(1)).min(1, MUST.region).max(50),
  recommendedSizes: z.array(text(1, 50)).max(6).default([]),
  openPorts: z
    .array(z.strictObject({ protocol: z.enum(['tcp', 'udp']), port: z.number().int().min(1).max(65535) }))
    .max(50)
    .default([]),
  pricing: z.discriminatedUnion('model', [
    z.strictObject({ model: z.literal('free') }),
    z.strictObject({ model: z.literal('byol') }),
    z.strictObject({ model: z.literal('hourly'), hourlyUsd: z.number().positive().max(10000) }),
  ]),
  images: z.array(imageVersionSchema).min(1, MUST.imageVersion).max(20, MUST.maxImageVersions),
});

/** A publisher id as a document or a request names it (the offer's `publisher`, a new publisher's `id`). */
export const publisherIdSchema = z.string().regex(PUBLISHER_ID_PATTERN, MUST.publisherId);

export const offerSchema = z.strictObject({
  id: z.string().regex(OFFER_ID_PATTERN, MUST.offerId),
  publisher: publisherIdSchema,
  listing: listingSchema,
  previewAudience: z.array(z.string().regex(GUID_PATTERN, MUST.guid)).max(100, MUST.maxSubscriptions).default([]),
  leads: leadsSchema.default({ destination: 'table' }),
  testDrive: testDriveSchema.optional(),
  plans: z.array(planSchema).min(1, MUST.plan).max(20, MUST.maxPlans),
  /** Extension: who hears about this offer's operations besides `--notify`. */
  metadata: z.strictObject({ notificationEmails: z.array(email).max(20).default([]) }).optional(),
}).superRefine((offer, refinement) => {
  const sources = offer.plans.reduce((n, plan) => n + plan.images.reduce((m, image) => m + 1 + image.dataDisks.length, 0), 0);
  if (sources > MAX_IMAGE_SOURCES) {
    refinement.addIssue({ code: 'too_big', origin: 'array', maximum: MAX_IMAGE_SOURCES, inclusive: true, input: offer.plans, path: ['plans'], message: TOO_MANY_SOURCES });
  }
});

export type Offer = z.infer<typeof offerSchema>;
export type OfferInput = z.input<typeof offerSchema>;
export type Plan = z.infer<typeof planSchema>;
export type ImageVersion = z.infer<typeof imageVersionSchema>;
