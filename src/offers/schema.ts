/**
 * The offer file of CONTRACTS.md §2 as a zod schema. Shape rules only (types, lengths, patterns);
 * rules that depend on the operator (regions, categories, import dirs, versions already used)
 * are in `validate.ts`, so `vmarket offer validate` and the server report the same problems.
 */
import { z } from 'zod';

export const OFFER_ID_PATTERN = /^[a-z0-9-]{3,50}$/;
export const PUBLISHER_ID_PATTERN = /^[a-z0-9-]{2,50}$/;
/** Semantic versioning 2.0 (without build metadata, which would make two equal versions differ). */
export const SEMVER_PATTERN = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
const GUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;

const text = (min: number, max: number) => z.string().trim().min(min, `must be at least ${min} character(s)`).max(max, `must be at most ${max} characters`);
const httpsUrl = z
  .string()
  .max(2000)
  .refine((value) => {
    try {
      return new URL(value).protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an https:// URL');
const email = z.email('must be an email address').max(254);

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
  categories: z.array(z.string().min(1).max(50)).min(1, 'needs at least one category').max(3, 'at most 3 categories'),
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
      secretRef: z.string().regex(ENV_NAME_PATTERN, 'must name an environment variable (letters, digits, _)'),
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

export const imageVersionSchema = z.strictObject({
  version: z.string().regex(SEMVER_PATTERN, 'must be a semantic version like 1.0.0'),
  osDisk: imageSourceSchema,
  dataDisks: z
    .array(z.strictObject({ lun: z.number().int().min(0).max(15), source: imageSourceSchema }))
    .max(16, 'at most 16 data disks')
    .default([]),
});

export const planSchema = z.strictObject({
  id: z.string().regex(OFFER_ID_PATTERN, 'must be 3-50 characters of a-z, 0-9 and -'),
  title: text(1, 50),
  summary: text(1, 100),
  description: text(1, 3000),
  os: z.strictObject({
    family: z.enum(['linux', 'windows']),
    type: text(1, 50),
    name: text(1, 100),
  }),
  regions: z.array(z.string().min(1)).min(1, 'needs at least one region').max(50),
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
  images: z.array(imageVersionSchema).min(1, 'needs at least one image version').max(100),
});

export const offerSchema = z.strictObject({
  id: z.string().regex(OFFER_ID_PATTERN, 'must be 3-50 characters of a-z, 0-9 and -'),
  publisher: z.string().regex(PUBLISHER_ID_PATTERN, 'must be 2-50 characters of a-z, 0-9 and -'),
  listing: listingSchema,
  previewAudience: z.array(z.string().regex(GUID_PATTERN, 'must be a subscription id (GUID)')).max(100, 'at most 100 subscriptions').default([]),
  leads: leadsSchema.default({ destination: 'table' }),
  testDrive: testDriveSchema.optional(),
  plans: z.array(planSchema).min(1, 'needs at least one plan').max(20),
  /** Extension: who hears about this offer's operations besides `--notify`. */
  metadata: z.strictObject({ notificationEmails: z.array(email).max(20).default([]) }).optional(),
});

export type Offer = z.infer<typeof offerSchema>;
export type OfferInput = z.input<typeof offerSchema>;
export type Plan = z.infer<typeof planSchema>;
export type ImageVersion = z.infer<typeof imageVersionSchema>;
