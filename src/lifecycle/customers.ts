/**
 * Telling the customers of an offer about a lifecycle change (docs/contracts.md §5 "Lifecycle"):
 * who they are (the leads of acquisitions, one per e-mail address), one e-mail each so nobody
 * sees another's address, then the event's webhook once. Notifications never throw: a decision
 * stands whether or not the SMTP server took the mail.
 */
import type { AppContext } from '../app/context.ts';
import type { NotifyEventType } from '../notify/index.ts';
import { notifierOf } from '../pipeline/notify.ts';
import { offerLinks } from '../pipeline/status.ts';

/** A customer to tell, with the first acquisition that made them one. */
export interface Customer {
  email: string;
  name: string;
  plan: string;
  at: Date;
}

/** One customer per e-mail address (case-insensitive), oldest acquisition first. */
export function distinctCustomers(rows: { contact: { email: string; name: string }; plan_id: string; created_at: Date | string }[]): Customer[] {
  const byEmail = new Map<string, Customer>();
  for (const row of [...rows].sort((a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime())) {
    const email = row.contact.email.trim();
    if (!byEmail.has(email.toLowerCase())) byEmail.set(email.toLowerCase(), { email, name: row.contact.name, plan: row.plan_id, at: new Date(row.created_at) });
  }
  return [...byEmail.values()];
}

/** Everyone who acquired the offer (or one plan of it). */
export async function offerCustomers(ctx: AppContext, publisherId: string, offerId: string, plan?: string): Promise<Customer[]> {
  let query = ctx.db.kysely
    .selectFrom('leads')
    .select(['contact', 'plan_id', 'created_at'])
    .where('publisher_id', '=', publisherId)
    .where('offer_id', '=', offerId)
    .where('kind', '=', 'lead');
  if (plan !== undefined) query = query.where('plan_id', '=', plan);
  return distinctCustomers(await query.execute());
}

export interface CustomerNotice {
  type: NotifyEventType;
  publisherId: string;
  offerId: string;
  /** The version concerned (the live one for offer-wide decisions). */
  operationId: string;
  customers: Customer[];
  /** The e-mail to one customer, in English. */
  message: (customer: Customer) => string;
  /** The webhook's message. */
  summary: string;
}

/** E-mails each customer, then sends the webhook. Answers how many e-mails the SMTP server took. */
export async function tellCustomers(ctx: AppContext, notice: CustomerNotice): Promise<number> {
  const [storefront] = offerLinks(ctx, notice.publisherId, notice.offerId);
  const notifier = notifierOf(ctx);
  const base = { type: notice.type, publisher: notice.publisherId, offer: notice.offerId, operationId: notice.operationId, links: { offer: storefront } };
  let sent = 0;
  for (const customer of notice.customers) {
    if ((await notifier.notifyByEmailOnly({ ...base, message: notice.message(customer) }, [customer.email])) === 'sent') sent++;
  }
  await notifier.notify({ ...base, message: notice.summary }, []);
  return sent;
}
