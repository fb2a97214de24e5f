/**
 * Delivers leads to the publisher's destination: an https endpoint (JSON, HMAC-signed with the
 * offer's lead signing secret, which the marketplace generated: ./secrets.ts), email through the
 * operator's SMTP relay, or nothing (`table`: the marketplace keeps it; `none`). Transient
 * failures are retried with exponential back-off; a single clear LEAD_DELIVERY_FAILED error names
 * what went wrong.
 */
import { randomUUID } from 'node:crypto';
import { isVmarketError, VmarketError } from '../errors.ts';
import { hmacSignature } from '../security/hmac.ts';
import { withRetries } from '../security/retry.ts';
import { checkOutboundUrl, loadTrustedCas, redact, requestChecked } from '../security/urls.ts';
import { createMailer, describeSmtpError, isPermanentSmtpError, type Mailer } from '../notify/mailer.ts';
import type { Lead, LeadContext, LeadDeliveryResult, LeadDestination } from './types.ts';

/** HTTP statuses worth another attempt; any other non-2xx fails at once. */
function retryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

function failed(message: string, cause?: unknown): VmarketError {
  return new VmarketError('LEAD_DELIVERY_FAILED', message, cause === undefined ? {} : { cause });
}

/** The receiver said no: DELIVERY_REFUSED is not retryable, so `withRetries` stops at once. */
function refused(message: string, cause?: unknown): VmarketError {
  return new VmarketError('DELIVERY_REFUSED', message, cause === undefined ? {} : { cause });
}

/**
 * Retries `attempt` and answers every failure but CANCELED as LEAD_DELIVERY_FAILED with the same
 * sentence: DELIVERY_REFUSED only tells the retry loop to stop, while the callers (the package
 * step, the lead worker, `vmarket leads`) know one code for a lead that did not arrive.
 */
async function retried<T>(attempt: (n: number) => Promise<T>, ctx: LeadContext): Promise<T> {
  try {
    return await withRetries(attempt, { ...ctx.retry, signal: ctx.signal ?? ctx.retry?.signal });
  } catch (error) {
    if (isVmarketError(error) && error.code === 'DELIVERY_REFUSED') throw failed(error.message, error.cause);
    throw error;
  }
}

/** The `X-Vmarket-Event` of a lead. */
export function leadEvent(lead: Lead): string {
  if (lead.kind === 'registration-test') return 'lead.registration-test';
  // a test-drive start is a lead like an acquisition, told apart for receivers that care
  return lead.kind === 'test-drive' ? 'lead.test-drive' : 'lead.created';
}

/**
 * Sends `lead` to `destination`.
 *
 * https: POST of the lead as JSON with `X-Vmarket-Signature: sha256=<hex>` (HMAC of the exact
 * body with the offer's secret, `ctx.signingSecret()`, read for each delivery so a rotation
 * counts from the next one), `X-Vmarket-Event` and `X-Vmarket-Delivery` (the lead's id, the same
 * on every retry and every job redelivery, so receivers can deduplicate); any 2xx accepts. The URL must pass
 * `checkOutboundUrl` (https, public address unless `deliveries.allowPrivateNetworks`); extra CAs come
 * from `config.trustedCaFiles`.
 * email: one plain-text message with the lead's fields to `email.to` via `config.smtp`.
 * none / table: nothing is sent (`sent: false`).
 *
 * Retries (default 5 attempts, 200 ms base) network errors, 408/425/429/5xx and SMTP 4xx.
 *
 * @throws VmarketError LEAD_DELIVERY_FAILED (with the status code or SMTP answer),
 *   URL_NOT_ALLOWED, CANCELED.
 */
export async function deliverLead(destination: LeadDestination, lead: Lead, ctx: LeadContext): Promise<LeadDeliveryResult> {
  switch (destination.destination) {
    case 'none':
    case 'table':
      return { destination: destination.destination, sent: false, attempts: 0 };
    case 'https':
      return deliverHttps(destination, lead, ctx);
    case 'email':
      return deliverEmail(destination, lead, ctx);
    default:
      throw failed(`The lead destination ${JSON.stringify((destination as { destination: unknown }).destination)} is not one of none, https, email, table.`);
  }
}

async function deliverHttps(destination: LeadDestination, lead: Lead, ctx: LeadContext): Promise<LeadDeliveryResult> {
  const target = destination.https;
  if (!target?.url) throw failed('The https lead destination needs leads.https.url.');
  // Only the offer's generated secret signs: a `secretRef` left in a stored document is ignored.
  if (!ctx.signingSecret) throw failed('The https lead destination has no lead signing secret, so leads cannot be signed.');
  const secret = await ctx.signingSecret();
  const checked = await checkOutboundUrl(target.url, { allowPrivateNetworks: ctx.config.deliveries.allowPrivateNetworks });
  const ca = await loadTrustedCas(ctx.config.trustedCaFiles);
  const body = Buffer.from(JSON.stringify(lead), 'utf8');
  const deliveryId = lead.id;
  const where = redact(checked.url);
  let attempts = 0;
  const status = await retried(
    async (n) => {
      attempts = n;
      const res = await requestChecked(checked, {
        method: 'POST',
        body,
        ca,
        signal: ctx.signal,
        timeoutMs: ctx.timeoutMs ?? 15_000,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'vmarket-leads',
          'x-vmarket-event': leadEvent(lead),
          'x-vmarket-delivery': deliveryId,
          'x-vmarket-signature': hmacSignature(secret, body),
        },
      }).catch((error: unknown) => {
        if (isVmarketError(error) && error.code === 'CANCELED') throw error;
        throw failed(`Lead delivery failed: ${(error as Error).message}`, error);
      });
      // only the status counts: the answer is not read, so a receiver cannot hold the connection with an endless body
      res.destroy();
      const code = res.statusCode ?? 0;
      if (code >= 200 && code < 300) return code;
      const answer = `The lead destination ${where} answered HTTP ${code} (after ${n} attempt${n === 1 ? '' : 's'}).`;
      throw retryableStatus(code) ? failed(answer) : refused(answer);
    },
    ctx,
  );
  return { destination: 'https', sent: true, attempts, status, deliveryId };
}

/** The plain-text email of a lead. */
export function leadEmail(lead: Lead): { subject: string; text: string } {
  const test = lead.kind === 'registration-test';
  const drive = lead.kind === 'test-drive';
  const subject = test
    ? `vmarket: registration test lead for ${lead.offer}`
    : `vmarket: new ${drive ? 'test-drive lead' : 'lead'} for ${lead.offer} (${lead.plan})`;
  const lines = [
    test
      ? 'This is a registration test lead: vmarket checks that this address accepts leads for the offer. No customer is involved.'
      : drive
        ? 'A customer started a test drive of your offer.'
        : 'A customer acquired a plan of your offer.',
    '',
    `Offer: ${lead.offer}`,
    `Plan: ${lead.plan}`,
    `Subscription: ${lead.subscriptionId}`,
    `Name: ${lead.contact.name}`,
    `Email: ${lead.contact.email}`,
    ...(lead.contact.company ? [`Company: ${lead.contact.company}`] : []),
    `Date: ${lead.createdAt}`,
    `Lead id: ${lead.id}`,
  ];
  return { subject, text: `${lines.join('\n')}\n` };
}

async function deliverEmail(destination: LeadDestination, lead: Lead, ctx: LeadContext): Promise<LeadDeliveryResult> {
  const to = destination.email?.to ?? [];
  if (to.length === 0) throw failed('The email lead destination needs at least one address in leads.email.to.');
  let mailer: Mailer | undefined = ctx.mailer;
  if (!mailer) {
    if (!ctx.config.smtp) throw failed('Email lead delivery needs the server to be configured with smtp settings.');
    try {
      mailer = createMailer(ctx.config.smtp, ctx.env);
    } catch (error) {
      // The publisher reads this message (the lead's lastError, the package step): it says the
      // operator's mail settings are incomplete without naming their environment variables.
      throw failed('Email lead delivery is unavailable: the marketplace\'s mail settings are incomplete; the operator has to fix them.', error);
    }
  }
  const { subject, text } = leadEmail(lead);
  let attempts = 0;
  try {
    const info = await retried(
      async (n) => {
        attempts = n;
        try {
          return await mailer.send({ to, subject, text });
        } catch (error) {
          const answer = `The lead email to ${to.join(', ')} was not accepted: ${describeSmtpError(error)}.`;
          throw isPermanentSmtpError(error) ? refused(answer, error) : failed(answer, error);
        }
      },
      ctx,
    );
    if (info.rejected.length > 0) throw failed(`The SMTP server rejected the lead email for ${info.rejected.join(', ')}.`);
    return { destination: 'email', sent: true, attempts, deliveryId: info.messageId };
  } finally {
    if (!ctx.mailer) mailer.close();
  }
}

/**
 * Proves a destination works: sends a `registration-test` lead for `offer` that must be
 * accepted. `none` and `table` need nothing and resolve at once.
 *
 * @throws VmarketError LEAD_DELIVERY_FAILED naming the HTTP status or the SMTP answer.
 */
export async function registerLeadDestination(
  destination: LeadDestination,
  ctx: LeadContext & { offer: string; plan?: string },
): Promise<LeadDeliveryResult & { lead: Lead }> {
  const lead: Lead = {
    id: randomUUID(),
    offer: ctx.offer,
    plan: ctx.plan ?? 'registration-test',
    subscriptionId: '00000000-0000-0000-0000-000000000000',
    contact: { name: 'vmarket registration test', email: 'registration-test@vmarket.invalid' },
    createdAt: new Date().toISOString(),
    kind: 'registration-test',
  };
  const result = await deliverLead(destination, lead, ctx);
  return { ...result, lead };
}
