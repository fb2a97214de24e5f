/** Leads: a customer's acquisition of a plan, as the publisher reads them (docs/contracts.md §5). */
import { z } from 'zod';

/** `stored`: kept in the marketplace (the `table` destination, or nothing to send). */
export const LEAD_DELIVERY_STATUSES = ['pending', 'delivered', 'stored', 'failed'] as const;
export const leadDeliveryStatusSchema = z.enum(LEAD_DELIVERY_STATUSES);
export type LeadDeliveryStatus = z.infer<typeof leadDeliveryStatusSchema>;

/**
 * `registration-test` is the lead the package step sends to prove the destination works;
 * `test-drive` a customer who started a test drive (src/test-drives/).
 */
export const LEAD_KINDS = ['lead', 'registration-test', 'test-drive'] as const;
export const leadKindSchema = z.enum(LEAD_KINDS);
export type LeadKind = z.infer<typeof leadKindSchema>;

export const leadContactSchema = z.object({ name: z.string(), email: z.string(), company: z.string().optional() });
export type LeadContact = z.infer<typeof leadContactSchema>;

export const leadSchema = z
  .object({
    id: z.string(),
    offerId: z.string(),
    planId: z.string(),
    subscriptionId: z.string(),
    contact: leadContactSchema,
    kind: leadKindSchema,
    deliveryStatus: leadDeliveryStatusSchema.describe('stored: kept in the marketplace (table destination).'),
    deliveryAttempts: z.number(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
  })
  .meta({ id: 'Lead' });
export type LeadView = z.infer<typeof leadSchema>;

/**
 * An offer's lead signing secret as it is shown: exactly once, in the answer that generated it
 * (the first draft save with an https destination, or a rotation). Receivers check
 * `X-Vmarket-Signature` with it.
 */
export const leadSecretShownSchema = z
  .object({
    secret: z.string().describe('The HMAC key for X-Vmarket-Signature; shown only in this answer.'),
    fingerprint: z.string().describe('sha256:<16 hex> of the secret, to compare with what the receiver holds.'),
    createdAt: z.string(),
  })
  .meta({ id: 'LeadSecretShown' });
export type LeadSecretShown = z.infer<typeof leadSecretShownSchema>;

/** `GET …/lead-secret`: whether the offer has a secret and which, never the secret itself. */
export const leadSecretInfoSchema = z
  .object({ set: z.boolean(), fingerprint: z.string().nullable(), createdAt: z.string().nullable() })
  .meta({ id: 'LeadSecretInfo' });
export type LeadSecretInfo = z.infer<typeof leadSecretInfoSchema>;
