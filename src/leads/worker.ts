/**
 * Delivers acquired leads: a pg-boss worker on `leads.deliver` that hands each stored lead to
 * the destination its offer names (https with the HMAC header, email; table/none keep it) and
 * records the outcome on the lead row (delivery_status, delivery_attempts, last_error,
 * delivered_at).
 *
 * Each job run makes exactly ONE delivery attempt and retries belong to pg-boss (exponential
 * back-off, `LEAD_RETRY_LIMIT` retries): a retry is then durable — it survives a restart — and
 * `delivery_attempts` counts real attempts. A lead already delivered is never sent again, so a
 * job redelivered after a crash between the send and the row update is the only way a receiver
 * sees one lead twice; the body carries the stable lead `id` for it to deduplicate.
 */
import type { Job, PgBoss, Queue } from 'pg-boss';
import type { AppContext } from '../app/context.ts';
import { toVmarketError } from '../errors.ts';
import type { SlotDocument } from '../pipeline/packages.ts';
import { deliverLead } from './deliver.ts';
import { leadSigningSecret } from './secrets.ts';
import type { Lead, LeadDestination } from './types.ts';

export const LEADS_QUEUE = 'leads.deliver';

/** Retries after the first attempt before a lead is marked `failed`. */
export const LEAD_RETRY_LIMIT = 8;

export const LEAD_QUEUE_OPTIONS: Omit<Queue, 'name'> = {
  retryLimit: LEAD_RETRY_LIMIT,
  // about 1-2 s, 2-4 s, 4-8 s … capped at 10 minutes: a receiver down for a few seconds costs
  // seconds, one down for an hour still gets its leads within the retries.
  retryDelay: 1,
  retryBackoff: true,
  retryDelayMax: 600,
  expireInSeconds: 5 * 60,
  deleteAfterSeconds: 7 * 24 * 60 * 60,
};

/** The data of a delivery job. */
export interface LeadJobData {
  leadId: string;
  /** The slot the customer acquired from; its offer names the destination. Default: live. */
  slot?: 'live' | 'preview';
}

const ensured = new WeakSet<PgBoss>();

/** Creates the `leads.deliver` queue once per pg-boss instance (pg-boss 12 needs it before send). */
export async function ensureLeadQueue(boss: PgBoss): Promise<void> {
  if (ensured.has(boss)) return;
  if (!(await boss.getQueue(LEADS_QUEUE))) {
    try {
      await boss.createQueue(LEADS_QUEUE, LEAD_QUEUE_OPTIONS);
    } catch (error) {
      // another process created it between our look and our create
      if (!(await boss.getQueue(LEADS_QUEUE))) throw error;
    }
  }
  ensured.add(boss);
}

const workers = new WeakMap<PgBoss, string[]>();

/** Wakes this process's lead workers (if any) so a lead just committed is sent without a poll delay. */
export function wakeLeadWorkers(boss: PgBoss): void {
  for (const id of workers.get(boss) ?? []) boss.notifyWorker(id);
}

/** What one delivery attempt ended with. */
export type LeadAttemptOutcome = 'delivered' | 'stored' | 'retry' | 'failed' | 'skipped';

/**
 * One delivery attempt of the stored lead `leadId`, recorded on its row. `final` says no retry
 * follows: a failure then marks the lead `failed`; otherwise it stays `pending` with the error.
 * Throws nothing for a failed delivery: the outcome says what happened.
 */
export async function attemptLeadDelivery(
  ctx: AppContext,
  data: LeadJobData,
  options: { final: boolean; signal?: AbortSignal },
): Promise<{ outcome: LeadAttemptOutcome; error?: string }> {
  const db = ctx.db.kysely;
  const row = await db.selectFrom('leads').selectAll().where('id', '=', data.leadId).executeTakeFirst();
  if (!row || row.delivery_status !== 'pending') return { outcome: 'skipped' };

  const offer = await db
    .selectFrom('offers')
    .select(['live', 'preview'])
    .where('publisher_id', '=', row.publisher_id)
    .where('id', '=', row.offer_id)
    .executeTakeFirst();
  const slots = [data.slot === 'preview' ? offer?.preview : offer?.live, offer?.live, offer?.preview] as (SlotDocument | null | undefined)[];
  const doc = slots.find((s) => s?.offer);
  const destination = (doc?.offer.leads ?? undefined) as LeadDestination | undefined;

  const lead: Lead = {
    id: row.id,
    offer: `${row.publisher_id}.${row.offer_id}`,
    plan: row.plan_id,
    subscriptionId: row.subscription_id,
    contact: row.contact,
    createdAt: new Date(row.created_at).toISOString(),
    // a test drive's lead says so; a registration test never reaches this worker
    kind: row.kind === 'test-drive' ? 'test-drive' : 'lead',
  };

  let failure: string;
  /** What lies behind `failure`, for the operator's log only (it may name server settings). */
  let cause: string | undefined;
  if (!destination?.destination) {
    failure = `The offer ${lead.offer} is no longer published, so the lead has no destination.`;
  } else {
    try {
      const result = await deliverLead(destination, lead, {
        config: ctx.config,
        env: ctx.env,
        signingSecret: () => leadSigningSecret(ctx, row.publisher_id, row.offer_id),
        signal: options.signal,
        retry: { attempts: 1 },
      });
      const status = result.sent ? 'delivered' : 'stored';
      await db
        .updateTable('leads')
        .set((eb) => ({
          delivery_status: status,
          delivery_attempts: eb('delivery_attempts', '+', result.attempts),
          last_error: null,
          delivered_at: result.sent ? new Date() : null,
        }))
        .where('id', '=', row.id)
        .where('delivery_status', '=', 'pending')
        .execute();
      ctx.logger.info({ leadId: row.id, offer: lead.offer, destination: destination.destination, status }, 'lead delivered');
      return { outcome: status };
    } catch (error) {
      failure = toVmarketError(error, 'LEAD_DELIVERY_FAILED').message;
      const behind = (error as { cause?: unknown }).cause;
      if (behind instanceof Error && behind.message !== failure) cause = behind.message;
    }
  }
  await db
    .updateTable('leads')
    .set((eb) => ({
      delivery_status: options.final ? 'failed' : 'pending',
      delivery_attempts: eb('delivery_attempts', '+', 1),
      last_error: failure,
    }))
    .where('id', '=', row.id)
    .where('delivery_status', '=', 'pending')
    .execute();
  ctx.logger.warn({ leadId: row.id, offer: lead.offer, final: options.final, error: failure, ...(cause ? { cause } : {}) }, 'lead delivery failed');
  return { outcome: options.final ? 'failed' : 'retry', error: failure };
}

/** How often an idle lead worker looks for jobs (acquire also wakes it directly). */
const POLLING_INTERVAL_SECONDS = 0.5;

/**
 * Starts the lead worker in this process. `stop()` stops taking jobs and waits for the one being
 * delivered. In embedded mode, lead jobs left `active` by a previous process are failed at once
 * so their retry starts now rather than after the expiry.
 */
export async function startLeadWorker(ctx: AppContext): Promise<{ stop(): Promise<void> }> {
  const boss = ctx.db.boss;
  await ensureLeadQueue(boss);
  if (ctx.db.mode === 'embedded') {
    const orphans = (await boss.findJobs<LeadJobData>(LEADS_QUEUE)).filter((j) => j.state === 'active').map((j) => j.id);
    if (orphans.length > 0) await boss.fail(LEADS_QUEUE, orphans, { message: 'the process delivering this lead stopped' });
  }
  const shutdown = new AbortController();
  const handler = async (jobs: Job<LeadJobData>[]) => {
    for (const job of jobs) {
      const signal = AbortSignal.any([job.signal, shutdown.signal]);
      const final = job.retryCount >= LEAD_RETRY_LIMIT;
      const { outcome, error } = await attemptLeadDelivery(ctx, job.data, { final, signal });
      // failing the job hands the retry (with back-off) to pg-boss
      if (outcome === 'retry' || outcome === 'failed') throw new Error(error ?? 'lead delivery failed');
    }
  };
  const id = await boss.work<LeadJobData>(LEADS_QUEUE, { pollingIntervalSeconds: POLLING_INTERVAL_SECONDS, batchSize: 1 }, handler);
  workers.set(boss, [...(workers.get(boss) ?? []), id]);
  return {
    async stop() {
      workers.set(boss, (workers.get(boss) ?? []).filter((w) => w !== id));
      shutdown.abort(new Error('the lead worker is stopping'));
      await boss.offWork(LEADS_QUEUE, { id, wait: true }).catch(() => undefined);
    },
  };
}
