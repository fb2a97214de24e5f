/** A publisher's offers (docs/contracts.md §5): the list, one slot, the answer of a draft save. */
import { z } from 'zod';
import { leadSecretShownSchema } from './leads.ts';
import { offerStatusValueSchema } from './steps.ts';

export const OFFER_SLOTS = ['draft', 'preview', 'live'] as const;
export const offerSlotNameSchema = z.enum(OFFER_SLOTS);
export type OfferSlotName = z.infer<typeof offerSlotNameSchema>;

/** One entry of `GET /publishers/{pub}/offers`. */
export const offerSummarySchema = z
  .object({
    id: z.string(),
    publisher: z.string(),
    status: offerStatusValueSchema,
    etag: z.string().describe('The draft\'s etag (send it as If-Match to update only that version).'),
    operationId: z.string().nullable().describe('The latest operation, if any.'),
    title: z.string().nullable(),
    hasPreview: z.boolean(),
    live: z.boolean(),
    liveAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'OfferSummary' });
export type OfferSummary = z.infer<typeof offerSummarySchema>;

/** `GET /publishers/{pub}/offers/{offer}?slot=draft|preview|live`. */
export const offerSlotSchema = z
  .object({
    id: z.string(),
    publisher: z.string(),
    slot: offerSlotNameSchema,
    status: offerStatusValueSchema,
    etag: z.string().describe('The draft\'s etag.'),
    offer: z.record(z.string(), z.unknown()).describe('The offer document of the slot (docs/contracts.md §2).'),
    operationId: z.string().nullable().describe('preview/live: the operation that published the slot.'),
    publishedAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'OfferSlot' });
export type OfferSlot = z.infer<typeof offerSlotSchema>;

/** `PUT /publishers/{pub}/offers/{offer}` (200 or 201). */
export const draftSavedSchema = z
  .object({
    id: z.string(),
    publisher: z.string(),
    etag: z.string(),
    created: z.boolean(),
    status: offerStatusValueSchema,
    leadSecret: leadSecretShownSchema.optional().describe('Only in the save that generated the offer\'s lead signing secret (its first with an https destination): shown once.'),
  })
  .meta({ id: 'DraftSaved' });
export type DraftSaved = z.infer<typeof draftSavedSchema>;
