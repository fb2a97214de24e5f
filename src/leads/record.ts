/**
 * Storing a customer's lead with its delivery job in the caller's transaction: acquire
 * (src/catalog/acquire.ts) and test-drive starts (src/test-drives/) both record leads this way,
 * so a lead is never stored without being delivered nor delivered without being stored.
 */
import { randomUUID } from 'node:crypto';
import type { AppContext, Trx } from '../app/context.ts';
import type { LeadContact, LeadKind } from '../contracts/index.ts';
import { ensureLeadQueue, LEADS_QUEUE, type LeadJobData, wakeLeadWorkers } from './worker.ts';

/** Destinations that need a delivery job; `table` and `none` keep the lead in the marketplace. */
const SENT_DESTINATIONS = new Set(['https', 'email']);

export interface NewLead {
  publisherId: string;
  offerId: string;
  plan: string;
  subscriptionId: string;
  contact: LeadContact;
  kind: Extract<LeadKind, 'lead' | 'test-drive'>;
  /** The offer's lead destination (`leads.destination` of the served slot). */
  destination: string;
  slot: 'live' | 'preview';
}

/** Prepares a lead: call `prepare` before the transaction, `insert` inside it, `wake` after the commit. */
export async function prepareLead(ctx: AppContext, lead: NewLead) {
  const sent = SENT_DESTINATIONS.has(lead.destination);
  if (sent) await ensureLeadQueue(ctx.db.boss);
  const id = randomUUID();
  const contact: LeadContact = {
    name: lead.contact.name,
    email: lead.contact.email,
    ...(lead.contact.company ? { company: lead.contact.company } : {}),
  };
  return {
    id,
    sent,
    async insert(trx: Trx): Promise<void> {
      await trx
        .insertInto('leads')
        .values({
          id,
          publisher_id: lead.publisherId,
          offer_id: lead.offerId,
          plan_id: lead.plan,
          subscription_id: lead.subscriptionId,
          contact: JSON.stringify(contact),
          kind: lead.kind,
          delivery_status: sent ? 'pending' : 'stored',
        })
        .execute();
      if (sent) {
        const data: LeadJobData = { leadId: id, slot: lead.slot };
        await ctx.db.enqueue(trx, LEADS_QUEUE, data, { singletonKey: id });
      }
    },
    wake(): void {
      if (sent) wakeLeadWorkers(ctx.db.boss);
    },
  };
}
