/** Identity and publishers (docs/contracts.md §5): `/me`, a created publisher, the list. */
import { z } from 'zod';

export const PRINCIPAL_KINDS = ['publisher', 'operator'] as const;
export const principalKindSchema = z.enum(PRINCIPAL_KINDS);
export type PrincipalKind = z.infer<typeof principalKindSchema>;

export const publisherSchema = z.object({ id: z.string(), name: z.string() });
export type PublisherRef = z.infer<typeof publisherSchema>;

/** `GET /me`. */
export const meSchema = z
  .object({
    kind: principalKindSchema,
    /** Same as kind; older clients read `role`. */
    role: principalKindSchema,
    publisher: publisherSchema.optional(),
  })
  .meta({ id: 'Me' });
export type Me = z.infer<typeof meSchema>;

/** `POST /publishers` (201): the token is shown this once and never again. */
export const createdPublisherSchema = publisherSchema.extend({ token: z.string() }).meta({ id: 'CreatedPublisher' });
export type CreatedPublisher = z.infer<typeof createdPublisherSchema>;

/** One entry of `GET /publishers`. */
export const publisherListItemSchema = publisherSchema.extend({ createdAt: z.string().nullable() });
export type PublisherListItem = z.infer<typeof publisherListItemSchema>;
