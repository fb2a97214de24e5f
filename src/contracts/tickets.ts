/** Support tickets and their conversations (docs/contracts.md §5). */
import { z } from 'zod';

export const TICKET_STATUSES = ['open', 'closed'] as const;
export const ticketStatusSchema = z.enum(TICKET_STATUSES);
export type TicketStatus = z.infer<typeof ticketStatusSchema>;

/** Who opened the ticket; `system` is a stuck step. */
export const TICKET_SOURCES = ['system', 'publisher', 'operator'] as const;
export const ticketSourceSchema = z.enum(TICKET_SOURCES);
export type TicketSource = z.infer<typeof ticketSourceSchema>;

export const ticketSchema = z
  .object({
    id: z.string(),
    publisherId: z.string(),
    offerId: z.string().nullable(),
    operationId: z.string().nullable(),
    stepId: z.string().nullable().describe('The step that was stuck (system tickets), else null.'),
    source: ticketSourceSchema.describe('system: opened by a stuck step.'),
    title: z.string(),
    body: z.string(),
    status: ticketStatusSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Ticket' });
export type Ticket = z.infer<typeof ticketSchema>;

export const ticketCommentSchema = z
  .object({
    id: z.string(),
    author: z.string().describe('`publisher:<id>`, `operator` or `system`.'),
    body: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'TicketComment' });
export type TicketComment = z.infer<typeof ticketCommentSchema>;

export const ticketWithCommentsSchema = ticketSchema
  .extend({ comments: z.array(ticketCommentSchema).describe('The conversation, oldest first.') })
  .meta({ id: 'TicketWithComments' });
export type TicketWithComments = z.infer<typeof ticketWithCommentsSchema>;
