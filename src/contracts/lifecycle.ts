/**
 * Offer lifecycle (docs/contracts.md §5 "Lifecycle"): deprecation and stop-sell of an offer or a
 * plan (the publisher's), revocation of a version (the operator's) with the republish of the
 * previous version the publisher accepts or declines, and storage garbage collection.
 */
import { z } from 'zod';

/** A day as `YYYY-MM-DD` (UTC). */
export const isoDaySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day is written YYYY-MM-DD')
  .refine((day) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day), 'not a day of the calendar');

export const deprecationSchema = z
  .object({
    on: z.string().describe('YYYY-MM-DD (UTC): from this day on, acquire refuses.'),
    reason: z.string().nullable(),
    alternativePlan: z.string().nullable().describe('The plan of the same offer customers should take instead.'),
  })
  .meta({ id: 'Deprecation' });
export type Deprecation = z.infer<typeof deprecationSchema>;

/** What the publisher decided about an offer or a plan. */
export const sellStateSchema = z.object({
  deprecation: deprecationSchema.nullable(),
  sold: z.boolean().describe('false: the publisher stopped selling it; acquire refuses.'),
  stoppedAt: z.string().nullable(),
});
export type SellState = z.infer<typeof sellStateSchema>;

export const REPUBLISH_STATUSES = ['pending', 'accepted', 'declined'] as const;
export type RepublishStatus = (typeof REPUBLISH_STATUSES)[number];

export const revocationSchema = z
  .object({
    id: z.string(),
    offer: z.string().describe('publisher.offer'),
    version: z.string().describe('The operation id of the revoked version.'),
    reason: z.string(),
    revokedBy: z.string(),
    revokedAt: z.string(),
    wasLive: z.boolean().describe('It was the live version, and left the live slot.'),
    customersNotified: z.number().describe('Customers e-mailed (those who acquired while it was live).'),
    republish: z
      .object({
        version: z.string().describe('The earlier version proposed to go live again.'),
        status: z.enum(REPUBLISH_STATUSES),
        decidedBy: z.string().nullable(),
        decidedAt: z.string().nullable(),
      })
      .nullable()
      .describe('null: no earlier version qualified (see republishNote).'),
    republishNote: z.string().nullable().describe('Why no earlier version is proposed, when none is.'),
  })
  .meta({ id: 'Revocation' });
export type Revocation = z.infer<typeof revocationSchema>;

/** `GET …/offers/{offer}/lifecycle`. */
export const offerLifecycleSchema = z
  .object({
    offer: sellStateSchema,
    plans: z.record(z.string(), sellStateSchema).describe('Only plans with a decision of their own.'),
    revocations: z.array(revocationSchema),
  })
  .meta({ id: 'OfferLifecycle' });
export type OfferLifecycle = z.infer<typeof offerLifecycleSchema>;

export const gcObjectSchema = z.object({ sha256: z.string(), size: z.number(), modifiedAt: z.string() });
export const gcStoreReportSchema = z.object({
  store: z.string().describe('primary, or the region name.'),
  description: z.string(),
  removed: z.array(gcObjectSchema).describe('Removed (with dryRun: would be removed).'),
  bytes: z.number(),
  kept: z.object({ referenced: z.number(), young: z.number() }),
  errors: z.array(z.string()),
});
export const gcReportSchema = z
  .object({
    dryRun: z.boolean(),
    graceHours: z.number(),
    stores: z.array(gcStoreReportSchema),
    count: z.number(),
    bytes: z.number(),
  })
  .meta({ id: 'GcReport' });
export type GcReport = z.infer<typeof gcReportSchema>;
export type GcStoreReport = z.infer<typeof gcStoreReportSchema>;
